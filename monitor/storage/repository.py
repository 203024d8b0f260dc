"""`Store`: the one door to slamon's database. It takes and gives domain objects and
DataFrames, never ORM rows.

    store = Store.open(url)                     # refuses a database below head revision
    store = Store.open(url, check_revision=False); store.upgrade()   # what `slamon db upgrade` does

Contracts
    save_contract(contract, at=None) -> bool          True when new or changed (file hash or
                                                      calendars/exclusions); a calendar change
                                                      rebuilds the contract's rollups
Intervals (DataFrames in the interchange schema, see monitor/domain/measurements.py)
    ingest_intervals(contract, frame, *, source=None, at=None, batch_size=200_000,
                     atomic=True, progress=None) -> IngestSummary(new, updated, unchanged,
                     corrections)   upsert on (contract, queue, channel, interval_start);
                     atomic=True: the whole frame or nothing; False: each batch commits alone
    load_intervals(contract_id, start, end) -> DataFrame     intervals starting in [start, end)
    corrections(contract_id) -> list[Correction]
    rollup_sums(contract_id, first_day, last_day, *, calendar_id, in_hours=True,
                exclude=frozenset(), columns=None) -> DataFrame per queue/channel
    sla_sums(contract, sla, period, columns) -> DataFrame per queue/channel (the SLA's
                     calendar, the exclusions that apply to it, its channel and queues)
    rebuild_rollups(contract)
Outages
    ingest_outages(contract_id, outages, at=None) -> IngestSummary
    load_outages(contract_id, start, end) -> tuple[Outage, ...]
    record_incident_update(IncidentUpdate) -> bool; incident_updates(contract_id, ref)
Results
    save_evaluation(evaluation, credits=None, *, reason=None, at) -> SaveOutcome
    period_status(contract_id, label) -> "open" | "provisional" | "final" | None
    close_period(contract_id, label, by, at) -> bool
    latest_results(contract_id=None) / results_history(contract_id) -> list[StoredResult]
    restatements(contract_id, label=None) -> list[Restatement]
Collector state and notifications
    change_stamp() -> int   grows with every committed change the exporter shows
    get_watermark(key); set_watermark(key, ts, force=False) -> bool
    try_lease(key, owner, ttl, now) -> bool; release_lease(key, owner) -> bool
    record_run(key, started, finished, rows, error=None) -> int; runs(key=None, limit=50)
    record_notification(dedup_key, kind, payload, at, contract_id=None) -> bool
    notifications(contract_id=None) -> list[StoredNotification]; notification(key)
    update_notification(dedup_key, payload, at, *, expect_at=None) -> bool (compare-and-set)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from monitor.domain.contract import Contract, Sla
from monitor.domain.measurements import Outage
from monitor.domain.results import CreditLine, Evaluation, Period, PeriodCredits
from monitor.errors import StorageError
from monitor.storage import bulk, merge, stamps
from monitor.storage import intervals as iv
from monitor.storage import outages as out
from monitor.storage import results as res
from monitor.storage import rollups as ru
from monitor.storage import state as st
from monitor.storage.engine import make_engine, missing_sqlite_file
from monitor.storage.migrate import check, upgrade
from monitor.storage.models import ContractRow, IntervalCorrectionRow

ANALYZE_AFTER = 50_000  # rows written by one ingest that make fresh statistics worth it


@dataclass(frozen=True)
class IngestSummary:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    corrections: tuple[iv.Correction, ...] = ()

    def __add__(self, other: IngestSummary) -> IngestSummary:
        return IngestSummary(self.new + other.new, self.updated + other.updated,
                             self.unchanged + other.unchanged,
                             self.corrections + other.corrections)


def _canonical(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted(_canonical(v) for v in value)
    if isinstance(value, time | date | datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def calendar_hash(contract: Contract) -> str:
    """What the rollups depend on: zone, calendars used, exclusions."""
    used = {cid: asdict(contract.calendar(cid)) for cid in ru.calendars_of(contract)}
    body = {"tz": str(contract.tz), "calendars": used,
            "exclusions": [asdict(e) for e in contract.exclusions]}
    return hashlib.sha256(json.dumps(_canonical(body)).encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, check_revision: bool = True) -> Store:
        if check_revision and (missing := missing_sqlite_file(url)) is not None:
            # connecting would leave an empty file wherever a mistyped --db points
            raise StorageError(f"database {url} has no slamon tables yet (no file {missing}); "
                               "run `slamon db upgrade` first")
        store = cls(make_engine(url))
        if check_revision:
            check(store.engine)
        return store

    def upgrade(self) -> None:
        upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on any error."""
        with Session(self.engine) as s, s.begin():
            yield s

    # --- contracts -------------------------------------------------------------------------
    def save_contract(self, contract: Contract, at: datetime | None = None) -> bool:
        with self.session() as s:
            return self._sync_contract(s, contract, at or _now())

    def _sync_contract(self, s: Session, contract: Contract, at: datetime, *,
                       lock: bool = True) -> bool:
        # under the contract's lock: two first imports of a new contract cannot both insert
        if lock:
            iv.lock_contract(s.connection(), contract.id)
        row = s.get(ContractRow, contract.id)
        chash = calendar_hash(contract)
        fields = {"name": contract.name, "vendor": contract.vendor,
                  "timezone": str(contract.tz), "source_file": contract.source_file,
                  "source_hash": contract.source_hash, "calendar_hash": chash}
        if row is None:
            s.add(ContractRow(id=contract.id, updated_at=at, **fields))
            s.flush()
            return True
        before = {k: getattr(row, k) for k in fields}
        if before == fields:
            return False
        for key, value in fields.items():
            setattr(row, key, value)
        row.updated_at = at
        s.flush()
        if before["calendar_hash"] != chash:
            ru.rebuild(s.connection(), contract)
        return True

    # --- intervals -------------------------------------------------------------------------
    def ingest_intervals(self, contract: Contract, frame: pd.DataFrame, *,
                         source: str | None = None, at: datetime | None = None,
                         batch_size: int = 200_000, atomic: bool = True,
                         progress: Callable[[int], None] | None = None) -> IngestSummary:
        at = at or _now()
        data = iv.normalise(frame, what=source or "intervals")
        total = IngestSummary()
        if data.empty:
            return total
        chunks = [data.iloc[i:i + batch_size] for i in range(0, len(data), batch_size)]
        with self.session() as s:  # the registry of column names: harmless if we fail later
            iv.lock_contract(s.connection(), contract.id)
            iv.register_columns(s.connection(), contract.id,
                                [c for c in iv.value_columns(data) if c not in iv.CORE])
        if atomic:
            with self.session() as s:
                self._sync_contract(s, contract, at)
                pending = ru.Pending()
                for chunk in chunks:
                    total += self._batch(s, contract, chunk, source, at, pending)
                    if progress:
                        progress(len(chunk))
                pending.apply(s.connection())
        else:
            for chunk in chunks:
                with self.session() as s:
                    self._sync_contract(s, contract, at)
                    pending = ru.Pending()
                    total += self._batch(s, contract, chunk, source, at, pending)
                    pending.apply(s.connection())
                if progress:
                    progress(len(chunk))
        if total.new + total.updated >= ANALYZE_AFTER:
            self._analyze()
        return total

    def _analyze(self) -> None:
        """Fresh planner statistics after a bulk load that at least doubled a table since
        its statistics were taken, so the first reads after it do not plan for a table a
        fraction of its size, or an empty one (PostgreSQL; SQLite plans without them). A
        table never analyzed (`reltuples` -1) is left to autovacuum: the planner sizes it
        from its pages meanwhile. Only the columns reads filter and join on: the counts
        and the thresholds' JSON are never in a WHERE, and their statistics took a third
        of the time."""
        if self.engine.dialect.name != "postgresql":
            return
        with self.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            stale = {str(name) for name, tuples, then, now in conn.exec_driver_sql(
                "SELECT relname, reltuples, relpages, pg_relation_size(oid) / "
                "current_setting('block_size')::int FROM pg_class WHERE oid IN "
                "(to_regclass('intervals'), to_regclass('rollups'))")
                if tuples >= 0 and now >= 2 * max(then, 1)}
            if "intervals" in stale:
                conn.exec_driver_sql("ANALYZE intervals (contract_id, interval_start, queue, "
                                     "channel)")
            if "rollups" in stale:
                conn.exec_driver_sql("ANALYZE rollups (contract_id, grain, day, calendar_id, "
                                     "queue, channel, in_hours, excluded_by)")

    def _batch(self, s: Session, contract: Contract, chunk: pd.DataFrame, source: str | None,
               at: datetime, pending: ru.Pending) -> IngestSummary:
        """One batch; its rollup deltas are left in `pending`, which the caller writes in
        the same transaction (once per batch, or once for all of them)."""
        conn = s.connection()
        slots = iv.threshold_slots(conn, contract.id)
        if bulk.is_postgres(conn):  # COPY to a staging table, one merge in the server
            iv.lock_contract(conn, contract.id)
            outcome = merge.merge_batch(conn, contract, chunk, source=source, at=at,
                                        slots=slots, pending=pending)
        else:
            outcome = iv.ingest_batch(conn, contract.id, chunk, source=source, at=at)
            pending.add(ru.group_frame(contract, outcome.deltas, slots))
        return IngestSummary(outcome.new, outcome.updated, outcome.unchanged,
                             outcome.corrections)

    def load_intervals(self, contract_id: str, start: datetime, end: datetime) -> pd.DataFrame:
        with self.session() as s:
            conn = s.connection()
            known = iv.known_columns(conn, contract_id)
            columns = iv.CORE + [c for c in iv.OPTIONAL if c in known] + iv.thresholds_of(known)
            stored = iv.read_stored(conn, contract_id, int(start.timestamp()),
                                    int(end.timestamp()), columns)
        return iv.to_interchange(stored, columns)

    def corrections(self, contract_id: str) -> list[iv.Correction]:
        with self.session() as s:
            rows = s.execute(select(IntervalCorrectionRow)
                             .where(IntervalCorrectionRow.contract_id == contract_id)
                             .order_by(IntervalCorrectionRow.id)).scalars()
            return [iv.Correction(r.contract_id, r.queue, r.channel,
                                  datetime.fromtimestamp(r.interval_start, UTC),
                                  r.corrected_at, r.source, r.old, r.new) for r in rows]

    def rollup_sums(self, contract_id: str, first_day: date, last_day: date, *,
                    calendar_id: str, in_hours: bool | None = True,
                    exclude: frozenset[str] = frozenset(),
                    columns: list[str] | None = None) -> pd.DataFrame:
        with self.session() as s:
            return ru.sums(s.connection(), contract_id, first_day, last_day,
                           calendar_id=calendar_id, in_hours=in_hours, exclude=exclude,
                           columns=columns)

    def sla_sums(self, contract: Contract, sla: Sla, period: Period,
                 columns: list[str]) -> pd.DataFrame:
        """Sums of `columns` for one SLA over a whole-day period, from the rollups."""
        exclude = frozenset(e.id for e in contract.exclusions if e.applies(sla.id, sla.metric))
        last = (period.end - timedelta(microseconds=1)).astimezone(contract.tz).date()
        frame = self.rollup_sums(contract.id, period.start.astimezone(contract.tz).date(), last,
                                 calendar_id=sla.calendar, exclude=exclude, columns=columns)
        if sla.channel is not None:
            frame = frame[frame["channel"] == sla.channel]
        if sla.queues:
            frame = frame[frame["queue"].isin(sla.queues)]
        return frame.reset_index(drop=True)

    def rebuild_rollups(self, contract: Contract) -> None:
        with self.session() as s:
            self._sync_contract(s, contract, _now())
            ru.rebuild(s.connection(), contract)

    # --- outages ---------------------------------------------------------------------------
    def ingest_outages(self, contract_id: str, outages: Iterable[Outage],
                       at: datetime | None = None) -> IngestSummary:
        with self.session() as s:
            new, updated, unchanged = out.ingest(s, contract_id, outages, at or _now())
        return IngestSummary(new, updated, unchanged)

    def load_outages(self, contract_id: str, start: datetime, end: datetime
                     ) -> tuple[Outage, ...]:
        with self.session() as s:
            return out.load(s, contract_id, start, end)

    def record_incident_update(self, update: out.IncidentUpdate) -> bool:
        with self.session() as s:
            return out.record_update(s, update)

    def incident_updates(self, contract_id: str, ref: str) -> list[out.IncidentUpdate]:
        with self.session() as s:
            return out.updates(s, contract_id, ref)

    # --- results ---------------------------------------------------------------------------
    def save_evaluation(self, evaluation: Evaluation, credits: PeriodCredits | None = None, *,
                        reason: str | None = None, at: datetime) -> res.SaveOutcome:
        with self.session() as s:
            stamps.bump(s, stamps.RESULTS, at)
            return res.save(s, evaluation, credits, reason, at)

    def period_status(self, contract_id: str, label: str) -> str | None:
        with self.session() as s:
            return res.status(s, contract_id, label)

    def close_period(self, contract_id: str, label: str, by: str, at: datetime) -> bool:
        with self.session() as s:
            closed = res.close(s, contract_id, label, by, at)
            if closed:
                stamps.bump(s, stamps.RESULTS, at)
            return closed

    def latest_results(self, contract_id: str | None = None) -> list[res.StoredResult]:
        with self.session() as s:
            return res.snapshots(s, contract_id, latest_only=True)

    def results_history(self, contract_id: str) -> list[res.StoredResult]:
        with self.session() as s:
            return res.snapshots(s, contract_id, latest_only=False)

    def restatements(self, contract_id: str, label: str | None = None) -> list[res.Restatement]:
        with self.session() as s:
            return res.restatements(s, contract_id, label)

    def credit_lines(self, contract_id: str, label: str) -> list[CreditLine]:
        """Every stored credit line of one period, settlements of earlier periods included."""
        with self.session() as s:
            return res.credit_lines(s, contract_id, label)

    # --- collector state and notifications -------------------------------------------------
    def get_watermark(self, key: str) -> datetime | None:
        with self.session() as s:
            return st.get_watermark(s, key)

    def set_watermark(self, key: str, ts: datetime, *, force: bool = False) -> bool:
        with self.session() as s:
            moved = st.set_watermark(s, key, ts, force=force)
            if moved:
                stamps.bump(s, stamps.WATERMARKS, _now())
            return moved

    def try_lease(self, key: str, owner: str, ttl: timedelta, now: datetime) -> bool:
        with self.session() as s:
            return st.try_lease(s, key, owner, ttl, now)

    def release_lease(self, key: str, owner: str) -> bool:
        with self.session() as s:
            return st.release_lease(s, key, owner)

    def record_run(self, key: str, started: datetime, finished: datetime | None, rows: int,
                   error: str | None = None) -> int:
        with self.session() as s:
            stamps.bump(s, stamps.RUNS, finished or started)
            return st.record_run(s, key, started, finished, rows, error)

    def runs(self, key: str | None = None, limit: int = 50) -> list[st.CollectorRun]:
        with self.session() as s:
            return st.runs(s, key, limit)

    def record_notification(self, dedup_key: str, kind: str, payload: Mapping[str, Any],
                            at: datetime, contract_id: str | None = None) -> bool:
        with self.session() as s:
            return st.record_notification(s, dedup_key, kind, contract_id, payload, at)

    def notifications(self, contract_id: str | None = None) -> list[st.StoredNotification]:
        """Every notification row (oldest first), or one contract's."""
        with self.session() as s:
            return st.notifications(s, contract_id, None)

    def notification(self, dedup_key: str) -> st.StoredNotification | None:
        with self.session() as s:
            rows = st.notifications(s, None, dedup_key)
        return rows[0] if rows else None

    def update_notification(self, dedup_key: str, payload: Mapping[str, Any], at: datetime,
                            *, expect_at: datetime | None = None) -> bool:
        """Replace a notification row's payload and time; with `expect_at`, only if its time
        is still that (compare-and-set). True when the row was updated."""
        with self.session() as s:
            return st.update_notification(s, dedup_key, payload, at, expect_at)

    def change_stamp(self) -> int:
        """Grows with every committed change of results, runs, watermarks or cases
        (`monitor.storage.stamps`)."""
        with self.session() as s:
            return stamps.total(s)

    def ping(self) -> None:
        with self.session() as s:
            s.execute(text("SELECT 1"))
