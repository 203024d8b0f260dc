"""Interval measurements: idempotent bulk upsert with corrections, and bulk loads.

An interval is keyed by (contract, interval_start UTC, queue, channel). Ingesting a batch:

1. takes the contract's write lock (PostgreSQL: a transaction-scoped advisory lock;
   SQLite: the `BEGIN IMMEDIATE` every transaction starts with), so two processes importing
   overlapping files serialise per contract and end with the union, no duplicates;
2. reads the stored rows of the batch's time range into pandas and compares column by
   column: a key not stored is *new*, a stored one with a different value *updated*, else
   *unchanged*. Only the columns the batch carries are compared and written: a file without
   `handle_seconds` leaves the stored `handle_seconds` alone;
3. COPYs the new rows (executemany on SQLite), updates the changed ones, and records each
   correction (when, source, old -> new of the changed columns only);
4. hands the additive deltas to the rollups in the same transaction (`rollups.Pending`,
   written per batch or once for the whole ingest).

That is the SQLite path. PostgreSQL compares in the server instead (`merge.py`: COPY to a
staging table, one join), with the same outcome.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, insert, text

from monitor.domain.measurements import OPTIONAL_COUNT_COLUMNS
from monitor.errors import InputError
from monitor.interval_rules import LONGEST, MAX_COUNT, stored_overlap
from monitor.storage.bulk import Rendered, is_postgres, literal, read_frame, render, write_rendered
from monitor.storage.models import IntervalCorrectionRow

KEY = ["queue", "channel", "ts"]
CORE = ["interval_minutes", "offered", "answered", "abandoned"]
OPTIONAL = list(OPTIONAL_COUNT_COLUMNS)
# Counts kept in the `thresholds` JSON, with no column of their own: the threshold counts of
# any N, and occupancy's agent times (added after the first schema; JSON needs no migration).
THRESHOLD = re.compile(r"^(?:(answered|abandoned)_within_(\d+)s|agent_(busy|idle)_seconds)$")


@dataclass(frozen=True)
class Correction:
    """A stored interval value replaced by a later one."""

    contract_id: str
    queue: str
    channel: str
    interval_start: datetime
    corrected_at: datetime
    source: str | None
    old: dict[str, int | None]
    new: dict[str, int | None]


@dataclass(frozen=True, eq=False)
class BatchOutcome:
    new: int
    updated: int
    unchanged: int
    corrections: tuple[Correction, ...]
    deltas: pd.DataFrame  # KEY + ts-minutes + additive columns, signed differences


def thresholds_of(columns: list[str]) -> list[str]:
    def order(column: str) -> tuple[str, int, str]:
        seconds = THRESHOLD.match(column).group(2)  # type: ignore[union-attr]
        return (column.split("_")[0], int(seconds or 0), column)

    return sorted((c for c in columns if THRESHOLD.match(c)), key=order)


def normalise(frame: pd.DataFrame, *, what: str = "intervals") -> pd.DataFrame:
    """Check a frame in the interchange schema and bring it to storage form: `ts` epoch
    seconds, `channel` filled, counts as nullable Int64. Raises InputError naming the row."""
    for column in ("queue", "interval_start", *CORE):
        if column not in frame.columns:
            raise InputError("required column is missing", file=what, column=column)
    starts = frame["interval_start"]
    if not isinstance(starts.dtype, pd.DatetimeTZDtype):
        raise InputError("interval_start must be a tz-aware timestamp column", file=what,
                         column="interval_start")
    out = pd.DataFrame(index=frame.index)
    out["queue"] = frame["queue"].astype(str)
    out["channel"] = (frame["channel"].astype(str) if "channel" in frame.columns
                      else pd.Series("voice", index=frame.index))
    if starts.isna().any():
        raise InputError("empty interval_start", file=what,
                         line=_row(starts.isna().to_numpy()), column="interval_start")
    out["ts"] = starts.dt.tz_convert("UTC").astype("datetime64[ns, UTC]").astype("int64") \
        // 1_000_000_000
    counts = CORE + [c for c in OPTIONAL if c in frame.columns] + thresholds_of(
        list(frame.columns))
    for column in counts:
        values, bad = exact_counts(frame[column])
        if column in CORE:
            bad |= values.isna().to_numpy()
        if bad.any():
            row = _row(bad)
            raise InputError(f"{frame[column].iloc[row - 1]!r} is not a non-negative whole "
                             f"number up to {MAX_COUNT:,}", file=what, line=row, column=column)
        out[column] = values
    dup = out.duplicated(KEY).to_numpy()
    if dup.any():
        raise InputError("a second row for this queue, channel and interval", file=what,
                         line=_row(dup), column="interval_start")
    return out.reset_index(drop=True)


def exact_counts(series: pd.Series) -> tuple[pd.Series, np.ndarray[Any, Any]]:
    """Counts as nullable Int64 without a float on the way (2**63 - 1 wrapped to -2**63
    through Float64), and the mask of values that are not whole numbers in 0..MAX_COUNT."""
    if pd.api.types.is_integer_dtype(series.dtype):
        ints = series.astype("Int64")
        return ints, ((ints < 0) | (ints > MAX_COUNT)).fillna(False).to_numpy(dtype=bool)
    exact: list[int | None] = []
    bad = np.zeros(len(series), dtype=bool)
    for i, value in enumerate(series.tolist()):
        number = _whole(value)
        whole: int | None = number if isinstance(number, int) else None
        if number is _BAD or (whole is not None and not 0 <= whole <= MAX_COUNT):
            bad[i], whole = True, None
        exact.append(whole)
    return pd.Series(pd.array(exact, dtype="Int64"), index=series.index), bad


_BAD = object()


def _whole(value: Any) -> object:
    """An exact int, None for a gap, or _BAD."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool):
        return _BAD
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):  # MAX_COUNT is far below 2**53: exact
        number = float(value)
        return int(number) if number.is_integer() and abs(number) <= MAX_COUNT else _BAD
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,13}", value.strip()):
        return int(value)
    return _BAD


def _row(mask: np.ndarray[Any, Any]) -> int:
    return int(np.flatnonzero(mask)[0]) + 1


def value_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in KEY]


LOCK_PREFIX = "slamon-intervals:"


def lock_contract(conn: Connection, contract_id: str) -> None:
    """The contract's ingest lock, until the transaction ends (PostgreSQL advisory lock)."""
    if is_postgres(conn):
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                     {"k": f"{LOCK_PREFIX}{contract_id}"})


def known_columns(conn: Connection, contract_id: str) -> list[str]:
    rows = conn.execute(text("SELECT name FROM interval_columns WHERE contract_id = :c"),
                        {"c": contract_id}).scalars().all()
    return [str(r) for r in rows]


SLOTS = 8  # threshold columns per contract that the rollups sum (t0..t7)


def register_columns(conn: Connection, contract_id: str, names: list[str]) -> None:
    """Remember the count columns a contract's intervals carry; a new threshold column gets
    the next free rollup slot (none once all SLOTS are taken)."""
    missing = sorted(set(names) - set(known_columns(conn, contract_id)))
    if not missing:
        return
    taken = set(threshold_slots(conn, contract_id).values())
    free = [i for i in range(SLOTS) if i not in taken]
    rows = []
    for name in missing:
        slot = free.pop(0) if THRESHOLD.match(name) and free else None
        rows.append({"c": contract_id, "n": name, "s": slot})
    conn.execute(text("INSERT INTO interval_columns (contract_id, name, slot) "
                      "VALUES (:c, :n, :s)"), rows)


def threshold_slots(conn: Connection, contract_id: str) -> dict[str, int]:
    """Threshold column name -> rollup slot, for the columns that have one."""
    rows = conn.execute(text("SELECT name, slot FROM interval_columns WHERE contract_id = :c "
                             "AND slot IS NOT NULL"), {"c": contract_id}).all()
    return {str(name): int(slot) for name, slot in rows}


def select_sql(conn: Connection, contract_id: str, lo: int, hi: int, columns: list[str],
               queues: list[str] | None = None) -> tuple[str, list[str]]:
    """SQL reading KEY + `columns` for ts in [lo, hi); thresholds come out of the JSON."""
    exprs = ["queue", "channel", "interval_start"]
    for column in columns:
        if THRESHOLD.match(column):
            if is_postgres(conn):
                exprs.append(f"(thresholds->>'{column}')::bigint")
            else:
                exprs.append(f"json_extract(thresholds, '$.{column}')")
        else:
            exprs.append(f'"{column}"')
    where = (f"contract_id = {literal(conn, contract_id)} AND interval_start >= {int(lo)} "
             f"AND interval_start < {int(hi)}")
    if queues is not None:
        where += " AND queue IN (" + ", ".join(literal(conn, q) for q in queues) + ")"
    query = (f"SELECT {', '.join(exprs)} FROM intervals WHERE {where} "
             "ORDER BY interval_start, queue, channel")
    return query, KEY + columns


def read_stored(conn: Connection, contract_id: str, lo: int, hi: int, columns: list[str],
                queues: list[str] | None = None) -> pd.DataFrame:
    query, names = select_sql(conn, contract_id, lo, hi, columns, queues)
    dtypes: dict[str, Any] = {"ts": "int64", **{c: "Int64" for c in columns}}
    frame = read_frame(conn, query, names, dtypes)
    frame["queue"] = frame["queue"].astype(str)
    frame["channel"] = frame["channel"].astype(str)
    return frame


def thresholds_json(frame: pd.DataFrame, names: list[str]) -> pd.Series:
    """One JSON object text per row, from integer columns (missing -> null); None if no
    names. Built from whole columns rendered at once and one %-format per row."""
    if not names:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)
    template = "{" + ",".join(f'"{n}":%s' for n in names) + "}"
    columns = []
    for name in names:
        values = frame[name]
        if values.isna().any():
            columns.append(values.astype("string").fillna("null").astype(object).tolist())
        else:
            columns.append(values.astype("int64").astype(str).tolist())
    return pd.Series([template % row for row in zip(*columns, strict=True)],
                     index=frame.index, dtype=object)


@dataclass(frozen=True, eq=False)
class Prepared:
    """A batch compared with the stored rows, ready to write (see `prepare` / `apply`)."""

    rows: int
    incoming: list[str]
    all_thresholds: list[str]
    inserts: Rendered  # rows for the intervals table, new keys only
    updates: pd.DataFrame  # merged rows (new values, `<col>__old`) of changed keys
    changed: dict[str, np.ndarray[Any, Any]]  # per incoming column: which updates changed it
    deltas: pd.DataFrame


def prepare(conn: Connection, contract_id: str, batch: pd.DataFrame, known: list[str],
            source: str | None) -> Prepared:
    """Compare a normalised batch with what is stored (reads only) and render the new rows,
    so that writing them is sending bytes."""
    incoming = value_columns(batch)
    incoming_thresholds = thresholds_of(incoming)
    all_thresholds = thresholds_of(sorted(set(known) | set(incoming_thresholds)))
    stored_columns = CORE + [c for c in OPTIONAL if c in known or c in incoming] + all_thresholds
    lo, hi = int(batch["ts"].min()), int(batch["ts"].max()) + 1
    # An hour either side: a stored row that starts before or after the batch may overlap.
    around = read_stored(conn, contract_id, lo - LONGEST, hi + LONGEST, stored_columns)
    overlap = stored_overlap(batch, around)
    if overlap is not None:
        raise InputError(overlap, file=source or "intervals", column="interval_start")
    inside = (around["ts"] >= lo) & (around["ts"] < hi)
    stored = around[inside.to_numpy()].reset_index(drop=True)
    merged = batch.merge(stored, on=KEY, how="left", suffixes=("", "__old"), indicator=True)
    is_new = (merged["_merge"] == "left_only").to_numpy()
    differs = np.zeros(len(merged), dtype=bool)
    changed_cols: dict[str, np.ndarray[Any, Any]] = {}
    for column in incoming:
        old, new = merged[f"{column}__old"], merged[column]
        same = ((old == new).fillna(False) | (old.isna() & new.isna())).to_numpy(dtype=bool)
        diff = ~same & ~is_new
        changed_cols[column] = diff
        differs |= diff
    new_rows, upd_rows = merged[is_new], merged[differs]
    inserts = render(_insert_frame(contract_id, new_rows, incoming, incoming_thresholds,
                                   source), postgres=is_postgres(conn))
    return Prepared(len(merged), incoming, all_thresholds, inserts, upd_rows,
                    {c: m[differs] for c, m in changed_cols.items()},
                    _deltas(new_rows, upd_rows, incoming))


def apply(conn: Connection, contract_id: str, prepared: Prepared, *, source: str | None,
          at: datetime) -> BatchOutcome:
    """Write a prepared batch inside the caller's transaction (the caller holds the lock and
    has registered the batch's columns)."""
    write_rendered(conn, "intervals", prepared.inserts)
    corrections: list[Correction] = []
    if len(prepared.updates):
        corrections = _update(conn, contract_id, prepared.updates, prepared.incoming,
                              prepared.all_thresholds, prepared.changed, source, at)
    new, updated = prepared.inserts.rows, len(prepared.updates)
    return BatchOutcome(new, updated, prepared.rows - new - updated, tuple(corrections),
                        prepared.deltas)


def ingest_batch(conn: Connection, contract_id: str, batch: pd.DataFrame, *,
                 source: str | None, at: datetime) -> BatchOutcome:
    """Upsert one normalised batch inside the caller's transaction."""
    lock_contract(conn, contract_id)
    register_columns(conn, contract_id, [c for c in value_columns(batch) if c not in CORE])
    prepared = prepare(conn, contract_id, batch, known_columns(conn, contract_id), source)
    return apply(conn, contract_id, prepared, source=source, at=at)


def _insert_frame(contract_id: str, rows: pd.DataFrame, incoming: list[str],
                  thresholds: list[str], source: str | None) -> pd.DataFrame:
    out = pd.DataFrame({"contract_id": contract_id, "queue": rows["queue"],
                        "channel": rows["channel"], "interval_start": rows["ts"]})
    for column in incoming:
        if not THRESHOLD.match(column):
            out[column] = rows[column]
    out["thresholds"] = thresholds_json(rows, thresholds)
    out["source"] = source
    return out


def _update(conn: Connection, contract_id: str, rows: pd.DataFrame, incoming: list[str],
            all_thresholds: list[str], changed: dict[str, np.ndarray[Any, Any]],
            source: str | None, at: datetime) -> list[Correction]:
    # thresholds: the incoming value where given, else the stored one (a stored column the
    # batch lacks kept its own name in the merge)
    full = rows
    plain = [c for c in incoming if not THRESHOLD.match(c)]
    sets = ", ".join(f'"{c}" = :{c}' for c in plain)
    sets += ", thresholds = :thresholds, source = :source"
    params = pd.DataFrame({c: _ints(rows[c]) for c in plain})
    params["thresholds"] = thresholds_json(full, all_thresholds).to_numpy()
    params["source"] = source
    params["c"] = contract_id
    params["q"] = rows["queue"].astype(str).to_numpy()
    params["ch"] = rows["channel"].astype(str).to_numpy()
    params["ts"] = rows["ts"].astype("int64").to_numpy()
    records: list[dict[str, Any]] = params.astype(object).where(params.notna(), None) \
        .to_dict("records")  # type: ignore[assignment]
    conn.execute(text(f"UPDATE intervals SET {sets} WHERE contract_id = :c AND "
                      "interval_start = :ts AND queue = :q AND channel = :ch"), records)
    old = {c: _ints(rows[f"{c}__old"]) for c in incoming}
    new = {c: _ints(rows[c]) for c in incoming}
    corrections: list[Correction] = []
    for i in range(len(rows)):
        cols = [c for c in incoming if changed[c][i]]
        corrections.append(Correction(
            contract_id, str(params["q"].iloc[i]), str(params["ch"].iloc[i]),
            datetime.fromtimestamp(int(params["ts"].iloc[i]), UTC), at, source,
            {c: old[c][i] for c in cols}, {c: new[c][i] for c in cols}))
    conn.execute(insert(IntervalCorrectionRow), [
        {"contract_id": k.contract_id, "queue": k.queue, "channel": k.channel,
         "interval_start": int(k.interval_start.timestamp()), "corrected_at": at,
         "source": source, "old": k.old, "new": k.new} for k in corrections])
    return corrections


def _ints(values: pd.Series) -> list[int | None]:
    """A nullable integer column as plain Python ints (None for missing)."""
    return [None if v is pd.NA else int(v) for v in values.astype("Int64").tolist()]


def _deltas(new_rows: pd.DataFrame, upd_rows: pd.DataFrame, incoming: list[str]) -> pd.DataFrame:
    """Signed additive differences per key, for the rollups."""
    additive = [c for c in incoming if c != "interval_minutes"]
    parts: list[pd.DataFrame] = []
    if len(new_rows):
        d = new_rows[KEY].copy()
        d["intervals"] = 1
        d["minutes"] = new_rows["interval_minutes"].astype("int64").to_numpy()
        for c in additive:
            d[c] = new_rows[c].fillna(0).astype("int64").to_numpy()
        parts.append(d)
    if len(upd_rows):
        d = upd_rows[KEY].copy()
        d["intervals"] = 0
        d["minutes"] = (upd_rows["interval_minutes"].astype("int64")
                        - upd_rows["interval_minutes__old"].fillna(0).astype("int64")).to_numpy()
        for c in additive:
            d[c] = (upd_rows[c].fillna(0).astype("int64")
                    - upd_rows[f"{c}__old"].fillna(0).astype("int64")).to_numpy()
        parts.append(d)
    if not parts:
        return pd.DataFrame(columns=[*KEY, "intervals", "minutes"])
    return pd.concat(parts, ignore_index=True).fillna(0)


def to_interchange(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Stored form -> interchange schema; optional columns with no value at all are dropped."""
    out = pd.DataFrame({
        "queue": frame["queue"].astype("string"),
        "channel": frame["channel"].astype("string"),
        "interval_start": pd.to_datetime(frame["ts"].astype("int64"), unit="s", utc=True)
        .astype("datetime64[ns, UTC]"),
    })
    for column in columns:
        values = frame[column]
        if column not in CORE and values.isna().all():
            continue
        out[column] = values.astype("int64") if not values.isna().any() else values
    return out
