"""The state of an SLA in a period, as the console shows it: the one seam to rewire.

The open-period states (on track / at risk / breach certain / breached) are computed on
main's side; until they land, `sla_state` shows the stored status of the evaluation. It
is the only function the pages call for a state, so the integrator changes this body and
nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from monitor.domain.contract import Contract
from monitor.storage import StoredResult


@dataclass(frozen=True)
class SlaState:
    label: str  # what the page says
    tone: str  # ok | warn | bad | none: the badge colour


_STORED: dict[str, SlaState] = {
    "met": SlaState("met", "ok"),
    "breached": SlaState("breached", "bad"),
    "insufficient_data": SlaState("insufficient data", "none"),
    "key_measurement_missed": SlaState("key measurement missed", "bad"),
}


def sla_state(result: StoredResult, contract: Contract | None, now: datetime) -> SlaState:
    """For now the stored status; `contract` and `now` are for the open-period states."""
    del contract, now
    return _STORED.get(result.status, SlaState(result.status.replace("_", " "), "none"))
