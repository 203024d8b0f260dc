"""The monthly performance statement each vendor receives, and when it is due.

Contracts ask for a statement of the month's service levels within a reporting deadline
(`performance_issue.statement_due_days` after the period ends, counted in business days
when `business_days` is set, like every other case deadline). `statement_event` builds the
notice for one vendor and one month across all of that vendor's contracts:

- it is ready once the period has ended and every contract has a closed (provisional or
  final) evaluation for it, so the statement goes out as soon as the figures are known;
- at the deadline it goes out regardless, naming the contracts whose figures are missing,
  so a stalled collector never makes slamon miss the reporting deadline silently;
- its key is `statement/<vendor>/<period>`, so the sent-log records it as sent once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from monitor.domain.contract import Contract
from monitor.domain.patterns import RecurringCause
from monitor.domain.periods import period_for
from monitor.domain.results import Evaluation

from .deadlines import deadline
from .events import CaseEvent, EventKind, contacts
from .model import Case, EvidenceSummary
from .workflow import summarize

CLOSED = ("provisional", "final")


@dataclass(frozen=True)
class StatementItem:
    """One vendor contract's figures for the month (None: not evaluated yet)."""

    contract: Contract
    evaluation: Evaluation | None


def statement_due(contract: Contract, period_label: str) -> datetime:
    """The reporting deadline of `period_label` for `contract` (contract zone)."""
    period = period_for(contract, period_label)
    issue = contract.performance_issue
    days = issue.statement_due_days if issue is not None else 5
    if issue is None:
        return (period.end.astimezone(UTC) + timedelta(days=days)).astimezone(contract.tz)
    # deadline() counts from the day of its start: the last day of the period
    last_moment = period.end - timedelta(microseconds=1)
    if issue.business_days:
        return deadline(contract, issue, last_moment, timedelta(days=days))
    return deadline(contract, issue, period.end, timedelta(days=days))


def statement_event(vendor: str, period_label: str, items: Sequence[StatementItem],
                    cases: Sequence[Case], causes: Sequence[RecurringCause],
                    now: datetime) -> CaseEvent | None:
    """The statement to send at `now`, or None while it is not ready and not yet due."""
    mine = [i for i in items if i.contract.vendor == vendor]
    if not mine:
        return None
    ended = all(now >= period_for(i.contract, period_label).end for i in mine)
    complete = all(i.evaluation is not None and i.evaluation.status in CLOSED for i in mine)
    due = min((statement_due(i.contract, period_label) for i in mine),
              key=lambda t: t.astimezone(UTC))
    if not ended or (not complete and now < due):
        return None
    party = mine[0].contract.legal_name
    named = vendor if party == vendor else f"{party} ({vendor})"
    lines = [f"Performance statement for {named}, {period_label}"]
    for item in mine:
        lines.append(f"Contract {item.contract.name} ({item.contract.id}):")
        if item.evaluation is None or item.evaluation.status not in CLOSED:
            lines.append("  figures not available by the reporting deadline")
            continue
        for result in item.evaluation.results:
            summary: EvidenceSummary = summarize(item.evaluation, result)
            lines.append(f"  {result.sla_id}: {summary.describe()}")
    ids = {i.contract.id for i in mine}
    open_cases = [c for c in cases if c.contract_id in ids and not c.is_closed]
    if open_cases:
        lines.append("Open performance issues:")
        lines += [f"  {c.id}: {c.state.value} since {c.history[-1].at.isoformat()}"
                  for c in open_cases]
    recurring = [c for c in causes if c.sla_id in {s.id for i in mine for s in i.contract.slas}]
    if recurring:
        lines.append("Recurring causes (by attainment cost):")
        lines += [f"  {c.describe()}" for c in recurring]
    to: list[str] = []
    for item in mine:
        to += [a for a in contacts(item.contract) if a not in to]
        party_contacts = item.contract.party.contacts if item.contract.party else ()
        to += [c.email for c in party_contacts
               if c.role in ("statements", "claims") and c.email not in to]
    return CaseEvent(kind=EventKind.STATEMENT, key=f"statement/{vendor}/{period_label}",
                     at=now, summary=lines[0], to=tuple(to),
                     contract_id=",".join(sorted(ids)), body="\n".join(lines))
