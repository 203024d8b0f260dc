"""One pass of the service, without a scheduler: `collect_once` and `evaluate_once`.

`collect_once(store, contract, collector, now, owner)` fetches what one source has that the
database does not, under a row lease `collect:<contract>:<kind>` so that of several
processes only one works on a source at a time. Per planned window (oldest first): collect
→ store intervals, outages and maintenances → `collector.commit(result)` → move the
watermark `<contract>:<kind>` to the window's end → renew the lease. The watermark moves
only after the data is committed; a crash between the two is harmless because ingestion
upserts on (contract, queue, channel, interval_start) and outages on their ref, so the
re-fetched window re-stores the same rows and nothing is doubled.

A source whose watermark already stands at the last complete interval is not polled at all
(`skipped="fresh"`): re-polling the trailing hours (late vendor data) happens once per new
interval, not once per tick and process.

`TransientError` stops the source for this pass (watermark where it was, retried next
tick); `PermanentError` is recorded and returned with `down=True` for the scheduler to
stop polling it, except `CredentialsRefused` (`refused=True`), which the service counts
and treats as a misconfiguration only when it repeats. Both go into `collector_runs` with
the error text (already redacted by the HTTP seam).

`evaluate_once(store, contract, now)` evaluates the current month (once some of it has
elapsed) and, while not final, the previous one from the database, assesses credits over
those periods (oldest first) and saves them; the Store keeps final periods untouched and
records restatements.

Leases compare wall-clock times across processes, so they use `wall()` (real UTC time),
never the simulated `now` the data windows are planned against.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from monitor.collectors.base import Collector, CollectResult, TimeWindow
from monitor.collectors.windows import floor_to, plan_windows
from monitor.domain.close import PeriodState, period_state
from monitor.domain.consistency import consistency_of, with_consistency
from monitor.domain.contract import Contract, PeriodKind
from monitor.domain.credits import assess_credits
from monitor.domain.evaluate import evaluate
from monitor.domain.history import span_for
from monitor.domain.measurements import Measurements, ObservedSpan
from monitor.domain.periods import period_containing
from monitor.domain.results import Evaluation, Period, PeriodCredits
from monitor.errors import (
    CollectorError,
    CredentialsRefused,
    InputError,
    PermanentError,
    StorageError,
    TransientError,
)
from monitor.storage import Store
from monitor.storage.history import stored_evaluations

log = logging.getLogger("slamon.service")
Wall = Callable[[], datetime]


def real_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CollectPolicy:
    """Knobs of one collection pass.

    `since`: where a source with no watermark starts (default: the start of the contract's
    current month, what the evaluation needs); when given, nothing before it is fetched,
    not even by a trailing re-poll; `trailing`: override of the vendor's
    re-poll of already-fetched time (None = the collector's `limits.trailing`);
    `max_span`: a shorter window than the vendor allows (smaller batches commit sooner);
    `lease_ttl`: how long a lease holds without renewal (renewed after every window, so a
    killed process blocks a source at most this long).
    """

    since: datetime | None = None
    trailing: timedelta | None = None
    max_span: timedelta | None = None
    lease_ttl: timedelta = timedelta(minutes=5)


@dataclass(frozen=True)
class CollectOutcome:
    contract_id: str
    kind: str
    windows: tuple[TimeWindow, ...] = ()
    rows: int = 0
    outages: int = 0
    requests: int = 0
    skipped: str | None = None  # "leased" (another process has it) | "fresh" (nothing new)
    error: str | None = None
    down: bool = False  # a PermanentError other than a refusal: misconfigured, stop polling
    refused: bool = False  # CredentialsRefused: counted by the service, see `Service`
    watermark: datetime | None = None
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.error is None


def source_key(contract_id: str, kind: str) -> str:
    return f"{contract_id}:{kind}"


def lease_key(contract_id: str, kind: str) -> str:
    return f"collect:{contract_id}:{kind}"


def first_start(contract: Contract, now: datetime, policy: CollectPolicy) -> datetime:
    if policy.since is not None:
        return policy.since
    return period_containing(contract, PeriodKind.MONTH, now).full_start


def collect_once(store: Store, contract: Contract, collector: Collector, now: datetime,
                 owner: str, policy: CollectPolicy = CollectPolicy(),
                 wall: Wall = real_now, stop: Callable[[], bool] = lambda: False
                 ) -> CollectOutcome:
    """Fetch, store and commit every window `collector` has that the database lacks.

    `stop()` is asked between windows: when it turns true the pass ends after the window
    in hand is stored and its watermark moved (graceful shutdown)."""
    kind = collector.kind
    key, lease = source_key(contract.id, kind), lease_key(contract.id, kind)
    watermark = store.get_watermark(key)
    step = collector.limits.granularity
    if watermark is not None and watermark >= floor_to(now, step):
        return CollectOutcome(contract.id, kind, skipped="fresh", watermark=watermark)
    if not store.try_lease(lease, owner, policy.lease_ttl, wall()):
        return CollectOutcome(contract.id, kind, skipped="leased", watermark=watermark)
    try:
        # Re-read under the lease: another process may have moved it since.
        watermark = store.get_watermark(key)
        if watermark is not None and watermark >= floor_to(now, step):
            return CollectOutcome(contract.id, kind, skipped="fresh", watermark=watermark)
        return _collect_leased(store, contract, collector, now, owner, policy, wall, watermark,
                               stop)
    finally:
        try:
            store.release_lease(lease, owner)
        except StorageError as exc:  # the lease then simply expires
            log.warning("event=lease_release_failed key=%s error=%s", lease, exc)


def _collect_leased(store: Store, contract: Contract, collector: Collector, now: datetime,
                    owner: str, policy: CollectPolicy, wall: Wall,
                    watermark: datetime | None, stop: Callable[[], bool]) -> CollectOutcome:
    kind = collector.kind
    key, lease = source_key(contract.id, kind), lease_key(contract.id, kind)
    limits = collector.limits
    if policy.trailing is not None:
        limits = replace(limits, trailing=policy.trailing)
    if policy.max_span is not None:
        limits = replace(limits, max_span=min(limits.max_span, policy.max_span))
    initial = now - first_start(contract, now, policy) if watermark is None else None
    plan = plan_windows(watermark, now, limits, initial=initial)
    windows = plan.windows
    if policy.since is not None:  # a trailing re-poll never reaches before `since`
        windows = tuple(TimeWindow(max(w.start, policy.since), w.end) for w in windows
                        if w.end > policy.since)
    if plan.lost is not None:
        log.warning("event=data_lost contract=%s source=%s start=%s end=%s "
                    "reason=older_than_vendor_history", contract.id, kind,
                    plan.lost.start.isoformat(), plan.lost.end.isoformat())
    done: list[TimeWindow] = []
    rows = outages = requests = 0
    problems: list[str] = []
    started = wall()
    error: str | None = None
    down = refused = False
    for window in windows:
        if stop():
            break
        try:
            result = collector.collect(window)
        except CollectorError as exc:
            refused = isinstance(exc, CredentialsRefused)
            error, down = str(exc), isinstance(exc, PermanentError) and not refused
            level = logging.ERROR if down else logging.WARNING
            log.log(level, "event=collect_failed contract=%s source=%s window=%s "
                    "transient=%s error=%s", contract.id, kind, window.iso(),
                    isinstance(exc, TransientError), exc)
            break
        rows += _store_result(store, contract, result)
        outages += len(result.outages) + len(result.maintenances)
        requests += result.stats.requests
        problems.extend(result.problems)
        collector.commit(result)
        store.set_watermark(key, window.end)
        done.append(window)
        watermark = window.end
        log.info("event=window_stored contract=%s source=%s window=%s rows=%d outages=%d "
                 "requests=%d", contract.id, kind, window.iso(), len(result.intervals),
                 len(result.outages) + len(result.maintenances), result.stats.requests)
        if not store.try_lease(lease, owner, policy.lease_ttl, wall()):
            log.warning("event=lease_lost contract=%s source=%s", contract.id, kind)
            break
    store.record_run(key, started, wall(), rows, error)
    return CollectOutcome(contract.id, kind, tuple(done), rows, outages, requests,
                          error=error, down=down, refused=refused, watermark=watermark,
                          problems=tuple(problems))


def _store_result(store: Store, contract: Contract, result: CollectResult) -> int:
    if not result.intervals.empty:
        store.ingest_intervals(contract, result.intervals, source=result.source)
    seen = result.outages + result.maintenances
    if seen:
        store.ingest_outages(contract.id, seen)
    if result.observations:
        from monitor.storage.observations import save_all

        for name in sorted({n for n, _, _ in result.observations}):
            save_all(store, contract.id, name,
                     [(c, d) for n, c, d in result.observations if n == name])
    return len(result.intervals)


@dataclass(frozen=True)
class EvaluationOutcome:
    """The evaluations saved (oldest first) and their credits, for exporter and alerts."""

    contract_id: str
    evaluations: tuple[Evaluation, ...]
    credits: tuple[PeriodCredits, ...]

    @property
    def current(self) -> Evaluation | None:
        """The newest period evaluated (None before the contract's first instant)."""
        return self.evaluations[-1] if self.evaluations else None


def finalize_due(store: Store, contract: Contract, now: datetime) -> list[str]:
    """Close every provisional period whose claim deadline has passed (`claims:`), then
    draft the claims of final periods that owe a credit (`monitor.service.claims`); returns
    the labels closed. A person may close one earlier with `slamon close`."""
    from monitor.service.claims import draft_claims

    closed: list[str] = []
    seen: set[str] = set()
    for row in store.results_history(contract.id):
        if row.period_status != "provisional" or row.period in seen:
            continue
        seen.add(row.period)
        state = period_state(row.period_end, now, contract.claim_deadline_days)
        if state is PeriodState.FINAL and store.close_period(
                contract.id, row.period, by="claim deadline", at=now):
            closed.append(row.period)
    draft_claims(store, contract, now)
    return closed


def evaluate_once(store: Store, contract: Contract, now: datetime,
                  at: datetime | None = None) -> EvaluationOutcome:
    """Evaluate the current month (and the previous one until it is final) from the
    database as of `now`, assess credits over them after the stored history of up to 12
    earlier months (earn-back, rolling defaults) and save; `at` stamps the save. Periods
    past their claim deadline are then made final."""
    current = period_containing(contract, PeriodKind.MONTH, now)
    try:
        previous: Period | None = period_containing(
            contract, PeriodKind.MONTH, current.full_start - timedelta(microseconds=1))
    except InputError:  # before the contract's term
        previous = None
    if previous is not None and store.period_status(contract.id, previous.label) == "final":
        previous = None
    # A period none of which has elapsed (midnight on the 1st) has nothing to evaluate.
    periods = [p for p in (previous, current) if p is not None and p.start < now]
    availability = bool(contract.sources.status_page)
    evaluations = []
    for period in periods:
        # A quarterly SLA inside a month needs the whole quarter's intervals.
        start, end = span_for(contract, period)
        measurements = Measurements(intervals=store.load_intervals(contract.id, start, end),
                                    outages=store.load_outages(contract.id, start, end),
                                    observations=_observations(store, contract, start, end))
        evaluation = evaluate(contract, measurements, period, now,
                              availability_data=availability, keep_intervals=False)
        # The queue and site spreads travel in the stored details to /metrics.
        evaluations.append(with_consistency(evaluation, consistency_of(
            contract, evaluation, measurements.intervals)))
    earlier = stored_evaluations(store, contract, periods[0]) if periods else []
    credits = (assess_credits(contract, [*earlier, *evaluations])[len(earlier):]
               if evaluations else [])
    for evaluation, credit in zip(evaluations, credits, strict=True):
        store.save_evaluation(evaluation, credit, at=at or now)
    finalize_due(store, contract, now)
    return EvaluationOutcome(contract.id, tuple(evaluations), tuple(credits))


def _observations(store: Store, contract: Contract, start: datetime, end: datetime
                  ) -> tuple[ObservedSpan, ...]:
    """Independently observed spans, for contracts with `sources.independent` checks."""
    if not contract.independent:
        return ()
    from monitor.storage.observations import load_all

    return load_all(store, contract.id, start, end)
