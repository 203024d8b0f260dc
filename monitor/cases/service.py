"""One scheduler pass of the case process, over injected storage and notifiers.

`tick` opens the cases an evaluation calls for, sweeps for overdue deadlines and
escalations, then sends every notice that is due and not yet in the sent-log. Notices are
derived from the stored cases (each timeline entry, each overdue key in `notices`), never
kept in memory between steps: if sending fails half-way, the next pass finds the unsent
ones again, and the sent-log keeps a notice that did go out from going out twice.

This module does no I/O of its own: the repository, the sent-log and `send` are passed in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

from monitor.domain.contract import Contract
from monitor.domain.patterns import RecurringCause
from monitor.domain.results import ChronicFailure, Evaluation
from monitor.errors import InputError, SlamonError

from .deadlines import due_dates
from .events import CaseEvent, EventKind, overdue_event, overdue_key, timeline_events
from .model import Action, Case
from .repository import CaseRepository, SentLog
from .statements import StatementItem, statement_event
from .views import with_causes
from .workflow import open_cases, sweep, transition

Send = Callable[[CaseEvent], None]
log = logging.getLogger(__name__)


def case_events(case: Case, contract: Contract) -> list[CaseEvent]:
    """Every notice this case has produced so far: its timeline, then its overdue warnings."""
    events = timeline_events(case, contract)
    deadlines = due_dates(case, contract)
    for kind, due in ((EventKind.ACKNOWLEDGE_OVERDUE, deadlines.acknowledge_by),
                      (EventKind.RCA_OVERDUE, deadlines.rca_by)):
        if overdue_key(case, kind) in case.notices:
            events.append(overdue_event(case, contract, kind, due))
    return events


def deliver(events: Iterable[CaseEvent], sent_log: SentLog, send: Send,
            now: datetime) -> list[CaseEvent]:
    """Send each due event not yet in the sent-log, oldest first, then record it.

    Sending comes before recording on purpose: if `send` fails, nothing is recorded and the
    next pass tries again (a lost breach notice is worse than a late one). A failure that
    slamon knows (`SlamonError`: an unreachable SMTP server, a 5xx webhook) is logged and
    the other events still go out; anything else propagates. Two passes never run at once
    because the scheduler holds a lease per contract; should they, the sent-log still keeps
    every later pass from sending again. Returns what was sent."""
    sent: list[CaseEvent] = []
    for event in sorted(events, key=lambda e: (e.at.astimezone(UTC), e.key)):
        if event.at > now or sent_log.seen(event.key):
            continue
        try:
            send(event)
        except SlamonError as exc:
            # A notifier failure was recorded and logged once where it happened (`quiet`);
            # saying it again on every pass is what flooded the log.
            level = logging.DEBUG if getattr(exc, "quiet", False) else logging.WARNING
            log.log(level, "event=case_notice_unsent key=%s action=retry_later error=%s",
                    event.key, exc)
            continue
        sent_log.record(event.key, now)
        sent.append(event)
    return sent


def tick(contract: Contract, repo: CaseRepository, sent_log: SentLog, send: Send,
         now: datetime, evaluations: Sequence[Evaluation] = (),
         chronic: Sequence[ChronicFailure] = (),
         causes: Sequence[RecurringCause] | None = None) -> list[CaseEvent]:
    """Open, sweep, notify. Safe to re-run at the same `now`: the second pass does nothing.
    With `causes` (see `monitor.domain.patterns.recurring_causes`), every open case of the
    contract gets the current recurring causes of its SLA."""
    for evaluation in evaluations:
        if evaluation.contract_id != contract.id:
            continue
        new = open_cases(contract, evaluation, chronic, repo.list(contract.id))
        if new:
            repo.save(new)
    if causes is not None:
        current = repo.list(contract.id)
        updated = [c for c in (with_causes(c, causes) for c in current if not c.is_closed)
                   if c not in current]
        if updated:
            repo.save(updated)
    result = sweep(repo.list(contract.id), contract, now)
    if result.cases:
        repo.save(result.cases)
    events = [e for case in repo.list(contract.id) for e in case_events(case, contract)]
    return deliver(events, sent_log, send, now)


def act(repo: CaseRepository, case_id: str, action: Action | str, who: str, at: datetime,
        note: str = "") -> Case:
    """Record a person's action on a stored case (the CLI's ack/rca/resolve/escalate)."""
    case = repo.get(case_id)
    if case is None:
        raise InputError(f"no case {case_id!r}", column="case")
    changed = transition(case, action, who, at, note)
    repo.save([changed])
    return changed


def previous_month(contract: Contract, now: datetime) -> str:
    """The label of the month before the one containing `now` in the contract's zone."""
    local = now.astimezone(contract.tz).date()
    year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def statement_tick(contracts: Sequence[Contract], evaluations: Sequence[Evaluation],
                   cases: Sequence[Case], causes: Sequence[RecurringCause],
                   sent_log: SentLog, send: Send, now: datetime) -> list[CaseEvent]:
    """Send last month's statement to every vendor once it is ready or due (see
    `monitor.cases.statements`); the sent-log keeps it to one per vendor and month."""
    by_key = {(e.contract_id, e.period.label): e for e in evaluations}
    events: list[CaseEvent] = []
    for vendor in sorted({c.vendor for c in contracts}):
        mine = [c for c in contracts if c.vendor == vendor]
        label = previous_month(mine[0], now)
        items = [StatementItem(c, by_key.get((c.id, label))) for c in mine]
        event = statement_event(vendor, label, items, cases, causes, now)
        if event is not None:
            events.append(event)
    return deliver(events, sent_log, send, now)
