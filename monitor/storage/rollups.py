"""Per-day rollups of the additive interval counts: the fast path for "this month so far".

One row per (contract, local day, calendar, queue, channel, in_hours, excluded_by) holding
the sums of every additive count (thresholds in a JSON object). `in_hours` says whether the
interval START lies in that calendar's open time and `excluded_by` lists (sorted, comma-
joined) the exclusions whose windows hold the interval start; the same two readings as the
engine (`monitor.domain.calendars`, `monitor.domain.exclusions`), whose code does the work.

Every ingest batch adds its signed deltas (new rows; new - old for corrections) in its own
transaction, so a committed ingest and its rollups are never apart. When a contract's zone,
calendars or exclusions change, `rebuild` recomputes the contract's rollups from the raw
intervals, which stay the evidence. `tests/test_storage_rollups.py` checks the two agree.
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
from monitor.storage.bulk import is_postgres, literal, read_frame, write_frame
from monitor.storage.intervals import (
    CORE,
    KEY,
    OPTIONAL,
    THRESHOLD,
    known_columns,
    read_stored,
    thresholds_json,
    thresholds_of,
)

DIMS = ["grain", "day", "calendar_id", "queue", "channel", "in_hours", "excluded_by"]
SUMS = ["intervals", "minutes", *[c for c in CORE if c != "interval_minutes"], *OPTIONAL]
NS = 1_000_000_000


def calendars_of(contract: Contract) -> list[str]:
    """The calendars the rollups are split by: every SLA's, and always 24x7."""
    return sorted({"24x7", *(sla.calendar for sla in contract.slas)})


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
    if deltas.empty:
        return
    grouped = _expand_by_calendar(contract, deltas)
    days = grouped["day"][grouped["grain"] == "day"]
    queues = sorted(grouped["queue"].unique().tolist())
    thresholds = thresholds_of(known_columns(conn, contract.id))
    stored, ids = _read(conn, contract.id, min(days), max(days), thresholds, queues)
    measures = [c for c in grouped.columns if c not in DIMS]
    combined = pd.concat([stored, grouped], ignore_index=True)
    columns = sorted(set(SUMS) | set(measures) | set(thresholds), key=_order)
    for column in columns:
        if column not in combined.columns:
            combined[column] = 0
        combined[column] = combined[column].fillna(0).astype("int64")
    combined = combined.groupby(DIMS, as_index=False, sort=False)[columns].sum()
    if ids:
        _delete(conn, ids)
    _write(conn, contract.id, combined, thresholds)


def _order(column: str) -> tuple[int, str]:
    return (1, column) if THRESHOLD.match(column) else (0, column)


def _read(conn: Connection, contract_id: str, first: date, last: date, thresholds: list[str],
          queues: list[str] | None) -> tuple[pd.DataFrame, list[int]]:
    exprs = ["id", *DIMS, *SUMS, *[_json(conn, t) for t in thresholds]]
    names = ["id", *DIMS, *SUMS, *thresholds]
    month = first.replace(day=1)
    where = (f"contract_id = {literal(conn, contract_id)} AND ((grain = 'day' AND "
             f"day >= '{first.isoformat()}' AND day <= '{last.isoformat()}') OR "
             f"(grain = 'month' AND day >= '{month.isoformat()}' AND "
             f"day <= '{last.isoformat()}'))")
    if queues is not None:
        where += " AND queue IN (" + ", ".join(literal(conn, q) for q in queues) + ")"
    query = f"SELECT {', '.join(exprs)} FROM rollups WHERE {where}"
    dtypes: dict[str, Any] = {"id": "int64", "in_hours": "bool",
                              **{c: "Int64" for c in SUMS + thresholds}}
    frame = read_frame(conn, query, names, dtypes)
    frame["day"] = pd.to_datetime(frame["day"]).dt.date if len(frame) else frame["day"]
    ids = frame["id"].astype("int64").tolist()
    return frame.drop(columns=["id"]), ids


def _json(conn: Connection, name: str) -> str:
    if is_postgres(conn):
        return f"(thresholds->>'{name}')::bigint"
    return f"json_extract(thresholds, '$.{name}')"


def _delete(conn: Connection, ids: list[int]) -> None:
    for i in range(0, len(ids), 5000):
        chunk = ", ".join(str(x) for x in ids[i:i + 5000])
        conn.exec_driver_sql(f"DELETE FROM rollups WHERE id IN ({chunk})")


def _write(conn: Connection, contract_id: str, frame: pd.DataFrame, thresholds: list[str]) -> None:
    out = frame[DIMS].copy()
    out.insert(0, "contract_id", contract_id)
    for column in SUMS:
        out[column] = frame[column] if column in frame.columns else 0
    out["thresholds"] = thresholds_json(frame, thresholds).fillna("{}")
    write_frame(conn, "rollups", out)


def rebuild(conn: Connection, contract: Contract, *, chunk_days: int = 31) -> None:
    """Recompute every rollup of `contract` from the raw intervals."""
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
    exprs = []
    for column in wanted:
        if THRESHOLD.match(column):
            exprs.append(f"COALESCE(SUM({_json(conn, column)}), 0)")
        else:
            exprs.append(f'COALESCE(SUM("{column}"), 0)')
    where = [f"contract_id = {literal(conn, contract_id)}",
             _grain_filter(first, last), f"calendar_id = {literal(conn, calendar_id)}"]
    if in_hours is not None:
        where.append(f"in_hours = {literal(conn, in_hours)}" if is_postgres(conn)
                     else f"in_hours = {int(in_hours)}")
    for exclusion_id in sorted(exclude):
        where.append(f"(',' || excluded_by || ',') NOT LIKE {literal(conn, f'%,{exclusion_id},%')}")
    query = (f"SELECT queue, channel, {', '.join(exprs)} FROM rollups WHERE "
             f"{' AND '.join(where)} GROUP BY queue, channel ORDER BY queue, channel")
    return read_frame(conn, query, ["queue", "channel", *wanted],
                      {c: "int64" for c in wanted})


def _grain_filter(first: date, last: date) -> str:
    """Whole months from month rows, the leftover days at both ends from day rows."""
    months: list[date] = []
    cursor = first if first.day == 1 else _next_month(first)
    while _next_month(cursor) - timedelta(days=1) <= last:
        months.append(cursor)
        cursor = _next_month(cursor)
    if not months:
        return f"(grain = 'day' AND day >= '{first}' AND day <= '{last}')"
    parts = [f"(grain = 'month' AND day >= '{months[0]}' AND day <= '{months[-1]}')"]
    if first < months[0]:
        parts.append(f"(grain = 'day' AND day >= '{first}' AND day < '{months[0]}')")
    after = _next_month(months[-1])
    if after <= last:
        parts.append(f"(grain = 'day' AND day >= '{after}' AND day <= '{last}')")
    return "(" + " OR ".join(parts) + ")"


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)
