"""PostgreSQL ingest: `COPY` a batch into a staging table, then one set-based comparison.

The same outcome as `intervals.ingest_batch` (SQLite keeps that path), with the comparison
done by the server instead of pandas, so no stored row travels to Python:

1. when no interval of the contract is stored in the batch's time range (a first load, the
   newest intervals of a poll), every row is new: straight to step 4, nothing staged;
2. otherwise the batch (normalised, with its row number) is COPYed into a temporary table and
   one join against the stored rows keeps the keys that are new or differ in a column the
   batch carries (`IS DISTINCT FROM`: a null is a value). Thresholds are compared as the
   stored JSON text first (what a re-poll of the same values wrote) and key by key only when
   the text differs, so an unchanged re-poll parses no JSON and stops here;
3. the changed keys are UPDATEd from the staging table (the batch's thresholds merged over
   the stored ones, as the pandas path does) and each correction (old -> new of the changed
   columns only) is logged, in batch order, all in SQL;
4. the new rows are COPYed into `intervals`, and the signed deltas of new and changed rows,
   grouped by the domain's calendar and exclusion reading (`rollups.group_frame`), go to
   the caller's `rollups.Pending`, which it writes to the rollups in the same transaction.

All of it runs in the caller's transaction, under the contract's ingest lock.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, bindparam, text

from monitor.domain.contract import Contract
from monitor.errors import InputError
from monitor.interval_rules import LONGEST, stored_overlap
from monitor.storage import rollups as ru
from monitor.storage.bulk import Rendered, read_frame, render, write_rendered
from monitor.storage.intervals import (
    KEY,
    THRESHOLD,
    BatchOutcome,
    Correction,
    _deltas,
    _insert_frame,
    read_stored,
    thresholds_json,
    thresholds_of,
    value_columns,
)
from monitor.storage.models import UtcDateTime

STAGE = "_stage_intervals"
CHANGED = "_changed_intervals"


def _q(name: str) -> str:
    return f'"{name}"'


def _old(column: str) -> str:
    return _q(f"{column}__old")


def _stored(column: str) -> str:
    """A stored column as a bigint expression of the `intervals` row `i`."""
    if THRESHOLD.match(column):
        return f"(i.thresholds->>'{column}')::bigint"
    return f"i.{_q(column)}"


def _json(columns: list[str], value: Any) -> str:
    pairs = ", ".join(f"'{c}', {value(c)}" for c in columns)
    return f"jsonb_build_object({pairs})"


def merge_batch(conn: Connection, contract: Contract, batch: pd.DataFrame, *,
                source: str | None, at: datetime, slots: dict[str, int],
                pending: ru.Pending) -> BatchOutcome:
    """Upsert one normalised batch (see the module docstring); the caller holds the lock and
    has registered the batch's columns. The rollup deltas are left in `pending` for the
    caller to write in the same transaction."""
    incoming = value_columns(batch)
    thresholds = thresholds_of(incoming)
    lo, hi = int(batch["ts"].min()), int(batch["ts"].max()) + 1
    stored = conn.execute(text(
        "SELECT 1 FROM intervals WHERE contract_id = :c AND interval_start >= :lo "
        "AND interval_start < :hi LIMIT 1"), {"c": contract.id, "lo": lo, "hi": hi}).first()
    corrections: list[Correction] = []
    if stored is None:
        new_rows, upd_rows = batch, batch.iloc[:0]
        # nothing is stored inside the batch's span: only rows within the longest interval
        # of its two ends can meet a stored one (a stored row before `lo` ends before
        # lo + LONGEST; one at or after `hi` starts after a row ending past it began)
        ts = batch["ts"].to_numpy()
        _refuse_overlaps(conn, contract.id,
                         batch[(ts < lo + LONGEST) | (ts >= hi - LONGEST)], source)
    else:
        try:
            _stage(conn, batch, incoming, thresholds)
            changed = _compare(conn, contract.id, incoming, thresholds, lo, hi)
            if not changed:  # every row is stored as it is: nothing new can overlap
                return BatchOutcome(0, 0, len(batch), (), pd.DataFrame(columns=KEY))
            new_rows, upd_rows = _split(conn, batch, incoming)
            _refuse_overlaps(conn, contract.id, pd.concat(
                [new_rows[[*KEY, "interval_minutes"]], upd_rows[[*KEY, "interval_minutes"]]],
                ignore_index=True), source)
            if len(upd_rows):
                corrections = _update(conn, contract.id, incoming, thresholds, source, at)
        finally:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {STAGE}, {CHANGED}")
    _write(conn, contract, new_rows, upd_rows, incoming, source, slots, pending)
    return BatchOutcome(len(new_rows), len(upd_rows),
                        len(batch) - len(new_rows) - len(upd_rows), tuple(corrections),
                        pd.DataFrame(columns=KEY))


def _refuse_overlaps(conn: Connection, contract_id: str, rows: pd.DataFrame,
                     source: str | None) -> None:
    """A stored row of another start overlapping a new or changed one (a 15-minute export
    over an earlier 30-minute one) would count contacts twice: refused, as SQLite's path
    does. Only the new and changed rows' neighbourhood is read, so the usual re-poll of
    unchanged rows costs nothing here."""
    if rows.empty:
        return
    lo, hi = int(rows["ts"].min()), int(rows["ts"].max()) + 1
    around = read_stored(conn, contract_id, lo - LONGEST, hi + LONGEST, ["interval_minutes"])
    overlap = stored_overlap(rows, around)
    if overlap is not None:
        raise InputError(overlap, file=source or "intervals", column="interval_start")


PIECE = 50_000  # new rows rendered while the previous piece is being COPYed
# The server waits for the first piece only: it is small, and each next piece is about as
# long to render as the previous one takes to COPY (rendering runs 3x as fast as COPY).
FIRST_PIECES = (5_000, 15_000)


def piece_bounds(rows: int) -> list[tuple[int, int]]:
    """[start, stop) of each piece: FIRST_PIECES, then PIECE at a time."""
    bounds, start = [], 0
    for size in (*FIRST_PIECES, *([PIECE] * (rows // PIECE + 1))):
        if start >= rows:
            break
        bounds.append((start, min(rows, start + size)))
        start += size
    return bounds


def _write(conn: Connection, contract: Contract, new_rows: pd.DataFrame,
           upd_rows: pd.DataFrame, incoming: list[str], source: str | None,
           slots: dict[str, int], pending: ru.Pending) -> None:
    """COPY the new rows and add every delta to the rollups. A worker thread renders piece
    k+1 (and then groups the deltas) while this one waits on the server writing piece k:
    rendering and grouping are pandas/Arrow work that would otherwise add to the COPY."""
    thresholds = thresholds_of(incoming)

    def piece(start: int, stop: int) -> Rendered:
        rows = new_rows.iloc[start:stop]
        return render(_insert_frame(contract.id, rows, incoming, thresholds, source),
                      postgres=True)

    def grouped() -> pd.DataFrame:
        return ru.group_frame(contract, _deltas(new_rows, upd_rows, incoming), slots)

    with ThreadPoolExecutor(max_workers=1) as worker:
        pieces = [worker.submit(piece, a, b) for a, b in piece_bounds(len(new_rows))]
        deltas = worker.submit(grouped)
        for rendered in pieces:
            write_rendered(conn, "intervals", rendered.result())
        pending.add(deltas.result())


def _stage(conn: Connection, batch: pd.DataFrame, incoming: list[str],
           thresholds: list[str]) -> None:
    columns = ", ".join(f"{_q(c)} bigint" for c in incoming)
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {STAGE}, {CHANGED}")
    conn.exec_driver_sql(f"CREATE TEMP TABLE {STAGE} (n bigint, queue text, channel text, "
                         f"ts bigint, {columns}, thresholds_text text) ON COMMIT DROP")
    frame = batch[["queue", "channel", "ts", *incoming]].copy(deep=False)
    frame.insert(0, "n", np.arange(len(batch), dtype=np.int64))
    # the text a new row's thresholds are written as (`_insert_frame`): equal text, equal
    # values, so the usual unchanged re-poll is settled without parsing the stored JSON
    frame["thresholds_text"] = thresholds_json(batch, thresholds).to_numpy()
    write_rendered(conn, STAGE, render(frame, postgres=True))


def _compare(conn: Connection, contract_id: str, incoming: list[str], thresholds: list[str],
             lo: int, hi: int) -> int:
    """Keep the staged rows that are new or differ; how many."""
    plain = [c for c in incoming if c not in thresholds]
    olds = ", ".join(f"{_stored(c)} AS {_old(c)}" for c in incoming)
    differs = " OR ".join(f"s.{_q(c)} IS DISTINCT FROM {_stored(c)}" for c in plain)
    if thresholds:
        by_key = " OR ".join(f"s.{_q(c)} IS DISTINCT FROM {_stored(c)}" for c in thresholds)
        differs += (" OR CASE WHEN i.thresholds::text = s.thresholds_text THEN FALSE "
                    f"ELSE ({by_key}) END")
    # the old values are read for the changed rows only (the outer query)
    return int(conn.execute(text(
        f"CREATE TEMP TABLE {CHANGED} ON COMMIT DROP AS "
        f"SELECT s.*, {olds}, i.id IS NULL AS is_new FROM {STAGE} s "
        "LEFT JOIN intervals i ON i.contract_id = :c AND i.interval_start >= :lo "
        "AND i.interval_start < :hi AND i.interval_start = s.ts AND i.queue = s.queue "
        f"AND i.channel = s.channel WHERE i.id IS NULL OR {differs}"),
        {"c": contract_id, "lo": lo, "hi": hi}).rowcount)


def _split(conn: Connection, batch: pd.DataFrame, incoming: list[str]
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The batch's new rows, and its changed rows with the stored values as `<col>__old`."""
    olds = [f"{c}__old" for c in incoming]
    changed = read_frame(
        conn, f"SELECT n, is_new, {', '.join(_q(c) for c in olds)} FROM {CHANGED} ORDER BY n",
        ["n", "is_new", *olds], {"n": "int64", "is_new": "bool", **dict.fromkeys(olds, "Int64")})
    is_new = changed["is_new"].to_numpy(dtype=bool)
    new_rows = batch.iloc[changed["n"].to_numpy()[is_new]]
    upd = changed[~is_new]
    upd_rows = batch.iloc[upd["n"].to_numpy()].reset_index(drop=True)
    for column in olds:
        upd_rows[column] = upd[column].to_numpy()
    return new_rows, upd_rows


def _update(conn: Connection, contract_id: str, incoming: list[str], thresholds: list[str],
            source: str | None, at: datetime) -> list[Correction]:
    plain = [c for c in incoming if c not in thresholds]
    sets = [f"{_q(c)} = m.{_q(c)}" for c in plain]
    if thresholds:
        given = _json(thresholds, lambda c: f"m.{_q(c)}")
        sets.append(f"thresholds = (COALESCE(i.thresholds::jsonb, '{{}}'::jsonb) || {given})"
                    "::json")
    conn.execute(text(
        f"UPDATE intervals i SET {', '.join(sets)}, source = :s FROM {CHANGED} m "
        "WHERE NOT m.is_new AND i.contract_id = :c AND i.interval_start = m.ts "
        "AND i.queue = m.queue AND i.channel = m.channel"), {"c": contract_id, "s": source})

    def only_changed(side: str) -> str:
        parts = [f"CASE WHEN m.{_q(c)} IS DISTINCT FROM m.{_old(c)} THEN "
                 f"jsonb_build_object('{c}', m.{_q(c) if side == 'new' else _old(c)}) "
                 "ELSE '{}'::jsonb END" for c in incoming]
        return "(" + " || ".join(parts) + ")"

    rows = conn.execute(text(
        f"INSERT INTO interval_corrections (contract_id, queue, channel, interval_start, "
        f"corrected_at, source, old, new) SELECT :c, m.queue, m.channel, m.ts, :at, :s, "
        f"{only_changed('old')}::json, {only_changed('new')}::json FROM {CHANGED} m "
        "WHERE NOT m.is_new ORDER BY m.n RETURNING queue, channel, interval_start, old, new")
        .bindparams(bindparam("at", type_=UtcDateTime())),
        {"c": contract_id, "s": source, "at": at}).all()
    # RETURNING follows the insert order, which is the batch's (ORDER BY m.n)
    return [Correction(contract_id, str(q), str(ch), datetime.fromtimestamp(int(ts), UTC), at,
                       source, _ints(old), _ints(new)) for q, ch, ts, old, new in rows]


def _ints(values: Any) -> dict[str, int | None]:
    return {str(k): None if v is None else int(v) for k, v in dict(values).items()}
