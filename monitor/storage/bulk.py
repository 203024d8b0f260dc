"""Moving DataFrames in and out of the database without one Python object per row.

PostgreSQL: `COPY ... FROM STDIN` / `COPY (SELECT ...) TO STDOUT` in CSV, written by Arrow's
CSV writer (five times pandas' `to_csv`: rendering cost more than the COPY it feeds) and
parsed by pandas. Arrow quotes every text value, so an empty text is `""` and only a null is
the bare empty field, which is COPY's CSV null. SQLite: `executemany` in, one `fetchall` out
(sqlite3 offers nothing faster).
Queries handed to `read_frame` are built by slamon itself from fixed column names and
literals quoted by the driver's own quoting, never from user text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy import Connection


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def literal(conn: Connection, value: object) -> str:
    """A SQL literal for a str/int value, quoted as the dialect quotes it."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(int(value))
    text = str(value)
    return "'" + text.replace("'", "''") + "'"


def read_frame(conn: Connection, query: str, columns: Sequence[str],
               dtypes: dict[str, Any] | None = None, *, fetch: bool = False) -> pd.DataFrame:
    """Run `query` (no parameters; literals already inlined) into a DataFrame. `fetch`: an
    aggregate of a few thousand rows, fetched as values. COPY sends each row as a message
    of its own, which costs more per row than the rest of such a read (10,000 queues' sums:
    20 of 62 ms); it stays the way for raw intervals, whose CSV parses without a Python
    object per value."""
    if is_postgres(conn) and not fetch:
        raw: Any = conn.connection.driver_connection
        buffer = io.BytesIO()
        copy = f"COPY ({query}) TO STDOUT WITH (FORMAT csv, NULL '\\N')"
        with raw.cursor() as cur, cur.copy(copy) as cp:
            for chunk in cp:
                buffer.write(chunk)
        buffer.seek(0)
        if buffer.getbuffer().nbytes == 0:
            frame = pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
        else:
            frame = pd.read_csv(buffer, header=None, names=list(columns),
                                keep_default_na=False, na_values=["\\N"], dtype=str)
    else:
        if is_postgres(conn):  # the driver's tuples: SQLAlchemy's rows cost 10x as much
            driver: Any = conn.connection.driver_connection
            with driver.cursor() as cur:
                rows = cur.execute(query).fetchall()
        else:
            rows = conn.exec_driver_sql(query).fetchall()
        frame = pd.DataFrame.from_records(rows, columns=list(columns))
        for i, column in enumerate(columns):  # ints with a None were inferred as float64
            if (dtypes or {}).get(column) in ("Int64", "int64"):
                frame[column] = pd.Series([r[i] for r in rows], index=frame.index,
                                          dtype=object)
    for column, dtype in (dtypes or {}).items():
        frame[column] = _convert(frame[column], dtype)
    return frame


def _convert(series: pd.Series, dtype: Any) -> pd.Series:
    if dtype in ("Int64", "int64"):
        # Gaps fill with 0 first: to_numeric of text with a gap returns float64, which
        # rounds counts above 2**53 (issue 17).
        gaps = series.isna()
        if not gaps.any():
            return pd.to_numeric(series).astype(dtype)
        ints = pd.to_numeric(series.where(~gaps, 0)).astype("Int64")
        return ints.mask(gaps.to_numpy())
    if dtype == "bool":
        if pd.api.types.is_bool_dtype(series.dtype):
            return series
        if pd.api.types.is_numeric_dtype(series.dtype):
            return series.astype(bool)
        return series.astype(str).str.lower().isin(["t", "true", "1"]).astype(bool)
    return series.astype(dtype)


@dataclass(frozen=True, eq=False)
class Rendered:
    """A frame already rendered as COPY CSV (so a writer thread only sends bytes)."""

    columns: tuple[str, ...]
    payload: bytes
    rows: int
    frame: pd.DataFrame | None = None  # kept for SQLite, which takes rows, not CSV


def render(frame: pd.DataFrame, *, postgres: bool) -> Rendered:
    """Render `frame` for `write_rendered`: CSV bytes on PostgreSQL, the frame on SQLite."""
    columns = tuple(str(c) for c in frame.columns)
    if not postgres or frame.empty:
        return Rendered(columns, b"", len(frame), frame)
    table = pa.Table.from_pandas(_plain_dtypes(frame), preserve_index=False)
    out = io.BytesIO()
    pa_csv.write_csv(table, out, pa_csv.WriteOptions(include_header=False,
                                                     quoting_style="needed"))
    return Rendered(columns, out.getvalue(), len(frame))


def write_rendered(conn: Connection, table: str, rendered: Rendered) -> None:
    """Append rendered rows to `table`: COPY (PostgreSQL) or executemany (SQLite)."""
    if rendered.rows == 0:
        return
    names = ", ".join(f'"{c}"' for c in rendered.columns)
    if is_postgres(conn):
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(
            f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv)"
        ) as cp:
            for start in range(0, len(rendered.payload), 1 << 20):
                cp.write(rendered.payload[start:start + (1 << 20)])
        return
    assert rendered.frame is not None
    placeholders = ", ".join("?" for _ in rendered.columns)
    conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({placeholders})",
                         records(rendered.frame))


def write_frame(conn: Connection, table: str, frame: pd.DataFrame) -> None:
    """Append `frame` (columns = table columns) to `table`: COPY or executemany."""
    write_rendered(conn, table, render(frame, postgres=is_postgres(conn)))


def _plain_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """numpy int64 for integer columns without gaps, object for text: both render to CSV
    faster than pandas' extension types."""
    out = frame.copy(deep=False)
    for column in out.columns:
        dtype = out[column].dtype
        if isinstance(dtype, pd.Int64Dtype) and not out[column].isna().any():
            out[column] = out[column].astype("int64")
        elif isinstance(dtype, pd.StringDtype):
            out[column] = out[column].astype(object)
    return out


def records(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Rows as tuples of plain Python values (None for missing) for sqlite3."""
    objects = frame.astype(object).where(frame.notna(), None)
    return [tuple(_plain(v) for v in row) for row in objects.itertuples(index=False, name=None)]


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return value
