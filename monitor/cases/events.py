"""Events the case process hands to the notifiers, each with a stable dedup `key`.

One event per timeline entry (the opening is the breach notice to the vendor; every later
transition informs both parties) plus the overdue warnings of `workflow.sweep` and the
monthly statements of `statements`. The key is derived only from the case and the position
of the entry in its timeline, so the same fact always yields the same key and a sent-log
keyed on it sends it once, however often the scheduler re-runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from monitor.domain.contract import Contract

from .model import Action, Case


class EventKind(StrEnum):
    BREACH_NOTICE = "case_opened"
    ACKNOWLEDGED = "case_acknowledged"
    RCA_RECEIVED = "case_rca_received"
    RESOLVED = "case_resolved"
    ESCALATED = "case_escalated"
    ACKNOWLEDGE_OVERDUE = "case_acknowledge_overdue"
    RCA_OVERDUE = "case_rca_overdue"
    STATEMENT = "vendor_statement"


_BY_ACTION: dict[str, EventKind] = {
    Action.OPEN.value: EventKind.BREACH_NOTICE,
    Action.ACKNOWLEDGE.value: EventKind.ACKNOWLEDGED,
    Action.RECEIVE_RCA.value: EventKind.RCA_RECEIVED,
    Action.RESOLVE.value: EventKind.RESOLVED,
    Action.ESCALATE.value: EventKind.ESCALATED,
}


@dataclass(frozen=True)
class CaseEvent:
    """Something to tell people about. `to` are addresses from the contract's
    `performance_issue.contacts`; `case` is the case as it is after the event (None for a
    statement). `body` carries the evidence or statement text for the notice."""

    kind: EventKind
    key: str
    at: datetime
    summary: str
    to: tuple[str, ...]
    case: Case | None = None
    contract_id: str = ""
    body: str = ""

    @property
    def labels(self) -> dict[str, str]:
        labels = {"kind": self.kind.value, "contract": self.contract_id}
        if self.case is not None:
            labels.update(contract=self.case.contract_id, sla=self.case.sla_id,
                          period=self.case.period, case=self.case.id)
        return labels


def overdue_key(case: Case, kind: EventKind) -> str:
    return f"{case.id}:{kind.value}"


def entry_key(case: Case, index: int) -> str:
    return f"{case.id}#{index}:{case.history[index].action}"


def contacts(contract: Contract, *roles: str) -> tuple[str, ...]:
    """Addresses of `roles` (all roles when none given), in the contract's order."""
    issue = contract.performance_issue
    if issue is None:
        return ()
    return tuple(addr for role, addr in issue.contacts.items() if not roles or role in roles)


def event_for_entry(case: Case, contract: Contract, index: int) -> CaseEvent:
    """The event for timeline entry `index` of `case` (0 is the opening: the breach notice
    to the vendor's contact, copied to ours)."""
    entry = case.history[index]
    kind = _BY_ACTION[entry.action]
    if kind is EventKind.BREACH_NOTICE:
        summary = f"{contract.name}: {case.sla_id} breached for {case.period}"
        body = "\n".join([
            f"Contract: {contract.name} ({contract.id})",
            f"SLA: {case.sla_id}  period: {case.period}",
            f"Evidence: {case.evidence.describe()}",
            *(f"Chronic: {c.describe()}" for c in case.chronic),
            f"Case: {case.id}",
        ])
    else:
        summary = f"{case.id}: {entry.action} by {entry.who}" + (
            f" ({entry.note})" if entry.note else "")
        body = summary
    return CaseEvent(kind=kind, key=entry_key(case, index), at=entry.at, summary=summary,
                     to=contacts(contract), case=case, contract_id=contract.id, body=body)


def transition_event(case: Case, contract: Contract) -> CaseEvent:
    """The event for the case's latest timeline entry."""
    return event_for_entry(case, contract, len(case.history) - 1)


def overdue_event(case: Case, contract: Contract, kind: EventKind, due: datetime) -> CaseEvent:
    """The warning that the acknowledgement or the RCA of `case` was due at `due`."""
    what = "acknowledgement" if kind is EventKind.ACKNOWLEDGE_OVERDUE else "root-cause analysis"
    text = f"{case.id}: {what} was due {due.isoformat()} and has not been received"
    return CaseEvent(kind=kind, key=overdue_key(case, kind), at=due, summary=text,
                     to=contacts(contract), case=case, contract_id=contract.id, body=text)


def timeline_events(case: Case, contract: Contract) -> list[CaseEvent]:
    """Every timeline entry's event; the sent-log filters those already sent."""
    return [event_for_entry(case, contract, i) for i in range(len(case.history))]
