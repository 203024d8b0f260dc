"""Checks on interval rows that keep counts exact and contacts counted once (issue 17).

* Counts are ASCII digits (`str.isdigit` and `\\d` also accept Arabic-Indic digits) up to
  2**63 - 1, what a BIGINT column holds, and a column's total fits too, so sums never wrap.
* `interval_start` lies in the contract's term (a year-1900 row for a 2026 contract is a
  typo, not data), or in 2000..2099 without a contract, which also keeps pandas'
  nanosecond timestamps (they end in 2262) away from their limit.
* The rule for overlaps (docs/interchange.md, "Interval alignment"): each row starts at a
  whole minute aligned to its own length (a 30-minute row at :00 or :30, in UTC or in the
  contract's zone), and rows of one queue and channel never overlap. A 15-minute row at
  12:15 inside a 30-minute row at 12:00 would count its contacts twice, so the file is
  refused, naming both lines; nothing is merged or dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from monitor.domain.contract import Contract
from monitor.errors import InputError

# A trillion contacts in one interval is far beyond any contact centre, and it keeps every
# sum the storage makes (a day's rollup adds up to millions of rows) inside a BIGINT, the
# 64-bit integer PostgreSQL and SQLite both hold: 2**63 - 1 itself passed as one row but
# its daily rollup overflowed.
MAX_COUNT = 10**12
BIGINT = 2**63 - 1
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)

Fail = Callable[[int, str, str], InputError]


def counts(values: pd.Series, column: str, fail: Fail) -> pd.Series:
    """Digits 0-9 only -> exact int64, never through float."""
    bad = (~values.str.fullmatch(r"[0-9]+", na=False)).to_numpy()
    if bad.any():
        row = _first(bad)
        raise fail(row, column, f"{values.iloc[row]!r} is not a non-negative whole number "
                   "written with digits 0-9")
    digits = values.str.len().to_numpy()
    for long in np.flatnonzero(digits >= len(str(MAX_COUNT))):
        if int(values.iloc[long]) > MAX_COUNT:
            raise fail(int(long), column, f"{values.iloc[long]} is larger than {MAX_COUNT:,}, "
                       "the most one interval may hold")
    out = values.astype("int64")
    if len(out) * MAX_COUNT > BIGINT and sum(out.tolist()) > BIGINT:
        raise fail(len(out) - 1, column, f"the {column} column adds up to more than "
                   f"{BIGINT:,}; split the file")
    return out


def term(contract: Contract | None) -> tuple[datetime, datetime]:
    """[first, last) instants a row may start in: the contract's term, padded by a day for
    zone offsets, else the years 2000..2099."""
    if contract is None:
        first, last = FIRST_DAY, LAST_DAY
    else:
        first = contract.effective_from
        last = contract.effective_to or LAST_DAY
    return (datetime.combine(first, datetime.min.time(), UTC) - timedelta(days=1),
            datetime.combine(last, datetime.min.time(), UTC) + timedelta(days=2))


def in_term(text: pd.Series, contract: Contract | None, fail: Fail) -> None:
    """Before pandas parses: a year outside the term is refused by its text."""
    first, last = term(contract)
    years = pd.to_numeric(text.str.extract(r"^([0-9]{4})-", expand=False), errors="coerce")
    bad = ((years < first.year) | (years > last.year)).to_numpy()
    if bad.any():
        row = _first(bad)
        raise fail(row, "interval_start", _outside(text.iloc[row], contract, first, last))


def check_starts(starts: pd.Series, text: pd.Series, contract: Contract | None,
                 fail: Fail) -> None:
    first, last = term(contract)
    bad = ((starts < pd.Timestamp(first)) | (starts >= pd.Timestamp(last))).to_numpy()
    if bad.any():
        row = _first(bad)
        raise fail(row, "interval_start", _outside(text.iloc[row], contract, first, last))


def _outside(value: str, contract: Contract | None, first: datetime, last: datetime) -> str:
    if contract is None:
        return f"{value!r} is outside the years {first.year + 1}..{last.year - 1}"
    end = contract.effective_to.isoformat() if contract.effective_to else "open-ended"
    return (f"{value!r} is outside the term of contract {contract.id} "
            f"({contract.effective_from.isoformat()} to {end})")


def alignment(frame: pd.DataFrame, contract: Contract | None, lines: list[int],
              fail: Fail) -> None:
    """Whole-minute starts aligned to their length; no overlap within a queue and channel."""
    starts = frame["interval_start"]
    minutes = frame["interval_minutes"].to_numpy(dtype="int64")
    epoch = starts.astype("int64").to_numpy() // 1_000_000_000
    utc_minute = epoch // 60
    off_minute = (epoch % 60) != 0
    aligned = (utc_minute % minutes) == 0
    if contract is not None:
        local = starts.dt.tz_convert(contract.tz).dt.tz_localize(None)
        offset = (local - starts.dt.tz_localize(None)).dt.total_seconds().to_numpy() // 60
        aligned |= ((utc_minute + offset.astype("int64")) % minutes) == 0
    bad = off_minute | ~aligned
    if bad.any():
        row = _first(bad)
        raise fail(row, "interval_start",
                   f"a {minutes[row]}-minute interval must start on a multiple of "
                   f"{minutes[row]} minutes past the hour (and on a whole minute); got "
                   f"{starts.iloc[row].isoformat()}")
    order = np.lexsort((epoch, frame["channel"].to_numpy(dtype=object).astype(str),
                        frame["queue"].to_numpy(dtype=object).astype(str)))
    q = frame["queue"].to_numpy(dtype=object)[order]
    ch = frame["channel"].to_numpy(dtype=object)[order]
    begin = epoch[order]
    finish = begin + minutes[order] * 60
    same = (q[1:] == q[:-1]) & (ch[1:] == ch[:-1])
    clash = same & (begin[1:] < finish[:-1])
    if clash.any():
        k = _first(clash)
        a, b = int(order[k]), int(order[k + 1])
        later, other = (a, b) if lines[a] > lines[b] else (b, a)
        raise fail(later, "interval_start",
                   f"overlaps the {minutes[other]}-minute interval at "
                   f"{starts.iloc[other].isoformat()} on line {lines[other]} (queue "
                   f"{frame['queue'].iloc[later]!r}, {frame['channel'].iloc[later]}); each "
                   "contact must be counted in one interval only")


LONGEST = 60 * 60  # seconds: the longest interval a row may have


def stored_overlap(batch: pd.DataFrame, stored: pd.DataFrame) -> str | None:
    """Storage form (`queue`, `channel`, `ts` epoch seconds, `interval_minutes`): the first
    batch row overlapping a stored row of another start, as a message; None when clean.

    A stored row at the same key is the one the batch replaces (a correction), so only
    stored rows whose key the batch lacks take part. This catches what one file cannot
    show: a 15-minute export imported over an earlier 30-minute one."""
    key = ["queue", "channel", "ts"]
    if batch.empty or stored.empty:
        return None
    kept = stored.merge(batch[key], on=key, how="left", indicator=True)
    kept = kept[kept["_merge"] == "left_only"]
    if kept.empty:
        return None
    both = pd.concat([batch[[*key, "interval_minutes"]].assign(_new=True),
                      kept[[*key, "interval_minutes"]].assign(_new=False)],
                     ignore_index=True)
    ts = both["ts"].to_numpy(dtype="int64")
    order = np.lexsort((ts, both["channel"].astype(str).to_numpy(),
                        both["queue"].astype(str).to_numpy()))
    q = both["queue"].astype(str).to_numpy()[order]
    ch = both["channel"].astype(str).to_numpy()[order]
    begin = ts[order]
    finish = begin + both["interval_minutes"].to_numpy(dtype="int64")[order] * 60
    new = both["_new"].to_numpy(dtype=bool)[order]
    clash = ((q[1:] == q[:-1]) & (ch[1:] == ch[:-1]) & (begin[1:] < finish[:-1])
             & (new[1:] != new[:-1]))
    if not clash.any():
        return None
    k = _first(clash)
    mine, theirs = (k, k + 1) if new[k] else (k + 1, k)
    when = datetime.fromtimestamp(int(begin[mine]), UTC).isoformat()
    other = datetime.fromtimestamp(int(begin[theirs]), UTC).isoformat()
    minutes = (finish[theirs] - begin[theirs]) // 60
    return (f"the interval at {when} (queue {q[mine]!r}, {ch[mine]}) overlaps the stored "
            f"{minutes}-minute interval at {other}; each contact must be counted in one "
            "interval only (re-export at the granularity already stored)")


def _first(mask: np.ndarray[Any, Any]) -> int:
    return int(np.flatnonzero(mask)[0])
