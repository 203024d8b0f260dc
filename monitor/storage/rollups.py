"""Per-day and per-month rollups of the additive interval counts: the fast path for "this
month so far".

One row per (contract, grain, local day, calendar, queue, channel, in_hours, excluded_by)
holding the sums of every additive count; grain "day" rows per local day, grain "month" rows
per local month (dated the 1st), so a whole-month period reads ~1 row per queue. Threshold
sums (`answered_within_<N>s`, any N) sit in typed slots t0..t7 assigned per contract on
first sight (`intervals.register_columns`); a 9th threshold column is kept raw only.
`in_hours` says whether the interval START lies in that calendar's open time and
`excluded_by` lists (sorted, comma-joined) the exclusions whose windows hold the interval
start; the same two readings as the engine (`monitor.domain.calendars`,
`monitor.domain.exclusions`), whose code does the work.

An ingest adds its signed deltas (new rows; new - old for corrections) in its own
transaction, so a committed ingest and its rollups are never apart, and no rollup row is
read back to be rewritten: one `INSERT ... ON CONFLICT DO UPDATE SET x = x + delta` at the
end of the transaction (`Pending`; per batch when each batch commits alone), or a plain COPY
where the contract has no rollup row yet on the days touched (`apply_frame`). When
a contract's zone, calendars or exclusions change, `rebuild` recomputes the contract's
rollups from the raw intervals, which stay the evidence. `tests/test_storage_rollups.py`
checks the two agree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from monitor.domain.calendars import open_spans
from monitor.domain.contract import Contract
from monitor.domain.exclusions import as_spans, expand
from monitor.errors import StorageError
from monitor.storage.bulk import (
    Rendered,
    is_postgres,
    literal,
    read_frame,
    records,
    render,
    write_rendered,
)
from monitor.storage.intervals import (
    CORE,
    KEY,
    OPTIONAL,
    THRESHOLD,
    known_columns,
    lock_contract,
    read_stored,
    threshold_slots,
    thresholds_of,
)

SLOT_COLUMNS = [f"t{i}" for i in range(8)]
ALWAYS = "24x7"
DIMS = ["grain", "day", "calendar_id", "queue", "channel", "in_hours", "excluded_by"]
SUMS = ["intervals", "minutes", *[c for c in CORE if c != "interval_minutes"], *OPTIONAL]
NS = 1_000_000_000


def calendars_of(contract: Contract) -> list[str]:
    """The calendars the rollups are split by: every SLA's. The built-in 24x7 is stored only
    when it is the sole one: otherwise its sums are any other calendar's open + closed rows
    (`sums` reads them so), which saves a third of the rollup rows."""
    used = {sla.calendar for sla in contract.slas} | {ALWAYS}
    if contract.calendar(ALWAYS).always_open and len(used) > 1:
        used.discard(ALWAYS)
    return sorted(used)


def classify(contract: Contract, ts: np.ndarray[Any, Any]) -> pd.DataFrame:
    """For interval starts (epoch seconds): local day (as datetime64[D]), open flag per
    calendar (`open:<id>`), and the exclusions holding the start (`excluded_by`)."""
    out = pd.DataFrame(index=range(len(ts)))
    if len(ts) == 0:
        return out
    instants = pd.DatetimeIndex(pd.to_datetime(ts, unit="s", utc=True))
    local = instants.tz_convert(contract.tz).tz_localize(None)
    out["day"] = local.to_numpy().astype("datetime64[D]")
    ns = ts.astype(np.int64) * NS
    lo = datetime.fromtimestamp(int(ts.min()), UTC) - timedelta(days=1)
    hi = datetime.fromtimestamp(int(ts.max()), UTC) + timedelta(days=1)
    for calendar_id in calendars_of(contract):
        spans = open_spans(contract.calendar(calendar_id), lo, hi, contract.tz)
        out[f"open:{calendar_id}"] = spans.contains(ns)
    excluded = np.full(len(ts), "", dtype=object)
    for exclusion in sorted(contract.exclusions, key=lambda e: e.id):
        inside = as_spans(expand(exclusion, contract, lo, hi)).contains(ns)
        if inside.any():
            excluded = np.where(inside & (excluded != ""), excluded + "," + exclusion.id,
                                np.where(inside, exclusion.id, excluded))
    out["excluded_by"] = excluded
    return out


def _expand_by_calendar(contract: Contract, deltas: pd.DataFrame) -> pd.DataFrame:
    """Group the deltas once by every flag at the same time (integer keys: fast), then
    fan the much smaller result out to one row set per calendar."""
    flags = classify(contract, deltas["ts"].to_numpy())
    measures = [c for c in deltas.columns if c not in KEY]
    calendars = calendars_of(contract)
    opens = [f"open:{c}" for c in calendars]
    keyed = deltas[["queue", "channel", *measures]].copy()
    keyed["day"] = flags["day"].to_numpy()
    keyed["excluded_by"] = flags["excluded_by"].to_numpy()
    for column in opens:
        keyed[column] = flags[column].to_numpy()
    first = keyed.groupby(["queue", "channel", "day", "excluded_by", *opens], as_index=False,
                          sort=False)[measures].sum()
    parts = []
    for calendar_id, column in zip(calendars, opens, strict=True):
        part = first[["queue", "channel", "day", "excluded_by", *measures]].copy()
        part["calendar_id"] = calendar_id
        part["in_hours"] = first[column].to_numpy()
        parts.append(part)
    long = pd.concat(parts, ignore_index=True)
    daily = long.groupby(DIMS[1:], as_index=False, sort=False)[measures].sum()
    monthly = daily.assign(day=daily["day"].to_numpy().astype("datetime64[M]")
                           .astype("datetime64[D]"))
    monthly = monthly.groupby(DIMS[1:], as_index=False, sort=False)[measures].sum()
    grouped = pd.concat([daily.assign(grain="day"), monthly.assign(grain="month")],
                        ignore_index=True)
    grouped["day"] = pd.to_datetime(grouped["day"]).dt.date
    return grouped[[*DIMS, *measures]]


def apply_deltas(conn: Connection, contract: Contract, deltas: pd.DataFrame) -> None:
    """Add signed deltas (KEY + measure columns) to the stored rollups."""
    apply_frame(conn, group_frame(contract, deltas, threshold_slots(conn, contract.id)))


class Pending:
    """The grouped deltas of every batch of one transaction, written once at its end
    (`Store.ingest_intervals(atomic=True)`, what `slamon import` and the collectors use):
    a key the batches share (every month row, the days at batch edges) is written once, and
    one write replaces one per batch (a million rows in 5 batches: 53,000 rollup writes
    become 40,000, and with `apply_frame`'s COPY 0.9 s becomes 0.4 s)."""

    def __init__(self) -> None:
        self.frames: list[pd.DataFrame] = []

    def add(self, frame: pd.DataFrame) -> None:
        if not frame.empty:
            self.frames.append(frame)

    def apply(self, conn: Connection) -> None:
        if not self.frames:
            return
        whole = pd.concat(self.frames, ignore_index=True)
        if len(self.frames) > 1:
            whole = whole.groupby(["contract_id", *DIMS], as_index=False, sort=False).sum()
        self.frames = []
        apply_frame(conn, whole)


def group_frame(contract: Contract, deltas: pd.DataFrame, slots: dict[str, int]
                ) -> pd.DataFrame:
    """The rollup rows (key and sums, in the table's columns) that `deltas` add to."""
    if deltas.empty:
        return pd.DataFrame()
    grouped = _expand_by_calendar(contract, deltas)
    core = grouped[DIMS].copy()
    core.insert(0, "contract_id", contract.id)
    for column in SUMS:
        core[column] = grouped[column].astype("int64") if column in grouped.columns else 0
    by_slot = {f"t{slot}": name for name, slot in slots.items()}
    for column in SLOT_COLUMNS:
        name = by_slot.get(column)
        core[column] = (grouped[name].astype("int64") if name in grouped.columns else 0)
    return core


def apply_frame(conn: Connection, frame: pd.DataFrame) -> None:
    """Add grouped deltas (`group_frame`'s rows) to the stored rollups. On PostgreSQL, when
    the contract has no rollup row yet on any day (or month) they touch, a first load of
    those days, they are COPYed in as they are: no key can conflict, and the upsert cost
    2.3x a plain insert. The caller holds the contract's lock (`lock_contract`), as every
    writer of its rollups does, so no row can appear between the check and the COPY."""
    if frame.empty:
        return
    postgres = is_postgres(conn)
    rendered = render(frame, postgres=postgres)
    if postgres:
        # one probe per grain, so each is a range scan of the key index
        probe = ("EXISTS (SELECT 1 FROM rollups WHERE contract_id = :c AND grain = '{}' "
                 "AND day >= :lo AND day <= :hi)")
        taken = conn.execute(text(f"SELECT {probe.format('day')} OR {probe.format('month')}"),
                             {"c": str(frame["contract_id"].iloc[0]),
                              "lo": frame["day"].min(), "hi": frame["day"].max()}).scalar()
        if not taken:
            write_rendered(conn, "rollups", rendered)
            return
    apply_grouped(conn, rendered)


def apply_grouped(conn: Connection, grouped: Rendered) -> None:
    """Add grouped deltas to the stored rollups: one INSERT that adds on conflict."""
    if grouped.rows == 0:
        return
    adds = SUMS + SLOT_COLUMNS
    keys = [c for c in grouped.columns if c not in adds]
    columns = ", ".join(grouped.columns)
    if is_postgres(conn):
        conn.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS _stage_rollups ON COMMIT DROP "
                             f"AS SELECT {columns} FROM rollups WITH NO DATA")
        conn.exec_driver_sql("DELETE FROM _stage_rollups")
        write_rendered(conn, "_stage_rollups", grouped)
        sets = ", ".join(f"{c} = rollups.{c} + EXCLUDED.{c}" for c in adds)
        conn.exec_driver_sql(
            f"INSERT INTO rollups ({columns}) SELECT {columns} FROM _stage_rollups "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}")
        return
    assert grouped.frame is not None
    sets = ", ".join(f"{c} = {c} + excluded.{c}" for c in adds)
    placeholders = ", ".join("?" for _ in grouped.columns)
    conn.exec_driver_sql(
        f"INSERT INTO rollups ({columns}) VALUES ({placeholders}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}", records(grouped.frame))


def rebuild(conn: Connection, contract: Contract, *, chunk_days: int = 31) -> None:
    """Recompute every rollup of `contract` from the raw intervals."""
    lock_contract(conn, contract.id)  # every writer of the rollups holds it (`apply_frame`)
    conn.execute(text("DELETE FROM rollups WHERE contract_id = :c"), {"c": contract.id})
    bounds = conn.execute(text("SELECT min(interval_start), max(interval_start) FROM intervals "
                               "WHERE contract_id = :c"), {"c": contract.id}).one()
    if bounds[0] is None:
        return
    known = known_columns(conn, contract.id)
    columns = CORE + [c for c in OPTIONAL if c in known] + thresholds_of(known)
    step = chunk_days * 86_400
    for lo in range(int(bounds[0]), int(bounds[1]) + 1, step):
        stored = read_stored(conn, contract.id, lo, lo + step, columns)
        if stored.empty:
            continue
        deltas = stored[KEY].copy()
        deltas["intervals"] = 1
        deltas["minutes"] = stored["interval_minutes"].astype("int64")
        for column in columns:
            if column != "interval_minutes":
                deltas[column] = stored[column].fillna(0).astype("int64")
        apply_deltas(conn, contract, deltas)


def sums(conn: Connection, contract_id: str, first: date, last: date, *, calendar_id: str,
         in_hours: bool | None = True, exclude: frozenset[str] = frozenset(),
         columns: list[str] | None = None) -> pd.DataFrame:
    """Sums per queue and channel over local days [first, last] (inclusive), for intervals
    open in `calendar_id` (`in_hours=None`: both) and not held by any id in `exclude`.
    Whole months inside the range are read from the month rows, the rest from day rows."""
    wanted = columns or SUMS
    if calendar_id == ALWAYS:
        stored = _calendar_for_always(conn, contract_id)
        if stored != ALWAYS:  # derived: every interval of `stored` is open in 24x7
            if in_hours is False or stored is None:
                return pd.DataFrame({c: pd.Series(dtype="int64" if c in wanted else str)
                                     for c in ["queue", "channel", *wanted]})
            calendar_id, in_hours = stored, None
    slots = threshold_slots(conn, contract_id)
    exprs = []
    for column in wanted:
        if THRESHOLD.match(column):
            if column not in slots:
                raise StorageError(f"{column} is not rolled up for contract {contract_id} "
                                   "(never ingested, or past the 8 threshold columns that are); "
                                   "read the raw intervals")
            exprs.append(f"CAST(SUM(t{slots[column]}) AS BIGINT)")
        else:  # bigint, not PostgreSQL's numeric: fetched as ints, not Decimals
            exprs.append(f'CAST(SUM("{column}") AS BIGINT)')
    where = [f"contract_id = {literal(conn, contract_id)}",
             _grain_filter(first, last), f"calendar_id = {literal(conn, calendar_id)}"]
    if in_hours is not None:
        where.append(f"in_hours = {literal(conn, in_hours)}" if is_postgres(conn)
                     else f"in_hours = {int(in_hours)}")
    for exclusion_id in sorted(exclude):
        where.append(f"(',' || excluded_by || ',') NOT LIKE {literal(conn, f'%,{exclusion_id},%')}")
    query = (f"SELECT queue, channel, {', '.join(exprs)} FROM rollups WHERE "
             f"{' AND '.join(where)} GROUP BY queue, channel ORDER BY queue, channel")
    frame = read_frame(conn, query, ["queue", "channel", *wanted],
                       {c: "int64" for c in wanted}, fetch=True)
    frame["queue"] = frame["queue"].astype(str)
    frame["channel"] = frame["channel"].astype(str)
    return frame


def _calendar_for_always(conn: Connection, contract_id: str) -> str | None:
    """The calendar whose rows answer 24x7: its own if stored, else any other stored one."""
    own = conn.execute(text("SELECT 1 FROM rollups WHERE contract_id = :c AND calendar_id = :a "
                            "LIMIT 1"), {"c": contract_id, "a": ALWAYS}).first()
    if own is not None:
        return ALWAYS
    other = conn.execute(text("SELECT calendar_id FROM rollups WHERE contract_id = :c LIMIT 1"),
                         {"c": contract_id}).first()
    return None if other is None else str(other[0])


def _grain_filter(first: date, last: date) -> str:
    """Whole months from month rows, the leftover days at both ends from day rows."""
    months: list[date] = []
    cursor = first if first.day == 1 else _next_month(first)
    while _next_month(cursor) - timedelta(days=1) <= last:
        months.append(cursor)
        cursor = _next_month(cursor)
    if not months:
        return f"(grain = 'day' AND day >= '{first}' AND day <= '{last}')"
    # one month is an equality, so the key index hands rows over in (queue, channel)
    # order and the GROUP BY needs no sort (10,000 queues: 5 of 34 ms in the server)
    parts = [f"(grain = 'month' AND day = '{months[0]}')" if len(months) == 1 else
             f"(grain = 'month' AND day >= '{months[0]}' AND day <= '{months[-1]}')"]
    if first < months[0]:
        parts.append(f"(grain = 'day' AND day >= '{first}' AND day < '{months[0]}')")
    after = _next_month(months[-1])
    if after <= last:
        parts.append(f"(grain = 'day' AND day >= '{after}' AND day <= '{last}')")
    return "(" + " OR ".join(parts) + ")"


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)
