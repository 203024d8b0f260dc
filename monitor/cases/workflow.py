"""The performance-issue process as pure functions over `Case` values.

- `open_cases(contract, evaluation, chronic, existing)` opens one case per
  (contract, SLA, period) for every breach, certain breach and chronic-failure rule; it is
  idempotent: a key already in `existing` never opens a second case.
- `transition(case, action, who, at, note)` applies a person's (or slamon's) action and
  refuses illegal ones with `InputError`, changing nothing.
- `sweep(cases, contract, now)` is what the scheduler runs: it produces the overdue warnings
  and the automatic escalations that are due at `now`, each exactly once (a case remembers
  the dedup keys it has produced in `notices`, and each event carries a stable `key` that the
  notifiers' sent-log also checks).

Reading of the contract, stated once: the acknowledgement and the RCA deadlines produce an
*overdue* warning to both parties (and count in `slamon_cases_overdue`); the case is
*escalated* when it is not resolved by `escalate_after` ("escalated if not resolved in a
predetermined time"). All deadlines run from the opening of the case (the breach notice),
see `monitor.cases.deadlines`.

Nothing here reads the clock: `at`/`now` are always passed in, and a case opened from an
evaluation is dated at the evaluation's `as_of`, so re-running the same evaluation yields the
same case.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal

from monitor.domain.contract import Contract, Status
from monitor.domain.results import ChronicFailure, Evaluation, SlaResult
from monitor.errors import InputError

from .certainty import breach_certain
from .deadlines import Deadlines, due_dates
from .events import CaseEvent, EventKind, overdue_event, overdue_key, transition_event
from .model import (
    SYSTEM_ACTOR,
    Action,
    Case,
    CaseState,
    EvidenceSummary,
    TimelineEntry,
    Trigger,
    case_id,
)

MISSED = (Status.BREACHED, Status.KEY_MEASUREMENT_MISSED)

# action -> {from state: to state}; escalated stays escalated for late acks and RCAs.
LEGAL: dict[Action, dict[CaseState, CaseState]] = {
    Action.ACKNOWLEDGE: {
        CaseState.OPEN: CaseState.ACKNOWLEDGED,
        CaseState.ESCALATED: CaseState.ESCALATED,
    },
    Action.RECEIVE_RCA: {
        CaseState.OPEN: CaseState.RCA_RECEIVED,
        CaseState.ACKNOWLEDGED: CaseState.RCA_RECEIVED,
        CaseState.ESCALATED: CaseState.ESCALATED,
    },
    Action.RESOLVE: {
        CaseState.OPEN: CaseState.RESOLVED,
        CaseState.ACKNOWLEDGED: CaseState.RESOLVED,
        CaseState.RCA_RECEIVED: CaseState.RESOLVED,
        CaseState.ESCALATED: CaseState.RESOLVED,
    },
    Action.ESCALATE: {
        CaseState.OPEN: CaseState.ESCALATED,
        CaseState.ACKNOWLEDGED: CaseState.ESCALATED,
        CaseState.RCA_RECEIVED: CaseState.ESCALATED,
    },
}


def _trigger_for(contract: Contract, evaluation: Evaluation,
                 result: SlaResult) -> Trigger | None:
    if result.status not in MISSED:
        return None
    if evaluation.status in ("provisional", "final"):
        return Trigger.BREACH
    return Trigger.BREACH_CERTAIN if breach_certain(contract, evaluation, result) else None


UNDER_REPORTED_SUFFIX = ":under-reported"  # the case's "SLA": one such case per SLA and period


def _under_reported(contract: Contract, evaluation: Evaluation,
                    result: SlaResult) -> EvidenceSummary | None:
    """Evidence for a "vendor under-reported" case: observed downtime the vendor did not
    report reached the contract's `under_reported_case` limit (a fact, open period or not)."""
    rec, limit = result.reconciliation, contract.under_reported_case
    if rec is None or limit is None or rec.unreported_minutes <= 0:
        return None
    if rec.unreported_minutes * 60 < Decimal(str(limit.total_seconds())):
        return None
    text = (f"the vendor reported {rec.vendor_minutes} min down, independent "
            f"checks observed {rec.observed_minutes} min; {rec.unreported_minutes} min in "
            f"{len(rec.unreported)} spans not reported")
    return EvidenceSummary(status=Trigger.UNDER_REPORTED.value, value=None, target=None,
                           direction="min", formula=text, evaluation_status=evaluation.status,
                           evaluated_at=evaluation.as_of)


def summarize(evaluation: Evaluation, result: SlaResult) -> EvidenceSummary:
    ev = result.evidence
    return EvidenceSummary(
        status=result.status.value,
        value=result.value,
        target=result.target.value,
        direction=result.target.direction.value,
        numerator=ev.numerator,
        denominator=ev.denominator,
        intervals=ev.intervals,
        formula=ev.formula,
        excluded_minutes=ev.excluded_minutes,
        evaluation_status=evaluation.status,
        evaluated_at=evaluation.as_of,
    )


def _chronic_summary(evaluation: Evaluation, failure: ChronicFailure) -> EvidenceSummary:
    return EvidenceSummary(
        status="chronic_failure",
        value=None,
        target=None,
        direction="min",
        evaluation_status=evaluation.status,
        evaluated_at=evaluation.as_of,
        consequence=failure.consequence,
        periods=failure.periods,
    )


def _new_case(contract: Contract, sla_id: str, period: str, trigger: Trigger,
              evaluation: Evaluation, evidence: EvidenceSummary,
              chronic: tuple[EvidenceSummary, ...] = ()) -> Case:
    note = f"{trigger.value}: {evidence.describe()}"
    entry = TimelineEntry(Action.OPEN.value, None, CaseState.OPEN, SYSTEM_ACTOR,
                          evaluation.as_of, note)
    return Case(
        contract_id=contract.id, sla_id=sla_id, period=period, trigger=trigger,
        opened_at=evaluation.as_of, state=CaseState.OPEN, evidence=evidence,
        history=(entry,), vendor=contract.vendor, chronic=chronic,
    )


def open_cases(contract: Contract, evaluation: Evaluation,
               chronic: Iterable[ChronicFailure], existing: Iterable[Case]) -> list[Case]:
    """The cases to store after `evaluation`: new ones, plus existing ones that gained a
    chronic-failure link. Returns nothing when everything is already recorded."""
    if evaluation.as_of.tzinfo is None:
        raise InputError("evaluation.as_of must be timezone-aware")
    known = {c.id: c for c in existing}
    out: dict[str, Case] = {}
    period = evaluation.period.label
    for result in evaluation.results:
        under = _under_reported(contract, evaluation, result)
        if under is not None:
            name = f"{result.sla_id}{UNDER_REPORTED_SUFFIX}"
            if case_id(contract.id, name, period) not in known:
                out[case_id(contract.id, name, period)] = _new_case(
                    contract, name, period, Trigger.UNDER_REPORTED, evaluation, under)
        trigger = _trigger_for(contract, evaluation, result)
        key = case_id(contract.id, result.sla_id, period)
        if trigger is None or key in known:
            continue
        out[key] = _new_case(contract, result.sla_id, period, trigger, evaluation,
                             summarize(evaluation, result))
    for failure in chronic:
        if failure.raised_in != period:
            continue
        summary = _chronic_summary(evaluation, failure)
        key = case_id(contract.id, failure.rule_sla, period)
        current = out.get(key) or known.get(key)
        if current is None:
            out[key] = _new_case(contract, failure.rule_sla, period, Trigger.CHRONIC,
                                 evaluation, summary, (summary,))
        elif all(c.consequence != failure.consequence for c in current.chronic):
            chronic_links = (*current.chronic, summary)
            if key in out:  # opened in this same call: still version 1
                out[key] = _with(current, chronic=chronic_links)
            else:
                out[key] = current.bumped(chronic=chronic_links)
    return list(out.values())


def _with(case: Case, **changes: object) -> Case:
    return replace(case, **changes)  # type: ignore[arg-type]


def transition(case: Case, action: Action | str, who: str, at: datetime, note: str = "") -> Case:
    """Apply `action` by `who` at `at`; raises `InputError` (and changes nothing) when the
    action is not legal in the case's state, was already done, or goes back in time."""
    try:
        act = Action(action)
    except ValueError:
        raise InputError(f"unknown case action {action!r}", column="action") from None
    if act is Action.OPEN:
        raise InputError("a case is opened by slamon, not by a transition", column="action")
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise InputError("the time of a case action must be a timezone-aware datetime",
                         column="at")
    if not who.strip():
        raise InputError("say who did it (a name or an e-mail address)", column="who")
    to_state = LEGAL[act].get(case.state)
    if to_state is None:
        raise InputError(f"case {case.id} is {case.state.value}: cannot {act.value}",
                         column="action")
    if act in (Action.ACKNOWLEDGE, Action.RECEIVE_RCA) and case.when(act) is not None:
        raise InputError(f"case {case.id}: {act.value} was already recorded", column="action")
    last = case.history[-1].at
    if at.astimezone(UTC) < last.astimezone(UTC):  # UTC: same-zone compares are wall-clock
        raise InputError(
            f"case {case.id}: {act.value} at {at.isoformat()} is before the last entry "
            f"({last.isoformat()})", column="at")
    entry = TimelineEntry(act.value, case.state, to_state, who, at, note)
    return case.bumped(state=to_state, history=(*case.history, entry))


@dataclass(frozen=True)
class Sweep:
    """What one scheduler pass produced: the changed cases and the events to send."""

    cases: tuple[Case, ...]
    events: tuple[CaseEvent, ...]


def overdue(case: Case, deadlines: Deadlines, now: datetime) -> tuple[EventKind, ...]:
    """Which deadlines `case` has missed at `now` (for the `slamon_cases_overdue` gauge)."""
    if case.is_closed:
        return ()
    now = now.astimezone(UTC)
    kinds: list[EventKind] = []
    if case.when(Action.ACKNOWLEDGE) is None and now >= deadlines.acknowledge_by:
        kinds.append(EventKind.ACKNOWLEDGE_OVERDUE)
    if case.when(Action.RECEIVE_RCA) is None and now >= deadlines.rca_by:
        kinds.append(EventKind.RCA_OVERDUE)
    if now >= deadlines.escalate_at:
        kinds.append(EventKind.ESCALATED)
    return tuple(kinds)


def sweep(cases: Sequence[Case], contract: Contract, now: datetime) -> Sweep:
    """Overdue warnings and automatic escalations due at `now`, each produced once.

    An automatic escalation is dated at the escalation deadline itself (or at the last
    timeline entry if that is later), not at the time the sweep happened to run, so the
    timeline shows the day the contract escalates whatever the scheduler's cadence.
    """
    if not isinstance(now, datetime) or now.tzinfo is None:
        raise InputError("sweep time must be a timezone-aware datetime")
    changed: list[Case] = []
    events: list[CaseEvent] = []
    for original in cases:
        if original.contract_id != contract.id or original.is_closed:
            continue
        case = original
        deadlines = due_dates(case, contract)
        due_at = {
            EventKind.ACKNOWLEDGE_OVERDUE: deadlines.acknowledge_by,
            EventKind.RCA_OVERDUE: deadlines.rca_by,
        }
        for kind in overdue(case, deadlines, now):
            if kind is EventKind.ESCALATED:
                if case.state is CaseState.ESCALATED:
                    continue
                at = max(deadlines.escalate_at, case.history[-1].at,
                         key=lambda t: t.astimezone(UTC))
                note = f"not resolved by {deadlines.escalate_at.isoformat()} (escalate_after)"
                case = transition(case, Action.ESCALATE, SYSTEM_ACTOR, at, note)
                events.append(transition_event(case, contract))
                continue
            key = overdue_key(case, kind)
            if key in case.notices:
                continue
            case = case.bumped(notices=case.notices | {key})
            events.append(overdue_event(case, contract, kind, due_at[kind]))
        if case is not original:
            # One stored change per sweep: a case overdue on several deadlines at once
            # (a sweep after days of downtime) is still one optimistic-lock step.
            changed.append(replace(case, version=original.version + 1))
    events.sort(key=lambda e: (e.at, e.key))
    return Sweep(tuple(changed), tuple(events))
