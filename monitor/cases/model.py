"""A performance-issue case: one per (contract, SLA, period), with its full timeline.

The contract's `performance_issue:` section says what happens after a missed SLA: the vendor
acknowledges, delivers a root-cause analysis (RCA), and the issue is escalated if it is not
resolved in time. A `Case` is the record of that process. It is a frozen value: every change
(`monitor.cases.workflow.transition`, `sweep`) returns a new `Case` with one more entry in
`history`, so the timeline is never rewritten and a report can render it as is.

States: open -> acknowledged -> rca_received -> resolved; `escalated` can be entered from
any state but `resolved` and is sticky until the case is resolved (the vendor may still
acknowledge or send the RCA after escalation; those are recorded, the state stays
`escalated`).

`notices` holds the dedup keys of the events already produced for this case (overdue
warnings, escalations), which is what makes the scheduler's sweep idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class CaseState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RCA_RECEIVED = "rca_received"
    RESOLVED = "resolved"
    ESCALATED = "escalated"


class Action(StrEnum):
    """What a transition does; the CLI verbs map onto these."""

    OPEN = "open"
    ACKNOWLEDGE = "acknowledge"
    RECEIVE_RCA = "rca"
    RESOLVE = "resolve"
    ESCALATE = "escalate"


class Trigger(StrEnum):
    """Why the case was opened."""

    BREACH = "breach"  # the period closed (provisional/final) with the SLA breached
    BREACH_CERTAIN = "breach_certain"  # period still open, but no outcome can recover it
    CHRONIC = "chronic"  # a chronic-failure rule fired
    # independent checks saw downtime the vendor did not report, past the contract's limit
    UNDER_REPORTED = "under_reported"


SYSTEM_ACTOR = "slamon"  # the `who` of automatic transitions


@dataclass(frozen=True)
class EvidenceSummary:
    """The figures behind the case, copied from the evaluation that opened it.

    `value`/`target` are ratios in [0, 1] for percentages and seconds for times, as in
    `SlaResult`; `direction` is "min" or "max". For a chronic case `value` is None and
    `periods` names the missed periods the rule counted.
    """

    status: str
    value: Decimal | None
    target: Decimal | None
    direction: str
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    intervals: int | None = None
    formula: str = ""
    excluded_minutes: Decimal | None = None
    evaluation_status: str = ""  # open | provisional | final
    evaluated_at: datetime | None = None
    consequence: str | None = None  # chronic rules only
    periods: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line for a notice: `service_level 72.50% against target 80.00% (breached)`."""
        if self.consequence is not None:
            return (
                f"chronic failure ({self.consequence}) over {', '.join(self.periods)}"
            )
        if self.status == Trigger.UNDER_REPORTED.value:
            return self.formula  # the reconciliation, in words
        if self.value is None or self.target is None:
            return self.status

        def show(x: Decimal) -> str:
            if self.direction == "max" and self.target is not None and self.target >= 1:
                return f"{x:.2f}s"
            return f"{x * 100:.2f}%"

        word = "at most" if self.direction == "max" else "at least"
        return f"{show(self.value)} against target {word} {show(self.target)} ({self.status})"


@dataclass(frozen=True)
class TimelineEntry:
    """One step of the timeline: who did what, when, and why."""

    action: str  # an Action value
    from_state: CaseState | None  # None for the opening entry
    to_state: CaseState
    who: str
    at: datetime  # tz-aware
    note: str = ""


@dataclass(frozen=True)
class Case:
    """A performance-issue case. `id` is stable: `<contract>/<sla>/<period>`."""

    contract_id: str
    sla_id: str  # an SLA id, or a chronic rule's `sla` ("any" included)
    period: str  # the period label, e.g. "2026-10"
    trigger: Trigger
    opened_at: datetime
    state: CaseState
    evidence: EvidenceSummary
    history: tuple[TimelineEntry, ...]
    vendor: str = ""
    chronic: tuple[EvidenceSummary, ...] = ()  # chronic rules that fired for this key
    causes: tuple[str, ...] = ()  # recurring causes, ranked (see monitor.domain.patterns)
    notices: frozenset[str] = field(default_factory=frozenset)
    version: int = 1  # bumped by every change; storage uses it for optimistic locking

    @property
    def id(self) -> str:
        return case_id(self.contract_id, self.sla_id, self.period)

    @property
    def case_id(self) -> str:
        """The same as `id`; with `summary`, `sla_id`, `period` and `state` a `Case` reads
        like the reports' `CaseRef`, so renderers can take either."""
        return self.id

    @property
    def summary(self) -> str:
        """One line: the evidence, then the latest timeline entry."""
        last = self.history[-1]
        latest = f"{last.action} by {last.who} {last.at.isoformat()}"
        return f"{self.evidence.describe()}; {latest}" + (f" ({last.note})" if last.note else "")

    @property
    def is_closed(self) -> bool:
        return self.state is CaseState.RESOLVED

    @property
    def timeline(self) -> tuple[TimelineEntry, ...]:
        return self.history

    def when(self, action: Action) -> datetime | None:
        """The first time `action` happened, or None."""
        for entry in self.history:
            if entry.action == action.value:
                return entry.at
        return None

    def bumped(self, **changes: object) -> Case:
        """A copy with `changes` applied and the version incremented."""
        return replace(self, version=self.version + 1, **changes)  # type: ignore[arg-type]


def case_id(contract_id: str, sla_id: str, period: str) -> str:
    return f"{contract_id}/{sla_id}/{period}"
