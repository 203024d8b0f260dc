"""The state of an SLA in a period, as the console shows it: the one place pages get it.

The state is the engine's (`monitor.domain.outlook`): on track / at risk / breach certain
while the period is open, met / breached once it has ended, no data. It is read from the
standing the engine stored in the result's evidence; results stored before standings
existed fall back to their status. The badge colour and, for an open period, what the rest
of it needs ("needs 83.1 % for the remaining 19 days") come with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from monitor.domain.contract import Contract, Status
from monitor.domain.outlook import Standing, from_details, needs_text
from monitor.storage import StoredResult


@dataclass(frozen=True)
class SlaState:
    label: str  # what the page says
    tone: str  # ok | warn | bad | none: the badge colour
    needs: str = ""  # open periods: what the rest of the period must achieve


TONES: dict[Standing, str] = {
    Standing.ON_TRACK: "ok", Standing.MET: "ok", Standing.AT_RISK: "warn",
    Standing.BREACH_CERTAIN: "bad", Standing.BREACHED: "bad", Standing.NO_DATA: "none",
}


def sla_state(result: StoredResult, contract: Contract | None, now: datetime) -> SlaState:
    """`now` is unused: the standing is the one stored with the evaluation (as of its
    `as_of`), so the console agrees with /metrics, reports and alerts."""
    del now
    try:
        status = Status(result.status)
    except ValueError:  # a status this slamon does not know: show it as stored
        return SlaState(result.status.replace("_", " "), "none")
    outlook = from_details(result.evidence.get("details") or {}, status)
    needs = ""
    if contract is not None:
        try:
            needs = needs_text(contract.sla(result.sla_id), outlook)
        except KeyError:  # an SLA since removed from the contract
            needs = ""
    return SlaState(outlook.label, TONES[outlook.standing], needs)
