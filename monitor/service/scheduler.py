"""The service: APScheduler jobs around the pipeline, health for the exporter, shutdown.

One job per (contract, source), id `collect:<contract>:<kind>`, on an interval (the
contract's `sources.poll_interval` unless overridden) with `coalesce=True` (missed runs
collapse into one), `max_instances=1` (a slow vendor never overlaps itself) and a
`misfire_grace_time` of one interval. After a collection that stored new windows the
contract is evaluated in the same job (one evaluation at a time per contract).

Shutdown (`shutdown()`, wired to SIGTERM/SIGINT by `slamon run`): stop starting jobs, tell
running ones to stop after the window in hand (stored, committed, watermark moved), wait
for them, return. Nothing lives only in memory: watermarks and leases are in the database,
so a killed process loses nothing and several processes share the work.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from monitor.alerting.notifiers import RetryPolicy, SentLog, notify_evaluation
from monitor.collectors.base import Collector
from monitor.collectors.http import HttpClient
from monitor.collectors.registry import build_collectors
from monitor.domain.contract import Contract
from monitor.domain.outlook import MISSES, outlook_of
from monitor.domain.results import PeriodCredits
from monitor.errors import SlamonError
from monitor.exporter.from_results import snapshot_from_evaluations
from monitor.exporter.snapshot import CollectorSnapshot, MetricsSnapshot
from monitor.service.pipeline import (
    CollectOutcome,
    CollectPolicy,
    EvaluationOutcome,
    Wall,
    collect_once,
    evaluate_once,
    real_now,
    source_key,
)
from monitor.service.runtime import Clock, owner_id, real_clock
from monitor.storage import Store

log = logging.getLogger("slamon.service")


Hook = Callable[[Contract, EvaluationOutcome], None]


def chain(*hooks: Hook) -> Hook:
    """Run several `on_evaluated` hooks in order; one that fails is logged and the others
    still run (a broken webhook must not stop the case process, nor the reverse)."""

    def after(contract: Contract, outcome: EvaluationOutcome) -> None:
        for hook in hooks:
            try:
                hook(contract, outcome)
            except Exception:
                log.exception("event=hook_failed contract=%s hook=%s", contract.id,
                              getattr(hook, "__qualname__", type(hook).__name__))

    return after


def notifier(sent: SentLog, environ: Mapping[str, str],
             policy: RetryPolicy | None = None
             ) -> Callable[[Contract, EvaluationOutcome], None]:
    """The `on_evaluated` hook of `slamon run`: every evaluation of the pass (the previous
    month while not final, then the current one) goes through `notify_evaluation`, which
    sends each new breach and recovery once per channel (`sent`, a `StoreSentLog`, decides
    across restarts and processes; a failed send is claimed again with backoff, and a
    notifier whose variable is unset records its notices as failed with that reason). A
    contract whose notifier kind is unknown is logged and skipped, never fatal."""
    retry = policy or RetryPolicy(attempts=3, base_seconds=1.0, max_seconds=10.0)

    def after(contract: Contract, outcome: EvaluationOutcome) -> None:
        if not contract.notifications:
            return
        for evaluation in outcome.evaluations:
            try:
                outcomes = notify_evaluation(contract, evaluation, sent, environ,
                                             policy=retry)
            except SlamonError as exc:
                log.error("event=notify_unconfigured contract=%s error=%s", contract.id, exc)
                return
            for o in outcomes:
                # Failures are logged once per notice by `dispatch`, not on every pass.
                if o.status == "sent":
                    log.info("event=notified contract=%s period=%s channel=%s status=%s "
                             "attempts=%d", contract.id, evaluation.period.label,
                             o.channel, o.status, o.attempts)

    return after


@dataclass(frozen=True)
class Source:
    contract: Contract
    collector: Collector

    @property
    def job_id(self) -> str:
        return f"collect:{self.contract.id}:{self.collector.kind}"


@dataclass
class Health:
    """What this process saw of one source, for `slamon_collector_*` metrics, and the state
    of its recovery: consecutive failed passes, when the next attempt is due, consecutive
    credential refusals, and whether it is paused as misconfigured."""

    up: bool = True
    last_success: datetime | None = None
    errors: int = 0
    requests: int = 0
    failures: int = 0
    retry_at: datetime | None = None
    refusals: int = 0
    paused: bool = False


@dataclass
class Service:
    """The scheduler-free core (`run_once`, `collect_source`, `evaluate_contract`) plus
    `start`/`shutdown` for the scheduled mode. `clock` is the data clock (real or
    simulated); `wall` the real one, for leases and run records."""

    store: Store
    contracts: Sequence[Contract]
    clock: Clock = real_clock
    wall: Wall = real_now
    policy: CollectPolicy = field(default_factory=CollectPolicy)
    owner: str = field(default_factory=owner_id)
    http: Callable[[], HttpClient] = HttpClient
    interval: timedelta | None = None
    workers: int = 1
    # Called after every saved evaluation (notifications, the performance-issue workflow);
    # its exceptions are logged, never raised into the job.
    on_evaluated: Callable[[Contract, EvaluationOutcome], None] | None = None
    # Recovery (issue 17): after a failed pass a source waits backoff_base * 2**(n-1), at
    # most backoff_max, before the next attempt, so a storm costs the vendor a few requests
    # an hour instead of one pass per tick; the watermark stays where the last stored window
    # ended and the first good pass backfills the gap. Only a misconfiguration pauses a
    # source: a PermanentError other than a refusal, or `refusals_to_pause` credential
    # refusals in a row with no other outcome between them.
    backoff_base: timedelta = timedelta(seconds=30)
    backoff_max: timedelta = timedelta(minutes=15)
    refusals_to_pause: int = 5
    # The clock a backoff waits on (default `wall`). The demo passes its simulated clock:
    # a simulated day goes by in half a real second there, so a 30 s wait on the wall
    # clock skipped every later pass and lost the rest of the month.
    backoff_clock: Wall | None = None
    sources: list[Source] = field(init=False, default_factory=list)
    latest: dict[str, EvaluationOutcome] = field(init=False, default_factory=dict)
    health: dict[tuple[str, str], Health] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._stopping = threading.Event()
        self._locks = {c.id: threading.Lock() for c in self.contracts}
        self._health_lock = threading.Lock()
        self._scheduler: BackgroundScheduler | None = None
        for contract in self.contracts:
            try:
                collectors = build_collectors(contract, http=self.http(), clock=self.clock)
            except SlamonError as exc:
                log.error("event=source_unusable contract=%s error=%s", contract.id, exc)
                self.health[(contract.id, contract.platform)] = Health(up=False, errors=1)
                continue
            for collector in collectors:
                self.sources.append(Source(contract, collector))
                self.health[(contract.id, collector.kind)] = Health()

    # -- one pass --------------------------------------------------------------------------
    def collect_source(self, source: Source, evaluate: bool = True) -> CollectOutcome:
        """Collect one source; evaluate its contract when new windows were stored.

        An unexpected exception (a database outage, a bug) is logged with its traceback and
        returned as an error: it never stops the other sources or the scheduler."""
        key = (source.contract.id, source.collector.kind)
        with self._health_lock:
            health = self.health[key]
            waiting = health.paused or (health.retry_at is not None
                                        and self._backoff_now() < health.retry_at)
        if waiting:
            return CollectOutcome(*key, skipped="paused" if health.paused else "backoff")
        try:
            outcome = collect_once(self.store, source.contract, source.collector,
                                   self.clock(), self.owner, self.policy, self.wall,
                                   self._stopping.is_set)
        except Exception as exc:
            log.exception("event=collect_crashed contract=%s source=%s error=%s",
                          source.contract.id, source.collector.kind, type(exc).__name__)
            outcome = CollectOutcome(source.contract.id, source.collector.kind,
                                     error=type(exc).__name__)
        self._note(source, outcome)
        if evaluate and (outcome.windows or (outcome.ok and
                                             source.contract.id not in self.latest)):
            self.evaluate_contract(source.contract)
        if self._recover(source, outcome):
            log.error("event=source_down contract=%s source=%s action=paused error=%s",
                      source.contract.id, source.collector.kind, outcome.error)
            if self._scheduler is not None:
                self._scheduler.pause_job(source.job_id)
        return outcome

    def _recover(self, source: Source, outcome: CollectOutcome) -> bool:
        """Update the source's backoff and refusal count; True when it must be paused."""
        with self._health_lock:
            h = self.health[(source.contract.id, source.collector.kind)]
            if outcome.error is None:
                if outcome.skipped != "leased":
                    h.failures, h.retry_at, h.refusals = 0, None, 0
                return False
            h.failures += 1
            h.refusals = h.refusals + 1 if outcome.refused else 0
            delay = min(self.backoff_max, self.backoff_base * 2 ** min(h.failures - 1, 20))
            h.retry_at = self._backoff_now() + delay
            h.paused = outcome.down or h.refusals >= self.refusals_to_pause
            return h.paused

    def _backoff_now(self) -> datetime:
        return (self.backoff_clock or self.wall)()

    def paused_sources(self) -> set[tuple[str, str]]:
        """(contract, source kind) of every source paused as misconfigured."""
        with self._health_lock:
            return {key for key, h in self.health.items() if h.paused}

    def evaluate_contract(self, contract: Contract) -> EvaluationOutcome | None:
        with self._locks[contract.id]:
            try:
                outcome = evaluate_once(self.store, contract, self.clock(), at=self.wall())
            except SlamonError as exc:
                log.error("event=evaluation_failed contract=%s error=%s", contract.id, exc)
                return None
            except Exception as exc:
                log.exception("event=evaluation_crashed contract=%s error=%s", contract.id,
                              type(exc).__name__)
                return None
            self.latest[contract.id] = outcome
        if self.on_evaluated is not None:
            try:
                self.on_evaluated(contract, outcome)
            except Exception as exc:
                log.exception("event=after_evaluation_failed contract=%s error=%s",
                              contract.id, type(exc).__name__)
        current = outcome.current
        if current is None:
            log.info("event=evaluated contract=%s period=- slas=0", contract.id)
            return outcome
        # Ended breached or certain to be: an open month's repairable miss is not counted.
        breached = sum(1 for r in current.results if outlook_of(r).standing in MISSES)
        credit = outcome.credits[-1].total if outcome.credits else 0
        log.info("event=evaluated contract=%s period=%s status=%s slas=%d breached=%d "
                 "credit=%s", contract.id, current.period.label, current.status,
                 len(current.results), breached, credit)
        return outcome

    def run_once(self) -> list[CollectOutcome]:
        """Collect every source once, then evaluate every contract (for `--once`, cron)."""
        outcomes = []
        for source in self.sources:
            if self._stopping.is_set():
                break
            outcomes.append(self.collect_source(source, evaluate=False))
        for contract in self.contracts:
            if not self._stopping.is_set():
                self.evaluate_contract(contract)
        return outcomes

    def _note(self, source: Source, outcome: CollectOutcome) -> None:
        with self._health_lock:
            h = self.health[(source.contract.id, source.collector.kind)]
            h.requests += outcome.requests
            if outcome.error is not None:
                h.errors += 1
                h.up = False
            elif outcome.skipped != "leased":
                h.up, h.last_success = True, self.wall()
        for problem in dict.fromkeys(outcome.problems):  # e.g. a queue's SL threshold differs
            log.warning("event=collector_problem contract=%s source=%s problem=%s",
                        outcome.contract_id, outcome.kind, problem)
        level = logging.DEBUG if outcome.skipped else logging.INFO
        log.log(level, "event=collected contract=%s source=%s windows=%d rows=%d outages=%d "
                "requests=%d skipped=%s error=%s watermark=%s", outcome.contract_id,
                outcome.kind, len(outcome.windows), outcome.rows, outcome.outages,
                outcome.requests, outcome.skipped or "-", "yes" if outcome.error else "no",
                outcome.watermark.isoformat() if outcome.watermark else "-")

    # -- scheduled mode --------------------------------------------------------------------
    def start(self) -> None:
        scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max(1, self.workers))}, timezone="UTC")
        for source in self.sources:
            every = self.interval or source.contract.sources.poll_interval
            seconds = max(every.total_seconds(), 0.05)
            scheduler.add_job(self.collect_source, "interval", args=[source],
                              id=source.job_id, name=source.job_id, seconds=seconds,
                              coalesce=True, max_instances=1,
                              misfire_grace_time=max(1, int(seconds)),
                              next_run_time=self.wall())
        self._scheduler = scheduler
        scheduler.start()
        log.info("event=started owner=%s sources=%d contracts=%d", self.owner,
                 len(self.sources), len(self.contracts))

    def request_stop(self) -> None:
        """Ask running passes to stop after the window in hand (safe in a signal handler)."""
        self._stopping.set()

    def shutdown(self) -> None:
        """Finish the window in hand, commit, and return once every job has ended."""
        self._stopping.set()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None
        log.info("event=stopped owner=%s", self.owner)

    def paused(self, job_id: str) -> bool:
        """Whether the scheduled job `collect:<contract>:<kind>` is paused (source down)."""
        job = self._scheduler.get_job(job_id) if self._scheduler is not None else None
        return job is not None and job.next_run_time is None

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    # -- exporter --------------------------------------------------------------------------
    def latest_credits(self) -> dict[str, list[PeriodCredits]]:
        """Per contract, the credits of its newest evaluation pass (oldest period first):
        the exporter's `StoreSource` takes the chronic failures raised from here."""
        return {cid: list(o.credits) for cid, o in list(self.latest.items())}

    def unbuilt_sources(self) -> list[CollectorSnapshot]:
        """Sources this process could not build (no run row will ever say they are down)."""
        built = {(s.contract.id, s.collector.kind) for s in self.sources}
        vendors = {c.id: c.vendor for c in self.contracts}
        with self._health_lock:
            return [CollectorSnapshot(vendor=vendors.get(cid, ""), contract=cid, source=kind,
                                      up=h.up, errors_total=h.errors, paused=h.paused)
                    for (cid, kind), h in sorted(self.health.items())
                    if (cid, kind) not in built]

    def snapshot(self, now: datetime) -> MetricsSnapshot:
        """This process's own view (in-memory evaluations and source health). `slamon run`
        serves `StoreSource(store, contracts, live=service)` instead: every process of a
        shared database then shows the same stored figures, with run durations."""
        outcomes = list(self.latest.values())
        evaluations = [e for o in outcomes for e in o.evaluations]
        credits = {o.contract_id: list(o.credits) for o in outcomes}
        vendors = {c.id: c.vendor for c in self.contracts}
        with self._health_lock:
            collectors: Iterable[CollectorSnapshot] = [
                CollectorSnapshot(vendor=vendors.get(cid, ""), contract=cid, source=kind,
                                  up=h.up, last_success=h.last_success, errors_total=h.errors,
                                  requests_total=h.requests, paused=h.paused)
                for (cid, kind), h in sorted(self.health.items())]
        return snapshot_from_evaluations(self.contracts, evaluations, credits, now,
                                         collectors=collectors,
                                         last_measurements=self._last_measurements())

    def _last_measurements(self) -> dict[str, datetime]:
        """Per contract, the end of the newest interval data stored (its sources' latest
        watermark), read from the database at scrape time."""
        out: dict[str, datetime] = {}
        for source in self.sources:
            if source.collector.kind != "statuspage":  # status pages carry no intervals
                mark = self.store.get_watermark(
                    source_key(source.contract.id, source.collector.kind))
                if mark is not None:
                    out[source.contract.id] = max(mark, out.get(source.contract.id, mark))
        return out
