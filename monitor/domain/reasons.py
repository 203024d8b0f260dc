"""Why a status and its money disagree, in words, beside every status in every output.

A breached SLA with no credit (held for earn-back, at or below the minimum credit, a
default rule not yet triggered, a key measurement, no credit terms), a met SLA that carries
a credit (a continuous-improvement target stricter than the contract's), an open period's
credit (accruing if nothing changes, not owed). Pure: reads results and credit lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from monitor.domain.contract import Sla
from monitor.domain.outlook import MISSES, Standing, needs_text, outlook_of
from monitor.domain.results import CreditLine, SlaResult

ZERO = Decimal(0)
QUIET = {
    "held": "held for earn-back",
    "below_minimum": "at or below the minimum credit",
    "key_measurement": "key measurement: reported, never credited",
    "earned_back": "earned back",
}


def _owed(lines: Sequence[CreditLine]) -> Decimal:
    return sum((line.amount for line in lines), ZERO)


def reason(sla: Sla, result: SlaResult, lines: Sequence[CreditLine]) -> str:
    """The note shown beside `result`; "" when status and money tell the whole story."""
    o = outlook_of(result)
    mine = [line for line in lines if line.sla_id == result.sla_id]
    owed = _owed(mine)
    notes: list[str] = []
    if o.open:
        text = needs_text(sla, o)
        if text:
            notes.append(text)
        if owed > 0:
            notes.append("credit accruing if nothing changes; not owed while the period is open")
    missed = o.standing in (*MISSES, Standing.AT_RISK)
    if missed and owed == 0 and not o.open:
        why = next((QUIET[line.status] for line in mine if line.status in QUIET), None)
        if why is None:
            why = next((line.explanation for line in mine if line.explanation), "")
            why = why or "no credit terms for this SLA"
        notes.append(f"no credit: {why}")
    if not missed and owed > 0 and o.standing is not Standing.NO_DATA:
        why = next((line.explanation for line in mine if line.amount > 0), "")
        notes.append(f"credit although met: {why}" if why else "credit although met")
    return "; ".join(notes)
