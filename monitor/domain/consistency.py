"""How evenly one period's SLAs were met across queues and sites. Pure.

`patterns.consistency` ranks each queue's (or site's) attainment against the aggregate; this
module gathers it for every count-based SLA of an evaluation and sums each up as the
*spread*: best minus worst attainment, in the SLA's unit (a ratio, or seconds for ASA/AHT).
A month at 82 % made of one queue at 95 % and one at 60 % is a different month from 82 %
everywhere, and procurement needs to see which: the scorecard, the XLSX, the JSON report and
`slamon_sla_attainment_spread_ratio` show it.

`with_consistency` records each spread in its result's `evidence.details`
(`spread_queue`, `spread_site`, decimal text), so stored results carry it to `/metrics`
without re-reading intervals at scrape time. A spread needs two groups or more: one queue
has nothing to be uneven with.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

import pandas as pd

from monitor.domain.contract import Contract, Direction, Metric, Sla
from monitor.domain.kpis import MissingColumns
from monitor.domain.patterns import Key, Standing, consistency, queue_key, site_key
from monitor.domain.results import Evaluation

DIMENSIONS: tuple[str, ...] = ("queue", "site")
KEYS: dict[str, Key] = {"queue": queue_key, "site": site_key}
PLACES = Decimal("0.000001")


def detail_key(dimension: str) -> str:
    return f"spread_{dimension}"


@dataclass(frozen=True)
class Consistency:
    """One SLA's attainment per queue (or site), weakest first, in one period."""

    sla_id: str
    metric: str
    dimension: str  # queue | site
    target: Decimal
    direction: Direction
    standings: tuple[Standing, ...]

    @property
    def best(self) -> Standing:
        return self.standings[-1]

    @property
    def worst(self) -> Standing:
        return self.standings[0]

    @property
    def spread(self) -> Decimal:
        """Best minus worst attainment (never negative), 6 decimal places."""
        return abs(self.best.attainment - self.worst.attainment).quantize(PLACES)

    @property
    def meeting_target(self) -> int:
        return sum(1 for s in self.standings if s.meets_target)


def _dimensions(contract: Contract) -> tuple[str, ...]:
    has_sites = any(q.site for q in contract.sources.queues)
    return DIMENSIONS if has_sites else ("queue",)


def consistency_of(contract: Contract, evaluation: Evaluation,
                   frame: pd.DataFrame) -> list[Consistency]:
    """Every count-based SLA of `evaluation` that is measured over the evaluation's own
    period, split by queue and (when the contract names sites) by site; SLAs whose columns
    the data lacks, and splits with fewer than two groups, are left out."""
    out: list[Consistency] = []
    period = evaluation.period
    if frame is None or frame.empty:
        return out
    measured = {r.sla_id for r in evaluation.results}
    for sla in contract.slas:
        if not _applies(sla, period.kind, measured):
            continue
        target = sla.target_on(period.first_day)
        for dimension in _dimensions(contract):
            try:
                standings = consistency(frame, contract, sla, period, KEYS[dimension])
            except MissingColumns:
                break
            if len(standings) >= 2:
                out.append(Consistency(sla.id, str(sla.metric), dimension, target.value,
                                       target.direction, tuple(standings)))
    return out


def _applies(sla: Sla, kind: object, measured: set[str]) -> bool:
    return sla.metric is not Metric.AVAILABILITY and sla.period is kind and sla.id in measured


def with_consistency(evaluation: Evaluation, found: list[Consistency]) -> Evaluation:
    """`evaluation` with each spread of `found` in its SLA result's evidence details."""
    spreads: dict[str, dict[str, str]] = {}
    for item in found:
        spreads.setdefault(item.sla_id, {})[detail_key(item.dimension)] = str(item.spread)
    if not spreads:
        return evaluation
    results = tuple(
        r if r.sla_id not in spreads else replace(r, evidence=replace(
            r.evidence, details={**r.evidence.details, **spreads[r.sla_id]}))
        for r in evaluation.results)
    return replace(evaluation, results=results)
