"""The compliance engine: `evaluate(contract, measurements, period, as_of) -> Evaluation`.

Pure: no I/O, no clock (`as_of` is passed in), no logging. "Not enough data" is a result
(`insufficient_data`), never an exception.

Each SLA is evaluated over ITS OWN period: an SLA whose `period` kind differs from the
requested one (a quarterly ASA in a month evaluation) is evaluated over its period of that
kind containing `period.start` — the quarter to date — and its evidence says which period
(`details["period"]`, `details["period_start"]`, `details["period_end"]`).

Exactness: numerators and denominators are integers (counts) or Decimal nanoseconds
(availability); `met` is decided by cross-multiplication (`num >= target * den`), and
`value = Decimal(num) / Decimal(den)` is only for display and credit tiers.

Status: `met` / `breached`; a breached `key_measurement` SLA is `key_measurement_missed`
(reported, never credited); `insufficient_data` when a needed column is absent, no outage
data was supplied for availability, or the denominator is 0. `Evaluation.status` is `open`
while `as_of` is before the period end and `provisional` after it (storage makes `final`).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from monitor.domain import aggregation as agg
from monitor.domain.availability import availability, minutes
from monitor.domain.calendars import OpenSpans, intersect, open_spans, to_ns
from monitor.domain.contract import (
    AggregationMethod,
    Calendar,
    Contract,
    Direction,
    Metric,
    Sla,
    Status,
    Target,
)
from monitor.domain.evidence import IndependentEvidence, Record
from monitor.domain.exclusions import Window, as_spans, windows_for
from monitor.domain.kpis import Ratio, ratio_for, required_columns
from monitor.domain.measurements import Measurements
from monitor.domain.outlook import outlook
from monitor.domain.periods import period_containing
from monitor.domain.reconcile import evidence_details, reconcile
from monitor.domain.results import AppliedExclusion, Evaluation, Evidence, Period, SlaResult
from monitor.errors import InputError

MINUTE_NS = agg.MINUTE_NS
SECONDS_PER_DAY = Decimal(86_400)
DAY_NS = 86_400 * 1_000_000_000


class _State:
    """What the engine remembers about one interval frame between `evaluate` calls.

    Checking that 17.5 M start times are in order costs a pass over 140 MB; a month-by-
    month run (or a quarterly SLA re-evaluated in each month of its quarter) would repeat
    it, and the quarter's sums, every call. The state is tied to the frame's
    `interval_start` buffer: it holds a view of the column (so the buffer stays alive and,
    under pandas copy-on-write, any later write to the column copies it) and is used only
    while the frame's column is still that very buffer (`matches`). Column sums are tied
    to their own column buffers the same way (`IntervalSums.column`).
    """

    def __init__(self, series: pd.Series, t: agg.I64) -> None:
        self.series = series
        self.t = t
        self.address = _address(t)
        self.sorted = agg.is_sorted(t)
        self.sums: dict[tuple[int, int], agg.IntervalSums] = {}

    def matches(self, t: agg.I64) -> bool:
        return len(t) == len(self.t) and _address(t) == self.address

    def unmasked(self, lo: int, hi: int) -> agg.IntervalSums:
        """The sums of every row in [lo, hi) of a time-sorted frame (a slice, no copy)."""
        key = (lo, hi)
        sums = self.sums.pop(key, None)
        if sums is None:
            i, j = (int(x) for x in np.searchsorted(self.t, [lo, hi]))
            sums = agg.IntervalSums(slice(i, j), self.t[i:j], lo, ordered=True)
        self.sums[key] = sums  # most recently used last
        while len(self.sums) > _KEEP_SUMS:  # tolerant of another thread trimming too
            self.sums.pop(next(iter(self.sums), key), None)
        return sums


_KEEP_SUMS = 8  # period sums kept per frame: a few thousand int64 each, never row arrays
_STATES: dict[int, tuple[weakref.ref[pd.DataFrame], _State]] = {}


def _address(values: agg.I64) -> int:
    return int(values.__array_interface__["data"][0])


def _forget(key: int) -> Callable[[object], None]:
    def drop(_: object) -> None:
        _STATES.pop(key, None)
    return drop


def _state(frame: pd.DataFrame) -> _State:
    """The remembered state of `frame`, (re)built when its start times are new."""
    series = frame["interval_start"]
    dtype = series.dtype
    plain = (isinstance(dtype, pd.DatetimeTZDtype) and dtype.unit == "ns") or \
        dtype == np.dtype("datetime64[ns]")
    if not plain:  # converted on the fly: a fresh buffer every call, nothing to tie to
        return _State(series, agg.start_ns(frame))
    t = np.asarray(series.array.asi8, dtype=np.int64)
    key = id(frame)
    entry = _STATES.get(key)
    if entry is not None and entry[0]() is frame and entry[1].matches(t):
        return entry[1]
    state = _State(series, t)
    _STATES[key] = (weakref.ref(frame, _forget(key)), state)
    return state


class _Frame:
    """The interval rows of one evaluation, with their remembered state (`_State`)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.state = _state(frame) if len(frame) else None
        self.t = self.state.t if self.state is not None else np.zeros(0, dtype=np.int64)
        self.sorted = self.state.sorted if self.state is not None else True
        self._cache: dict[tuple[Any, ...], agg.IntervalSums] = {}
        self._columns: dict[tuple[int, str], agg.I64] = {}

    def sums(self, scope: tuple[Any, ...], contract: Contract, sla: Sla,
             lo: int, hi: int) -> agg.IntervalSums:
        key = (scope, lo, hi)
        if key not in self._cache:
            self._cache[key] = self._build(contract, sla, lo, hi)
        return self._cache[key]

    def column(self, sums: agg.IntervalSums) -> Callable[[str], agg.I64]:
        """`sums.column` on this frame, each column summed at most once per evaluation."""
        def col(name: str) -> agg.I64:
            key = (id(sums), name)
            if key not in self._columns:
                self._columns[key] = sums.column(self.frame, name)
            return self._columns[key]
        return col

    def _build(self, contract: Contract, sla: Sla, lo: int, hi: int) -> agg.IntervalSums:
        rows: slice | agg.I64
        if self.sorted:
            if self.state is not None and _unscoped(contract, sla):
                return self.state.unmasked(lo, hi)
            i, j = (int(x) for x in np.searchsorted(self.t, [lo, hi]))
            mask = _scope_mask(contract, sla, self.frame, slice(i, j), j - i)
            rows = slice(i, j) if mask is None else i + np.flatnonzero(mask)
        else:
            inside = (self.t >= lo) & (self.t < hi)
            idx = np.flatnonzero(inside)
            mask = _scope_mask(contract, sla, self.frame, idx, len(idx))
            rows = idx if mask is None else idx[mask]
        return agg.IntervalSums(rows, self.t[rows], lo, ordered=self.sorted)


def _scope_key(contract: Contract, sla: Sla) -> tuple[Any, ...]:
    return (frozenset(_queue_ids(contract, sla)), sla.channel)


def _queue_ids(contract: Contract, sla: Sla) -> set[str]:
    by_name = {q.name: q.id for q in contract.sources.queues}
    return {by_name.get(q, q) for q in sla.queues}


def _unscoped(contract: Contract, sla: Sla) -> bool:
    """Whether every row counts for `sla` (`_scope_mask` would be None)."""
    return not _queue_ids(contract, sla) and not sla.channel


def _scope_mask(contract: Contract, sla: Sla, frame: pd.DataFrame, rows: slice | agg.I64,
                n: int) -> agg.Mask | None:
    """Which of the `n` selected `rows` are of the SLA's queues and channel; None when
    every row counts. Reads only the scope columns of those rows (never copies a column)."""
    mask: agg.Mask | None = None
    queues = _queue_ids(contract, sla)
    if queues:
        mask = agg.queue_mask(frame["queue"], frozenset(queues), rows)
    if sla.channel:
        if "channel" in frame.columns:
            ch = agg.queue_mask(frame["channel"], frozenset({sla.channel}), rows)
        elif not queues and contract.sources.queues:
            ids = frozenset(q.id for q in contract.sources.queues if q.channel == sla.channel)
            ch = agg.queue_mask(frame["queue"], ids, rows)
        elif sla.channel == "voice":  # no channel column: every row is of the
            return mask if mask is not None else np.full(n, True)  # default channel
        else:
            return np.zeros(n, dtype=bool)
        mask = ch if mask is None else mask & ch
    return mask


def _status(sla: Sla, breached: bool) -> Status:
    if not breached:
        return Status.MET
    return Status.KEY_MEASUREMENT_MISSED if sla.key_measurement else Status.BREACHED


def _applied(windows: list[Window], calendar: OpenSpans) -> tuple[AppliedExclusion, ...]:
    out = []
    for w in windows:
        a, b = np.array([to_ns(w.start)]), np.array([to_ns(w.end)])
        ns = int(calendar.overlap_ns(a.astype(np.int64), b.astype(np.int64))[0])
        out.append(AppliedExclusion(w.exclusion.id, w.exclusion.reason, w.start, w.end,
                                    minutes(Decimal(ns))))
    return tuple(out)


def _below_minimum(sla: Sla, num: Decimal, den: Decimal) -> bool:
    if sla.minimum is None or den == 0:
        return False
    direction = sla.target.direction
    return not agg.meets(num, den, sla.minimum, direction)


def _insufficient(sla: Sla, target: Target, formula: str, details: dict[str, Any],
                  measured: Decimal = Decimal(0)) -> SlaResult:
    return SlaResult(
        sla_id=sla.id, metric=str(sla.metric), value=None, raw_value=None, target=target,
        status=Status.INSUFFICIENT_DATA,
        evidence=Evidence(Decimal(0), Decimal(0), 0, Decimal(0), formula,
                          measured_minutes=measured, details=details),
        minimum=sla.minimum, key_measurement=sla.key_measurement,
    )


def _short_formula(sla: Sla) -> str:
    if sla.metric is Metric.SERVICE_LEVEL:
        return str(sla.abandons)
    if sla.metric is Metric.ASA:
        return str(sla.denominator)
    if sla.metric is Metric.CSAT:
        return str(sla.method)
    if sla.metric is Metric.AVAILABILITY:
        return str(sla.formula)
    if sla.metric is Metric.ABANDON_RATE:
        return "excluding_short" if sla.short_abandon is not None else "all_abandons"
    return str(sla.metric)


def _count_result(sla: Sla, target: Target, frame: _Frame, contract: Contract, lo: int,
                  hi: int, cal: OpenSpans, excl: OpenSpans, details: dict[str, Any],
                  applied: tuple[AppliedExclusion, ...], excluded_min: Decimal,
                  keep_intervals: bool) -> SlaResult:
    formula = _short_formula(sla)
    measured = minutes(Decimal(int((cal.ends - cal.starts).sum())))
    missing = [c for c in required_columns(sla) if c not in frame.frame.columns]
    if missing:
        details["missing_columns"] = ", ".join(missing)
        details["missing"] = "missing columns: " + ", ".join(missing)
        return _insufficient(sla, target, formula, details, measured)
    sums = frame.sums(_scope_key(contract, sla), contract, sla, lo, hi)
    ratio: Ratio = ratio_for(sla, frame.column(sums))
    in_cal = cal.contains(sums.starts)
    excluded = excl.contains(sums.starts) & in_cal
    keep = in_cal & ~excluded
    method = sla.aggregation.method
    details["aggregation"] = str(method)
    details["formula_text"] = ratio.formula
    num, den = ratio.numerator, ratio.denominator
    if method is AggregationMethod.INTERVAL_COMPLIANCE:
        result = agg.interval_compliance(num, den, keep, target.value, target.direction)
        raw = agg.interval_compliance(num, den, in_cal, target.value, target.direction)
        share = sla.aggregation.share if sla.aggregation.share is not None else Decimal(1)
        details["share"] = str(share)
        breached = result.value is not None and not agg.meets(
            result.numerator, result.denominator, share, Direction.MIN)
    else:
        pick = agg.mean_of_ratios if method is AggregationMethod.MEAN_OF_RATIOS \
            else agg.volume_weighted
        result, raw = pick(num, den, keep), pick(num, den, in_cal)
        breached = result.value is not None and not agg.meets(
            result.numerator, result.denominator, target.value, target.direction)
    details["raw_numerator"], details["raw_denominator"] = raw.numerator, raw.denominator
    details["intervals_in_calendar"] = int(in_cal.sum())
    if in_cal.any():  # where the data begins: the outlook extrapolates from there on
        details["first_interval_ns"] = int(sums.starts[in_cal].min())
    per_interval = None
    if keep_intervals:
        per_interval = pd.DataFrame({
            "interval_start": pd.DatetimeIndex(sums.starts.view("datetime64[ns]"), tz="UTC"),
            "numerator": num, "denominator": den,
            "in_calendar": in_cal, "excluded": excluded,
        })
    evidence = Evidence(
        numerator=Decimal(result.numerator), denominator=Decimal(result.denominator),
        intervals=int(keep.sum()), excluded_minutes=excluded_min, formula=formula,
        exclusions=applied, measured_minutes=measured, details=details,
        per_interval=per_interval,
    )
    if result.value is None:
        return SlaResult(sla.id, str(sla.metric), None, raw.value, target,
                         Status.INSUFFICIENT_DATA, evidence, sla.minimum,
                         key_measurement=sla.key_measurement)
    below = method is not AggregationMethod.INTERVAL_COMPLIANCE and _below_minimum(
        sla, Decimal(result.numerator), Decimal(result.denominator))
    return SlaResult(sla.id, str(sla.metric), result.value, raw.value, target,
                     _status(sla, breached), evidence, sla.minimum, below,
                     sla.key_measurement)


def _availability_result(sla: Sla, target: Target, measurements: Measurements, lo: int,
                         hi: int, cal: OpenSpans, excl: OpenSpans, as_of: datetime,
                         details: dict[str, Any], applied: tuple[AppliedExclusion, ...],
                         have_data: bool, contract: Contract, label: str) -> SlaResult:
    formula = _short_formula(sla)
    if not have_data:
        details["missing"] = "no outage data supplied"
        return _insufficient(sla, target, formula, details)
    record = contract.measurement_of_record
    evidence = IndependentEvidence(contract.independent, measurements.observations)
    both = reconcile(sla, record, measurements.outages, evidence, cal, excl, lo, hi, as_of,
                     contract.tz, label) if evidence.sources else None
    if both is None:
        fig = availability(sla, measurements.outages, cal, excl, lo, hi, as_of)
        details["measurement_of_record"] = str(Record.VENDOR)
    else:
        fig = both.record
        details["measurement_of_record"] = str(record)
        details.update(evidence_details(both.reconciliation))
    details.update({
        "formula_text": fig.formula,
        "downtime_minutes": str(minutes(fig.downtime_ns)),
        "excluded_downtime_minutes": str(minutes(fig.excluded_downtime_ns)),
        "outages": fig.outages_counted,
    })
    evidence_of = Evidence(
        numerator=minutes(fig.numerator), denominator=minutes(fig.denominator),
        intervals=0, excluded_minutes=minutes(fig.excusable_ns), formula=formula,
        exclusions=applied, measured_minutes=minutes(fig.raw_denominator), details=details,
    )
    rec = both.reconciliation if both is not None else None
    if fig.denominator <= 0:
        return SlaResult(sla.id, str(sla.metric), None, None, target,
                         Status.INSUFFICIENT_DATA, evidence_of, sla.minimum,
                         key_measurement=sla.key_measurement, reconciliation=rec)
    value = fig.numerator / fig.denominator
    raw = fig.raw_numerator / fig.raw_denominator
    breached = not agg.meets(fig.numerator, fig.denominator, target.value, target.direction)
    return SlaResult(sla.id, str(sla.metric), value, raw, target, _status(sla, breached),
                     evidence_of, sla.minimum,
                     _below_minimum(sla, fig.numerator, fig.denominator), sla.key_measurement,
                     reconciliation=rec)


def _covered_minutes(calendar: Calendar, contract: Contract, start: datetime,
                     until: datetime, cal: OpenSpans, first_ns: int | None) -> Decimal:
    """Calendar minutes of [start, until) the data covers. Monitoring that began on the
    20th (or a backfill still under way) has no rows for the 1st-19th; judging the volume
    still to come by 19 empty days would call a repairable miss certain. Rows that begin
    late in the period (more than a day after its start: a quiet night or a closed first
    morning is not a gap) are taken to cover from their first interval on."""
    if first_ns is None or first_ns - to_ns(start) <= DAY_NS:
        return Decimal(cal.seconds) / 60
    first = datetime.fromtimestamp(first_ns / 1e9, tz=UTC)
    if first >= until:
        return Decimal(cal.seconds) / 60
    return Decimal(open_spans(calendar, first, until, contract.tz).seconds) / 60


def evaluate(
    contract: Contract,
    measurements: Measurements,
    period: Period,
    as_of: datetime,
    *,
    slas: Iterable[str] | None = None,
    availability_data: bool = True,
    keep_intervals: bool = True,
) -> Evaluation:
    """Evaluate the contract's SLAs (or those named in `slas`) for `period` as of `as_of`.

    `availability_data=False` says no outage feed was supplied, so availability SLAs are
    `insufficient_data` rather than a perfect 100 %. `keep_intervals=False` skips the
    per-interval evidence frames (for bulk runs).
    """
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    # The revision in force on the period's first day: an amendment never rewrites history.
    contract = contract.in_force(period.start.astimezone(contract.tz).date())
    wanted = set(slas) if slas is not None else None
    if wanted is not None:
        unknown = wanted - {s.id for s in contract.slas}
        if unknown:
            raise InputError(f"contract {contract.id} has no SLA {', '.join(sorted(unknown))}",
                             column="sla")
    frame = _Frame(measurements.intervals)
    spans_cache: dict[tuple[str, str, datetime], OpenSpans] = {}
    results: list[SlaResult] = []
    problems: list[str] = []
    for sla in contract.slas:
        if wanted is not None and sla.id not in wanted:
            continue
        target = sla.target
        try:
            own = period if sla.period is period.kind else period_containing(
                contract, sla.period, period.start)
        except InputError as exc:
            problems.append(f"{sla.id}: {exc}")
            results.append(_insufficient(sla, target, _short_formula(sla), {}))
            continue
        target = sla.target_on(own.start.astimezone(contract.tz).date())
        details: dict[str, Any] = {"period": own.label, "period_start": own.start.isoformat(),
                                   "period_end": own.end.isoformat()}
        # An open period is judged on what has happened by `as_of`: later rows are cut,
        # and availability counts elapsed minutes, not the whole period's.
        ended = as_of >= own.end
        until = own.end if ended else max(as_of, own.start)
        lo, hi = to_ns(own.start), to_ns(until)
        try:
            calendar = contract.calendar(sla.calendar)
        except KeyError:
            problems.append(f"{sla.id}: unknown calendar {sla.calendar!r}")
            results.append(_insufficient(sla, target, _short_formula(sla), details))
            continue
        for window_end in {own.end, until}:
            key = (sla.calendar, own.label, window_end)
            if key not in spans_cache:
                spans_cache[key] = open_spans(calendar, own.start, window_end, contract.tz)
        cal = spans_cache[(sla.calendar, own.label, until)]
        full = spans_cache[(sla.calendar, own.label, own.end)]
        windows = windows_for(sla, contract, own.start, own.end)
        excl = as_spans(windows)
        applied = _applied(windows, cal)
        excused = intersect(cal, excl)
        excluded_min = minutes(Decimal(int((excused.ends - excused.starts).sum())))
        if sla.metric is Metric.AVAILABILITY:
            result = _availability_result(sla, target, measurements, lo, hi, cal, excl, as_of,
                                          details, applied, availability_data,
                                          contract, own.label)
        else:
            result = _count_result(sla, target, frame, contract, lo, hi, cal, excl, details,
                                   applied, excluded_min, keep_intervals)
        left = Decimal((own.end.astimezone(UTC) - until.astimezone(UTC)).total_seconds()) \
            / SECONDS_PER_DAY
        elapsed = _covered_minutes(calendar, contract, own.start, until, cal,
                                   details.pop("first_interval_ns", None))
        remaining = Decimal(full.seconds - cal.seconds) / 60
        details.update(outlook(sla, result, ended=ended, elapsed_minutes=elapsed,
                               total_minutes=elapsed + remaining,
                               remaining_days=left).as_details())
        if result.status is Status.INSUFFICIENT_DATA:
            why = details.get("missing") or "no volume in the period"
            problems.append(f"{sla.id}: insufficient data ({why})")
        results.append(result)
    status = "open" if as_of < period.end else "provisional"
    return Evaluation(contract.id, period, as_of, status, tuple(results), tuple(problems))
