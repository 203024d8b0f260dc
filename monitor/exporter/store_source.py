"""`StoreSource`: the exporter's snapshot from the storage `Store` (read at scrape time).

Reads `latest_results()` (one stored figure per contract, period kind and SLA), the vendor
pollers' runs (`runs()`, keys `<contract>:<kind>`) and their watermarks, and hands them to
`snapshot_from_evaluations`. Poller error and duration counters accumulate in this object
over the run ids it has seen, so they only grow (a restart resets them, as counters do).

What storage lacks comes from `live` when the exporter runs inside `slamon run` (the
`Service`, a `LiveState`): chronic failures raised by the newest credits it assessed (storage
keeps credit lines, not chronic state), and the sources it could not even build (a bad
credential setting: they never ran, so no run row says they are down). Without `live`
(`slamon serve-metrics`), chronic failures come from the credit engine run over the stored
history. Overdue performance-issue cases come from
the case tables; open claims and the claims ledger from the claims tables.

What is read from storage (and the credit engine's chronic assessment over it) is kept until
the store's change stamp moves (`Store.change_stamp`, bumped in the same transaction as every
write of results, runs, watermarks and cases): a scrape with nothing changed does no engine
work and reads one row. Only what depends on the clock (elapsed share, projections, open
calendars, overdue deadlines) is recomputed per snapshot. A store without a stamp (test
doubles) is read at every snapshot. Undelivered notices and claims are plain reads (no
engine work) made for every snapshot.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from monitor.domain.contract import Contract
from monitor.domain.credits import assess_credits
from monitor.domain.periods import period_for
from monitor.domain.results import CreditLine, Evaluation, PeriodCredits
from monitor.exporter.from_results import snapshot_from_evaluations
from monitor.exporter.snapshot import (
    ClaimSnapshot,
    CollectorSnapshot,
    LedgerSnapshot,
    MetricsSnapshot,
    NotificationSnapshot,
)
from monitor.storage.history import result_from_stored, stored_evaluations
from monitor.storage.results import StoredResult
from monitor.storage.state import CollectorRun

if TYPE_CHECKING:
    from monitor.cases.model import Case

RUNS_READ = 500


class ResultStore(Protocol):
    def latest_results(self, contract_id: str | None = None) -> list[StoredResult]: ...

    def runs(self, key: str | None = None, limit: int = 50) -> list[CollectorRun]: ...

    def get_watermark(self, key: str) -> datetime | None: ...


class LiveState(Protocol):
    """What a running service knows that storage does not (see the module docstring)."""

    def latest_credits(self) -> Mapping[str, Sequence[PeriodCredits]]: ...

    def unbuilt_sources(self) -> Iterable[CollectorSnapshot]: ...

    def paused_sources(self) -> set[tuple[str, str]]: ...


@dataclass(frozen=True)
class _Stored:
    """Everything a snapshot takes from storage, as read under one change stamp."""

    stamp: int | None
    evaluations: list[Evaluation]
    credits: dict[str, list[PeriodCredits]]
    chronic: dict[str, Sequence[PeriodCredits]]  # from stored history (no `live`)
    collectors: list[CollectorSnapshot]
    fresh: dict[str, datetime]
    cases: list[Case] | None  # open cases; None: the store keeps none


@dataclass
class _Health:
    seen: set[int] = field(default_factory=set)
    errors: int = 0
    runs: int = 0
    seconds: float = 0.0


def _open_cases(store: ResultStore) -> list[Case] | None:
    """Open performance-issue cases (`monitor.cases`); only a real `Store` keeps cases."""
    from monitor.storage import Store

    if not isinstance(store, Store):
        return None
    from monitor.cases.model import CaseState
    from monitor.storage.cases_repository import StoreCaseRepository

    open_states = [s for s in CaseState if s is not CaseState.RESOLVED]
    return StoreCaseRepository(store).list(states=open_states)


def _claims(store: ResultStore, known: Mapping[str, Contract], now: datetime
            ) -> tuple[tuple[ClaimSnapshot, ...], tuple[LedgerSnapshot, ...]]:
    """Open claims and the ledger of each known contract (`monitor.domain.claims`);
    a draft's window closes at the end of its deadline day in the contract's zone."""
    from monitor.storage import Store

    if not isinstance(store, Store):
        return (), ()
    from monitor.domain.claims import Claim, ClaimState, ledgers, window_end
    from monitor.storage.claims_repository import ClaimRepository

    repo = ClaimRepository(store)
    claims = repo.list(events=False)
    open_ = []
    for c in claims:
        contract = known.get(c.contract_id)
        if contract is None or not c.is_open:
            continue
        today = now.astimezone(contract.tz).date()
        end = (datetime.combine(c.deadline + timedelta(days=1), time(), contract.tz)
               if c.state is ClaimState.DRAFT else None)
        open_.append(ClaimSnapshot(c.vendor, c.contract_id, c.period_label, c.state.value,
                                   end, c.is_overdue(today)))
    for u in repo.unclaimed():
        contract = known.get(u.contract_id)
        if contract is not None:
            last = window_end(u.period_end, contract.tz, contract.claim_deadline_days)
            open_.append(ClaimSnapshot(
                contract.vendor, contract.id, u.period, "provisional",
                datetime.combine(last + timedelta(days=1), time(), contract.tz),
                drafted=False))
    by_contract: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        if c.contract_id in known:
            by_contract[c.contract_id].append(c)
    rows = tuple(LedgerSnapshot(r.vendor, cid, str(r.year), r.currency, r.owed, r.claimed,
                                r.accepted, r.credited, r.written_off, r.outstanding)
                 for cid, mine in sorted(by_contract.items())
                 for r in ledgers(mine, now.date()))
    return tuple(open_), rows


class StoreSource:
    def __init__(self, store: ResultStore, contracts: Sequence[Contract],
                 live: LiveState | None = None) -> None:
        self.store = store
        self.contracts = list(contracts)
        self.live = live
        self._health: dict[str, _Health] = defaultdict(_Health)
        self._lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._stored: _Stored | None = None
        self.reads = 0  # how many times storage was read (and the engine run) for snapshots

    def _stamp(self) -> int | None:
        stamp = getattr(self.store, "change_stamp", None)
        return None if stamp is None else int(stamp())

    def snapshot(self, now: datetime) -> MetricsSnapshot:
        known = {c.id: c for c in self.contracts}
        with self._read_lock:  # one reader at a time; the others take what it read
            stamp = self._stamp()  # before the data: a write in between is read next time
            if self._stored is None or stamp is None or stamp != self._stored.stamp:
                self._stored = self._read(stamp, known)
            stored = self._stored
        credits: defaultdict[str, list[PeriodCredits]] = defaultdict(
            list, {cid: list(history) for cid, history in stored.credits.items()})
        collectors = list(stored.collectors)
        if self.live is not None:
            _merge_chronic(credits, self.live.latest_credits())
            paused = self.live.paused_sources()
            collectors = [replace(c, paused=(c.contract, c.source) in paused)
                          for c in collectors]
            held = {(c.contract, c.source) for c in collectors}
            collectors += [c for c in self.live.unbuilt_sources()
                           if (c.contract, c.source) not in held and c.contract in known]
        else:
            _merge_chronic(credits, stored.chronic)
        overdue: dict[str, int] = {}
        if stored.cases is not None:
            from monitor.cases.views import overdue_counts

            overdue = overdue_counts(stored.cases, known, now)
        snap = snapshot_from_evaluations(self.contracts, stored.evaluations, credits, now,
                                         collectors=collectors, last_measurements=stored.fresh,
                                         cases_overdue=overdue,
                                         notifications=_undelivered(self.store, known))
        claims, ledgers = _claims(self.store, known, now)
        return replace(snap, claims=claims, ledgers=ledgers)

    def _read(self, stamp: int | None, known: dict[str, Contract]) -> _Stored:
        self.reads += 1
        grouped: dict[tuple[str, str], list[StoredResult]] = defaultdict(list)
        for row in self.store.latest_results():
            if row.contract_id in known:
                grouped[(row.contract_id, row.period)].append(row)
        evaluations = []
        credits: dict[str, list[PeriodCredits]] = defaultdict(list)
        for (contract_id, label), rows in sorted(grouped.items()):
            contract = known[contract_id]
            evaluations.append(Evaluation(
                contract_id, period_for(contract, label), max(r.as_of for r in rows),
                rows[0].period_status,
                tuple(result_from_stored(contract, r) for r in rows
                      if r.sla_id in {sla.id for sla in contract.slas})))
            lines = tuple(
                CreditLine(r.sla_id, label, r.currency or contract.currency, r.credit, r.credit,
                           "stored", "issued")
                for r in rows if r.credit is not None
            )
            if lines:
                credits[contract_id].append(PeriodCredits(
                    label, contract.currency, lines, sum((x.amount for x in lines), Decimal(0)),
                    None))
        collectors, fresh = self._collectors(known)
        chronic = self._stored_chronic() if self.live is None else {}
        return _Stored(stamp, evaluations, dict(credits), chronic, collectors, fresh,
                       _open_cases(self.store))

    def _stored_chronic(self) -> dict[str, Sequence[PeriodCredits]]:
        """Chronic failures from the stored history (`slamon serve-metrics` alone): the
        credit engine over up to 24 stored months per contract, a few hundred rows."""
        from monitor.storage import Store

        if not isinstance(self.store, Store):
            return {}
        out: dict[str, Sequence[PeriodCredits]] = {}
        for contract in self.contracts:
            history = stored_evaluations(self.store, contract, count=24)
            if history:
                out[contract.id] = assess_credits(contract, history)
        return out

    def _collectors(self, known: dict[str, Contract]) -> tuple[
        list[CollectorSnapshot], dict[str, datetime]
    ]:
        by_key: dict[str, list[CollectorRun]] = defaultdict(list)
        for run in self.store.runs(limit=RUNS_READ):
            if ":" in run.key:
                by_key[run.key].append(run)
        out: list[CollectorSnapshot] = []
        fresh: dict[str, datetime] = {}
        with self._lock:
            for key, runs in sorted(by_key.items()):
                contract_id, kind = key.split(":", 1)
                contract = known.get(contract_id)
                if contract is None:
                    continue
                health = self._health[key]
                for run in runs:
                    if run.finished is not None and run.id not in health.seen:
                        health.seen.add(run.id)
                        health.runs += 1
                        health.errors += run.error is not None
                        health.seconds += (run.finished - run.started).total_seconds()
                newest = max(runs, key=lambda r: (r.started, r.id))
                ok = [r.finished for r in runs if r.ok and r.finished is not None]
                out.append(CollectorSnapshot(
                    contract.vendor, contract_id, kind, up=newest.error is None,
                    last_success=max(ok) if ok else None, errors_total=health.errors,
                    requests_total=health.runs, request_seconds_total=health.seconds))
                watermark = self.store.get_watermark(key)
                if watermark is not None:
                    fresh[contract_id] = max(watermark, fresh.get(contract_id, watermark))
        return out, fresh


def _undelivered(store: ResultStore, known: Mapping[str, Contract]
                 ) -> list[NotificationSnapshot]:
    """Failed notices per contract and notifier kind (the `notifications` rows of
    `StoreSentLog`; the case sent-log's rows have no channel); every kind a contract can
    notify through shows, 0 when nothing waits, so an alert sees the series."""
    notifications = getattr(store, "notifications", None)
    if notifications is None:
        return []
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for contract in known.values():
        for kind in _channel_kinds(contract):
            counts[(contract.id, kind)] += 0
    for row in notifications():
        payload = row.payload
        if "channel" not in payload or payload.get("status") != "failed":
            continue
        kind = str(payload["channel"]).split(":", 1)[0]
        # A vendor statement covers the company's contracts: "a,b" counts for each.
        for contract_id in str(payload.get("contract", row.contract_id or "")).split(","):
            if contract_id in known:
                counts[(contract_id, kind)] += 1
    return [NotificationSnapshot(known[c].vendor, c, kind, n)
            for (c, kind), n in sorted(counts.items())]


def _channel_kinds(contract: Contract) -> set[str]:
    kinds = {spec.kind for spec in contract.notifications}
    issue = contract.performance_issue
    if issue is not None:
        contacts = [str(a) for a in issue.contacts.values()]
        kinds |= {"email" for a in contacts if "@" in a and "://" not in a}
        kinds |= {"webhook" for a in contacts if a.startswith(("http://", "https://"))}
    return kinds


def _merge_chronic(credits: dict[str, list[PeriodCredits]],
                   live: Mapping[str, Sequence[PeriodCredits]]) -> None:
    """Put the chronic failures of the service's newest assessment on the stored newest
    period's credits (same label only: a stale assessment never raises one)."""
    for contract_id, history in live.items():
        if not history or not history[-1].chronic:
            continue
        newest = history[-1]
        stored = credits[contract_id]
        if stored and stored[-1].period == newest.period:
            stored[-1] = replace(stored[-1], chronic=newest.chronic)
        elif not stored:
            stored.append(replace(newest, lines=(), total=Decimal(0)))
