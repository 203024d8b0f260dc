"""Rules for one SLA entry: metric-specific keys, units, target steps, minimum, credits.

Percent metrics (service level, abandon rate, FCR, CSAT, availability) take percentages;
time metrics (ASA, AHT) take durations. Abandon rate, ASA and AHT are maxima (`{max: 5%}`),
the others minima. Credit tables are checked with `tiers` against the SLA's base target.
"""

from __future__ import annotations

from decimal import Decimal

from monitor.domain.contract import SECONDS_METRICS
from monitor.spec import v1
from monitor.spec.report import Report, missing_calendar
from monitor.spec.tiers import DescribeValue, regions, tier_interval
from monitor.spec.tiers import gaps as tier_gaps
from monitor.spec.values import Measure, percent_hint
from monitor.spec.yamlpos import PathKey

MAX_METRICS = frozenset({"asa", "abandon_rate", "aht"})
# A ceiling (burn-out) or a floor (paid-for seats kept busy): the contract says which.
EITHER_WAY = frozenset({"occupancy"})
# The sources whose data carries occupancy's counts (agent_busy_seconds, agent_idle_seconds);
# the vendor collectors do not fetch agent states yet (docs/collectors.md).
OCCUPANCY_SOURCES = frozenset({"csv"})
ONLY_FOR: dict[str, frozenset[str]] = {
    "threshold": frozenset({"service_level"}),
    "abandons": frozenset({"service_level"}),
    "short_abandon": frozenset({"service_level", "abandon_rate"}),
    "formula": frozenset({"availability"}),
    "components": frozenset({"availability"}),
    "min_downtime": frozenset({"availability"}),
    "denominator": frozenset({"asa"}),
    "method": frozenset({"csat"}),
}


def check_sla(spec: v1.ContractSpec, i: int, sla: v1.SlaSpec, report: Report) -> None:
    base: PathKey = ("slas", i)
    for key in sorted(sla.model_fields_set & ONLY_FOR.keys()):
        allowed = ONLY_FOR[key]
        if sla.metric not in allowed:
            report.error((*base, key), f"only applies to {' and '.join(sorted(allowed))} "
                         f"(this SLA measures {sla.metric})")
    if sla.metric == "service_level" and sla.threshold is None:
        report.error((*base, "threshold"), "is required for service_level, e.g. threshold: 20s")
    for key in ("threshold", "short_abandon"):
        value = getattr(sla, key)
        if value is not None and value.total_seconds() <= 0:  # 0s: every contact would miss
            report.error((*base, key), "must be longer than zero")
    if sla.metric == "occupancy":
        _occupancy_source(spec, base, report)
    if sla.abandons in ("short_as_success", "exclude_short") and sla.short_abandon is None:
        report.error((*base, "short_abandon"), f"is required with abandons: {sla.abandons}")
    agg = sla.aggregation
    if agg.method == "interval_compliance" and agg.share is None:
        report.error((*base, "aggregation"), "interval_compliance needs share, e.g. 90%")
    if agg.method != "interval_compliance" and agg.share is not None:
        report.error((*base, "aggregation", "share"), "only applies to interval_compliance")
    if sla.calendar != "24x7" and sla.calendar not in spec.calendars:
        report.error((*base, "calendar"), missing_calendar(sla.calendar, spec))
    _queues(spec, sla, base, report)
    targets = _targets(spec, sla, base, report)
    if sla.minimum is not None and _unit_ok(sla.minimum, sla.metric, (*base, "minimum"), report):
        _minimum(sla, sla.minimum.value, targets, base, report)
    if sla.credits is not None:
        _credits(spec, sla, sla.credits, (*base, "credits"), targets, report)


def _unit_ok(measure: Measure, metric: str, path: PathKey, report: Report) -> bool:
    if metric in SECONDS_METRICS:
        if measure.unit != "seconds":
            report.error(path, f"must be a duration such as '30s' ({metric} is a time)")
            return False
        return True
    if measure.unit == "seconds":
        report.error(path, f"must be a percentage such as '80%' ({metric} is a percentage)")
        return False
    if measure.value > 1:
        hint = percent_hint(measure.value) if measure.unit == "number" else ""
        report.error(path, "must be between 0% and 100%" + hint)
        return False
    return True


def _target_value(sla: v1.SlaSpec, target: v1.TargetSpec, path: PathKey,
                  report: Report) -> Decimal | None:
    """Check one target; return its value if usable for further rules."""
    if (target.min is None) == (target.max is None):
        report.error(path, "write exactly one of min or max, e.g. {max: 5%}")
        return None
    is_max = target.max is not None
    raw = report.raw(path)
    measure = target.max if is_max else target.min
    assert measure is not None
    where = (*path, "max" if is_max else "min") if isinstance(raw, dict) else path
    if not _unit_ok(measure, sla.metric, where, report):
        return None
    if sla.metric in EITHER_WAY:
        return measure.value
    if sla.metric in MAX_METRICS and not is_max:
        report.error(path, f"{sla.metric} is a maximum: write {{max: {measure}}}")
        return None
    if sla.metric not in MAX_METRICS and is_max:
        report.error(path, f"{sla.metric} is a minimum: write target: {measure}")
        return None
    return measure.value


def _targets(spec: v1.ContractSpec, sla: v1.SlaSpec, base: PathKey,
             report: Report) -> list[Decimal]:
    """The base target then each step's: checked, in order; unusable ones are left out."""
    found: list[Decimal] = []
    first = _target_value(sla, sla.target, (*base, "target"), report)
    if first is not None:
        found.append(first)
    eff = spec.metadata.effective
    previous = None
    for j, step in enumerate(sla.targets):
        path = (*base, "targets", j)
        value = _target_value(sla, step.target, (*path, "target"), report)
        if value is not None:
            found.append(value)
        if previous is not None and step.from_ <= previous:
            report.error((*path, "from"), f"must come after the previous step ({previous})")
        if step.from_ < eff.from_ or (eff.to is not None and step.from_ > eff.to):
            term = f"{eff.from_}..{eff.to or 'open'}"
            report.error((*path, "from"), f"{step.from_} is outside the contract term {term}")
        previous = step.from_
    return found


def _minimum(sla: v1.SlaSpec, minimum: Decimal, targets: list[Decimal], base: PathKey,
             report: Report) -> None:
    fmt = DescribeValue(sla.metric not in SECONDS_METRICS)
    is_max = sla.metric in MAX_METRICS
    for target in targets:
        if (is_max and minimum <= target) or (not is_max and minimum >= target):
            side = "above" if is_max else "below"
            report.error((*base, "minimum"), f"must be {side} the target {fmt(target)}: the "
                         "minimum level sits on the failing side of the expected level")
            return


def _queues(spec: v1.ContractSpec, sla: v1.SlaSpec, base: PathKey, report: Report) -> None:
    known = {q.id for src in spec.sources for q in src.queues}
    for j, queue in enumerate(sla.queues):
        if queue not in known:
            report.error((*base, "queues", j), f"queue {queue!r} is not listed in sources.queues")


def _credits(spec: v1.ContractSpec, sla: v1.SlaSpec, credits: v1.CreditsSpec, path: PathKey,
             targets: list[Decimal], report: Report) -> None:
    if not credits.tiers and credits.allocation is None and credits.per_point is None:
        report.error(path, "needs tiers, allocation or per_point")
    if credits.tiers and credits.base is None:
        report.error((*path, "tiers"), "tiers need credits.base, e.g. base: fees.monthly")
    if credits.base is not None and credits.base.removeprefix("fees.") not in spec.fees:
        report.error((*path, "base"), f"no fee named {credits.base.removeprefix('fees.')!r} "
                     "under fees")
    if credits.allocation is not None and spec.at_risk is None:
        report.error((*path, "allocation"), "needs an at_risk section to allocate from")
    if credits.category is not None and (
        spec.at_risk is None or credits.category not in spec.at_risk.categories
    ):
        report.error((*path, "category"),
                     f"unknown at-risk category {credits.category!r} (see at_risk.categories)")
    trigger = credits.earnback.trigger if credits.earnback is not None else None
    if isinstance(trigger, Measure):
        _unit_ok(trigger, sla.metric, (*path, "earnback", "trigger"), report)
    if credits.tiers:
        _tiers(sla, credits, path, targets[0] if targets else None, report)


def _tiers(sla: v1.SlaSpec, credits: v1.CreditsSpec, path: PathKey, target: Decimal | None,
           report: Report) -> None:
    ratio = sla.metric not in SECONDS_METRICS
    fmt = DescribeValue(ratio)
    intervals = []
    usable = True
    for j, tier in enumerate(credits.tiers):
        tpath = (*path, "tiers", j)
        for key in ("below", "at_least", "above", "at_most"):
            bound = getattr(tier, key)
            if bound is not None and not _unit_ok(bound, sla.metric, (*tpath, key), report):
                usable = False
        if tier.below is not None and tier.at_most is not None:
            report.error(tpath, "use either below or at_most, not both")
        if tier.above is not None and tier.at_least is not None:
            report.error(tpath, "use either above or at_least, not both")
        values = [None if b is None else b.value
                  for b in (tier.below, tier.at_least, tier.above, tier.at_most)]
        interval = tier_interval(*values)
        if interval.empty():
            report.error(tpath, "its bounds leave no value in the tier")
            usable = False
        intervals.append(interval)
    if not usable or target is None:
        return
    failing, met = regions(target, sla.metric not in MAX_METRICS, ratio)
    for j, interval in enumerate(intervals):
        inside = interval.intersect(met)
        if not inside.empty():
            report.error((*path, "tiers", j), f"covers {inside.describe(fmt)}, which meets the "
                         f"target {fmt(target)}; tiers are for misses only")
        for k in range(j):
            common = interval.intersect(intervals[k])
            if not common.empty():
                report.error((*path, "tiers", j),
                             f"overlaps tiers[{k}] on {common.describe(fmt)}")
    for gap in tier_gaps(intervals, failing):
        report.error((*path, "tiers"), f"no tier covers {gap.describe(fmt)}: a value there "
                     f"misses the target {fmt(target)} but earns no credit")


def _occupancy_source(spec: v1.ContractSpec, base: PathKey, report: Report) -> None:
    """Occupancy is measured where a source carries agents' busy and idle time: a contract
    with none of those gets a warning that says where the data must come from."""
    platforms = sorted({str(src.platform) for src in spec.sources})
    if not set(platforms) & OCCUPANCY_SOURCES:
        report.warn((*base, "metric"),
                    f"occupancy needs agent_busy_seconds and agent_idle_seconds, which the "
                    f"{', '.join(platforms) or 'contract'} collector does not fetch: import "
                    "them (`slamon import intervals`, docs/interchange.md) or add a csv "
                    "source, else this SLA reports insufficient_data")
