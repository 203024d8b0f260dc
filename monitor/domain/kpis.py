"""Count-based KPIs as exact (numerator, denominator) pairs per interval.

Every KPI is a ratio of sums of interval counts, so aggregation over a period is a sum of
numerators over a sum of denominators (volume-weighted) and never an average of ratios.
Definitions (penalty_formulas.md §1):

Service level, threshold T, short-abandon timer S, Ans = answered, Abn = abandoned:
  F1 positive                 (Ans<=T + Abn<=T) / (Ans + Abn)
  F2 ignore                   Ans<=T / Ans
  F3 negative                 Ans<=T / (Ans + Abn)
  F4 exclude_within_threshold Ans<=T / (Ans + Abn - Abn<=T)
  F5 short_as_success         (Ans<=T + Abn<=S) / (Ans + Abn)
  F6 exclude_short            Ans<=T / (Ans + Abn - Abn<=S)
  `short_abandon` (S) is the timer of F5/F6; under F1-F4 the treatment already says what
  abandons do, and S is not applied again. The denominator uses Ans + Abn (contacts that
  left the queue), which equals `offered` when there are no flow-outs.
ASA: answer_wait_seconds / answered (or / offered, the "calls received" basis).
Abandon rate: Abn / offered; with S: (Abn - Abn<=S) / (offered - Abn<=S).
AHT: handle_seconds / handled.  FCR: fcr_resolved / fcr_eligible.
CSAT top-2-box: (csat_4 + csat_5) / responses; mean-score (5 = 100 %, 4 = 75 % ... 1 = 0 %):
  sum((k - 1) * csat_k) / (4 * responses).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import numpy.typing as npt

from monitor.domain.contract import AbandonTreatment, AsaDenominator, CsatMethod, Metric, Sla
from monitor.domain.measurements import OCCUPANCY_COLUMNS, threshold_column

Counts = npt.NDArray[np.int64]
Column = Callable[[str], Counts]


class MissingColumns(Exception):
    def __init__(self, columns: list[str]) -> None:
        self.columns = columns
        super().__init__(", ".join(columns))


@dataclass(frozen=True, eq=False)
class Ratio:
    """Per-interval numerators and denominators of one KPI, and how they were formed."""

    numerator: Counts
    denominator: Counts
    formula: str


def _seconds(value: timedelta) -> int:
    return int(value.total_seconds())


def required_columns(sla: Sla) -> list[str]:
    """The interval columns `sla` needs (beyond queue and time)."""
    m = sla.metric
    if m is Metric.SERVICE_LEVEL:
        t = _seconds(sla.threshold) if sla.threshold is not None else 20
        cols = ["answered", "abandoned", threshold_column("answered_within_", t)]
        if sla.abandons in (AbandonTreatment.POSITIVE, AbandonTreatment.EXCLUDE_WITHIN_THRESHOLD):
            cols.append(threshold_column("abandoned_within_", t))
        if sla.abandons in (AbandonTreatment.SHORT_AS_SUCCESS, AbandonTreatment.EXCLUDE_SHORT):
            cols.append(threshold_column("abandoned_within_", _short(sla)))
        return cols
    if m is Metric.ASA:
        basis = "offered" if sla.denominator is AsaDenominator.OFFERED else "answered"
        return ["answer_wait_seconds", basis]
    if m is Metric.ABANDON_RATE:
        cols = ["abandoned", "offered"]
        if sla.short_abandon is not None:
            cols.append(threshold_column("abandoned_within_", _short(sla)))
        return cols
    if m is Metric.AHT:
        return ["handle_seconds", "handled"]
    if m is Metric.FCR:
        return ["fcr_resolved", "fcr_eligible"]
    if m is Metric.CSAT:
        return [f"csat_{k}" for k in range(1, 6)]
    if m is Metric.OCCUPANCY:
        return list(OCCUPANCY_COLUMNS)
    raise ValueError(f"{m} is not a count-based KPI")


def _short(sla: Sla) -> int:
    if sla.short_abandon is None:
        raise ValueError(f"SLA {sla.id}: abandons {sla.abandons} needs short_abandon")
    return _seconds(sla.short_abandon)


def service_level(sla: Sla, col: Column) -> Ratio:
    t = _seconds(sla.threshold) if sla.threshold is not None else 20
    ans_t = col(threshold_column("answered_within_", t))
    handled = col("answered") + col("abandoned")
    a = sla.abandons
    if a is AbandonTreatment.POSITIVE:
        return Ratio(ans_t + col(threshold_column("abandoned_within_", t)), handled,
                     f"F1 positive: (answered<={t}s + abandoned<={t}s) / (answered + abandoned)")
    if a is AbandonTreatment.IGNORE:
        return Ratio(ans_t, col("answered"), f"F2 ignore: answered<={t}s / answered")
    if a is AbandonTreatment.NEGATIVE:
        return Ratio(ans_t, handled, f"F3 negative: answered<={t}s / (answered + abandoned)")
    if a is AbandonTreatment.EXCLUDE_WITHIN_THRESHOLD:
        abn_t = col(threshold_column("abandoned_within_", t))
        return Ratio(ans_t, handled - abn_t, f"F4 exclude_within_threshold: answered<={t}s / "
                     f"(answered + abandoned - abandoned<={t}s)")
    s = _short(sla)
    abn_s = col(threshold_column("abandoned_within_", s))
    if a is AbandonTreatment.SHORT_AS_SUCCESS:
        return Ratio(ans_t + abn_s, handled, f"F5 short_as_success: (answered<={t}s + "
                     f"abandoned<={s}s) / (answered + abandoned)")
    return Ratio(ans_t, handled - abn_s, f"F6 exclude_short: answered<={t}s / "
                 f"(answered + abandoned - abandoned<={s}s)")


def ratio_for(sla: Sla, col: Column) -> Ratio:
    """The per-interval ratio of a count-based SLA (check `required_columns` first)."""
    m = sla.metric
    if m is Metric.SERVICE_LEVEL:
        return service_level(sla, col)
    if m is Metric.ASA:
        basis = "offered" if sla.denominator is AsaDenominator.OFFERED else "answered"
        return Ratio(col("answer_wait_seconds"), col(basis),
                     f"ASA: answer_wait_seconds / {basis}")
    if m is Metric.ABANDON_RATE:
        if sla.short_abandon is None:
            return Ratio(col("abandoned"), col("offered"), "abandoned / offered")
        s = _short(sla)
        abn_s = col(threshold_column("abandoned_within_", s))
        return Ratio(col("abandoned") - abn_s, col("offered") - abn_s,
                     f"(abandoned - abandoned<={s}s) / (offered - abandoned<={s}s)")
    if m is Metric.AHT:
        return Ratio(col("handle_seconds"), col("handled"), "AHT: handle_seconds / handled")
    if m is Metric.FCR:
        return Ratio(col("fcr_resolved"), col("fcr_eligible"), "fcr_resolved / fcr_eligible")
    if m is Metric.CSAT:
        c = [col(f"csat_{k}") for k in range(1, 6)]
        responses = c[0] + c[1] + c[2] + c[3] + c[4]
        if sla.method is CsatMethod.MEAN_SCORE:
            return Ratio(c[1] + 2 * c[2] + 3 * c[3] + 4 * c[4], 4 * responses,
                         "CSAT mean score: sum((k-1) * csat_k) / (4 * responses)")
        return Ratio(c[3] + c[4], responses, "CSAT top-2-box: (csat_4 + csat_5) / responses")
    if m is Metric.OCCUPANCY:
        busy = col("agent_busy_seconds")
        return Ratio(busy, busy + col("agent_idle_seconds"),
                     "occupancy: agent_busy_seconds / (agent_busy_seconds + agent_idle_seconds)")
    raise ValueError(f"{m} is not a count-based KPI")
