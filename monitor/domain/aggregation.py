"""From interval rows to per-interval sums, and from per-interval ratios to a period figure.

`IntervalSums` groups the rows of one scope (the SLA's queues and channel) inside one
period by interval start: a month of 1,000 queues has ~1,500 distinct starts, so every later
step (calendar, exclusions, KPI arithmetic) works on those few thousand sums, and the
calendar is evaluated once per distinct start, not per row. Grouping is a `numpy.bincount`
on minute offsets from the period start; sums of integer counts stay exact (below 2**53).

Aggregation (penalty_formulas.md §1.2):
- volume_weighted (default): sum of numerators / sum of denominators;
- interval_compliance: share of intervals (with a non-zero denominator) that meet the
  target on their own; the SLA is met when that share reaches `aggregation.share`
  (default 100 %);
- mean_of_ratios: the plain mean of interval ratios, only when a contract says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import numpy as np
import numpy.typing as npt
import pandas as pd

from monitor.domain.contract import Direction

MINUTE_NS = 60_000_000_000
I64 = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]


def start_ns(frame: pd.DataFrame) -> I64:
    """The `interval_start` column as int64 epoch nanoseconds (no per-row objects)."""
    series = frame["interval_start"]
    if getattr(series.dt, "unit", "ns") != "ns":
        series = series.astype("datetime64[ns, UTC]")
    return np.asarray(series.array.asi8, dtype=np.int64)


def is_sorted(t: I64, step: int = 1 << 18) -> bool:
    """Whether `t` is non-decreasing, checked in cache-sized chunks (5x faster at 17 M)."""
    n = len(t)
    for a in range(0, max(n - 1, 0), step):
        b = min(a + step, n - 1)
        if not bool((t[a + 1:b + 1] >= t[a:b]).all()):
            return False
    return True


def queue_mask(series: pd.Series, queues: frozenset[str]) -> Mask:
    """Rows whose queue is in `queues`; categorical columns are tested per category."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = np.asarray(series.cat.categories.isin(list(queues)))
        codes = series.cat.codes.to_numpy()
        return np.where(codes >= 0, cats[codes], False)
    return np.asarray(series.isin(list(queues)), dtype=bool)


@dataclass(eq=False)
class IntervalSums:
    """Sums per distinct interval start of the selected rows of `frame` in [lo, hi).

    When the selected rows come in time order (`ordered`, the usual layout of collector
    output), rows of one interval are contiguous and a column is summed with one
    `np.add.reduceat` in integer arithmetic; otherwise with `np.bincount` on minute codes.
    """

    frame: pd.DataFrame
    rows: slice | I64  # the selected rows (a slice when the frame is time-sorted)
    times: I64  # interval start (epoch ns) of each selected row
    lo: int
    ordered: bool = False  # times are non-decreasing
    starts: I64 = field(init=False)  # epoch ns of each occupied interval start
    _bins: I64 = field(init=False)
    _size: int = field(init=False, default=0)
    _cuts: I64 = field(init=False)
    codes: I64 = field(init=False)  # minute offsets from lo (unordered rows only)
    _cache: dict[str, I64] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        t = self.times
        if self.ordered:
            change = np.flatnonzero(t[1:] != t[:-1]) + 1
            self._cuts = np.concatenate(([0], change)).astype(np.int64) if len(t) else \
                np.zeros(0, dtype=np.int64)
            self._bins = (t[self._cuts] - self.lo) // MINUTE_NS
        else:
            self.codes = (t - self.lo) // MINUTE_NS
            size = int(self.codes.max()) + 1 if len(self.codes) else 0
            occupied = np.bincount(self.codes, minlength=size) > 0
            self._bins = np.flatnonzero(occupied).astype(np.int64)
            self._size = size
        self.starts = self.lo + self._bins * MINUTE_NS

    def __len__(self) -> int:
        return len(self.starts)

    def column(self, name: str) -> I64:
        """Per-interval sum of an integer count column."""
        if name not in self._cache:
            values = self.frame[name].to_numpy()[self.rows]
            if self.ordered:
                sums = (np.add.reduceat(values, self._cuts, dtype=np.int64) if len(values)
                        else np.zeros(0, dtype=np.int64))
                self._cache[name] = np.asarray(sums, dtype=np.int64)
            else:
                binned = np.bincount(self.codes, weights=values, minlength=self._size)
                self._cache[name] = np.rint(binned[self._bins]).astype(np.int64)
        return self._cache[name]


def meets(num: Decimal | int, den: Decimal | int, target: Decimal, direction: Direction) -> bool:
    """Exact comparison by cross-multiplication (den > 0)."""
    if direction is Direction.MIN:
        return Decimal(num) >= target * Decimal(den)
    return Decimal(num) <= target * Decimal(den)


def meets_each(num: I64, den: I64, target: Decimal, direction: Direction) -> Mask:
    """Vectorised `meets` for integer arrays: target p/q, test num*q >= p*den."""
    p, q = target.as_integer_ratio()
    if direction is Direction.MIN:
        return np.asarray(num * q >= den * p, dtype=bool)
    return np.asarray(num * q <= den * p, dtype=bool)


@dataclass(frozen=True)
class Aggregate:
    numerator: int
    denominator: int
    value: Decimal | None


def volume_weighted(num: I64, den: I64, keep: Mask) -> Aggregate:
    n, d = int(num[keep].sum()), int(den[keep].sum())
    return Aggregate(n, d, Decimal(n) / Decimal(d) if d > 0 else None)


def interval_compliance(
    num: I64, den: I64, keep: Mask, target: Decimal, direction: Direction
) -> Aggregate:
    """Numerator = intervals meeting the target; denominator = intervals with volume."""
    active = keep & (den > 0)
    ok = meets_each(num[active], den[active], target, direction)
    n, d = int(ok.sum()), int(active.sum())
    return Aggregate(n, d, Decimal(n) / Decimal(d) if d > 0 else None)


def mean_of_ratios(num: I64, den: I64, keep: Mask) -> Aggregate:
    """Plain mean of interval ratios, kept exact as a fraction."""
    active = keep & (den > 0)
    total = sum((Fraction(int(a), int(b)) for a, b in zip(num[active], den[active],
                                                         strict=True)), Fraction(0))
    count = int(active.sum())
    if count == 0:
        return Aggregate(0, 0, None)
    mean = total / count
    return Aggregate(mean.numerator, mean.denominator,
                     Decimal(mean.numerator) / Decimal(mean.denominator))
