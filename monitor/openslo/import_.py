"""OpenSLO SLOs -> the SLA entries of a `slamon/v1` contract draft.

References are resolved across every file given (`indicatorRef` -> SLI, `alertPolicyRef`
-> AlertPolicy, `metricSourceRef` -> DataSource, `spec.service` -> Service). An SLO that
slamon exported carries `slamon.dev/...` annotations and comes back exactly; a foreign SLO
maps what OpenSLO says (window, budgeting method, target) and leaves the rest to a person
(see `draft`). Nothing is dropped silently: every construct slamon cannot hold is a
problem with `file:line` (warnings when the draft is still written, errors when not).

Mapping, inverse of `export`:
- `timeWindow` calendar `1M`/`1Q`/`1Y` (or `3M`, `12M`) -> `period` month/quarter/year;
  a rolling window or another length has no contractual period (warning, month assumed);
- Occurrences -> volume-weighted, `target` is the level; Timeslices -> interval compliance,
  `timeSliceTarget` is the level and `target` the share; RatioTimeslices -> mean of ratios;
- a level of good events becomes `{max: 1 - level}` for abandon rate (good = not
  abandoned); a `thresholdMetric` objective `lte value` becomes `{max: value s}` (ASA, AHT).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from monitor.errors import Problem
from monitor.openslo import codec
from monitor.openslo.reader import Located

PERIODS = {"1M": "month", "3M": "quarter", "1Q": "quarter", "12M": "year", "4Q": "year",
           "1Y": "year"}
MAX_RATIO_METRICS = frozenset({"abandon_rate"})
SECONDS_METRICS = frozenset({"asa", "aht"})
OWN = ("contract", "sla", "metric")  # annotations that name the SLA rather than a field
KEYWORDS = (("abandon", "abandon_rate"), ("availab", "availability"), ("uptime", "availability"),
            ("service level", "service_level"), ("answered", "service_level"),
            ("csat", "csat"), ("satisf", "csat"), ("first contact", "fcr"), ("fcr", "fcr"))


@dataclass
class Imported:
    """One SLO as a contract SLA, with the places a person must look at."""

    slo: Located
    sla: dict[str, Any]
    contract_id: str | None  # from `slamon.dev/contract`; None for a foreign SLO
    service: str
    human: dict[str, str] = field(default_factory=dict)  # SLA key -> what to fill in
    timezone: str | None = None
    start: str | None = None  # the calendar window's first day


class Index:
    """Every document by kind and name; a name defined twice differently is an error."""

    def __init__(self, docs: list[Located]) -> None:
        self.by_kind: dict[str, dict[str, Located]] = {}
        self.problems: list[Problem] = []
        for d in docs:
            if not d.kind:
                self.problems.append(d.problem((), "not an OpenSLO document (no kind)"))
                continue
            if d.data.get("apiVersion") != codec.API_VERSION:
                self.problems.append(d.problem(("apiVersion",), "only openslo/v1 is read, got "
                                               f"{d.data.get('apiVersion')!r}"))
                continue
            same = self.by_kind.setdefault(d.kind, {})
            held = same.get(d.name)
            if held is not None and held.data != d.data:
                self.problems.append(d.problem(("metadata", "name"), f"{d.kind} {d.name!r} is "
                                               f"also defined differently at {held.file}:"
                                               f"{held.line()}"))
                continue
            same.setdefault(d.name, d)

    def get(self, kind: str, name: str) -> Located | None:
        return self.by_kind.get(kind, {}).get(name)

    def all(self, kind: str) -> list[Located]:
        return list(self.by_kind.get(kind, {}).values())


def _number(raw: object) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        return None


def annotations_of(d: Mapping[str, Any]) -> dict[str, str]:
    meta = d.get("metadata")
    found = meta.get("annotations") if isinstance(meta, Mapping) else None
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, Mapping) else {}


def import_slo(slo: Located, index: Index, problems: list[Problem]) -> Imported | None:
    spec = slo.data.get("spec")
    if not isinstance(spec, Mapping):
        problems.append(slo.problem(("spec",), "an SLO needs a spec"))
        return None
    ann = annotations_of(slo.data)
    contract_id = ann.get(codec.key("contract"))
    sli = _indicator(slo, spec, index, problems)
    if sli is None:
        return None
    metric = ann.get(codec.key("metric"))
    guessed = metric is None
    if metric is None and "thresholdMetric" in sli:
        problems.append(slo.problem(("spec", "objectives"), "a thresholdMetric SLO without "
                                    "slamon.dev/metric: slamon cannot tell which time KPI "
                                    "(asa, aht) it is, nor the unit of its value; not imported",
                                    "warning"))
        return None
    if metric is None:
        metric = _guess_metric(slo.data)
    sla_id = ann.get(codec.key("sla")) or slo.name
    imp = Imported(slo, {"id": sla_id}, contract_id, str(spec.get("service", "")))
    if spec.get("description"):
        imp.sla["description"] = str(spec["description"])
    imp.sla["metric"] = metric
    if guessed:
        imp.human["metric"] = "OpenSLO does not say which KPI this is; pick one of " \
            "service_level, asa, abandon_rate, aht, fcr, csat, availability"
    for name, value in ann.items():
        fname = codec.field_of(name)
        if fname is None or fname in OWN:
            continue
        try:
            imp.sla[fname] = codec.decode(value, slo.file)
        except ValueError as exc:
            problems.append(slo.problem(("metadata", "annotations", name), str(exc)))
    _window(imp, spec, problems)
    if not _objective(imp, spec, sli, problems):
        return None
    if guessed:
        _foreign_defaults(imp)
        for i, policy in enumerate(spec.get("alertPolicies") or []):
            problems.append(slo.problem(("spec", "alertPolicies", i), "alert policies are not "
                                        "imported: `slamon alerts generate` writes burn-rate "
                                        "alerts from the contract", "warning"))
            _check_ref(slo, policy, "alertPolicyRef", "AlertPolicy", index, problems,
                       ("spec", "alertPolicies", i))
    return imp


def _check_ref(d: Located, node: object, ref_key: str, kind: str, index: Index,
               problems: list[Problem], path: tuple[str | int, ...]) -> None:
    if isinstance(node, Mapping) and ref_key in node and index.get(kind, str(node[ref_key])) \
            is None:
        problems.append(d.problem(path, f"{ref_key} {node[ref_key]!r}: no {kind} of that name "
                                  "in the files given", "warning"))


def _indicator(slo: Located, spec: Mapping[str, Any], index: Index,
               problems: list[Problem]) -> Mapping[str, Any] | None:
    objectives = spec.get("objectives") or []
    if any(isinstance(o, Mapping) and ("indicator" in o or "indicatorRef" in o)
           for o in objectives) or ("indicator" not in spec and "indicatorRef" not in spec):
        problems.append(slo.problem(("spec", "objectives"), "composite SLO (objectives with "
                                    "their own indicators) is not supported: a contract SLA "
                                    "measures one KPI; not imported", "warning"))
        return None
    if "indicatorRef" in spec:
        ref = str(spec["indicatorRef"])
        found = index.get("SLI", ref)
        if found is None:
            problems.append(slo.problem(("spec", "indicatorRef"), f"no SLI named {ref!r} in the "
                                        "files given"))
            return None
        sli_spec = found.data.get("spec")
        owner = found
    else:
        indicator = spec["indicator"]
        sli_spec = indicator.get("spec") if isinstance(indicator, Mapping) else None
        owner = slo
    if not isinstance(sli_spec, Mapping) or \
            ("ratioMetric" in sli_spec) == ("thresholdMetric" in sli_spec):
        problems.append(owner.problem(("spec",), "the SLI needs exactly one of ratioMetric or "
                                      "thresholdMetric"))
        return None
    base: tuple[str | int, ...] = ("spec",) if owner is not slo else ("spec", "indicator",
                                                                        "spec")
    kind = "ratioMetric" if "ratioMetric" in sli_spec else "thresholdMetric"
    metric = sli_spec[kind]
    parts = [(p,) for p in ("good", "bad", "total", "raw")] if kind == "ratioMetric" else [()]
    seen: set[str] = set()
    for part in parts:
        node = metric.get(part[0]) if part and isinstance(metric, Mapping) else metric
        source = node.get("metricSource") if isinstance(node, Mapping) else None
        source_ref = source.get("metricSourceRef") if isinstance(source, Mapping) else None
        if source_ref is not None and str(source_ref) not in seen:
            seen.add(str(source_ref))
            _check_ref(owner, source, "metricSourceRef", "DataSource", index, problems,
                       (*base, kind, *part, "metricSource", "metricSourceRef"))
    return sli_spec


def _guess_metric(slo: Mapping[str, Any]) -> str:
    meta = slo.get("metadata") or {}
    spec = slo.get("spec") or {}
    text = " ".join(str(x) for x in (meta.get("name"), meta.get("displayName"),
                                     spec.get("description"), spec.get("service"))).lower()
    text = text.replace("-", " ").replace("_", " ")
    for word, metric in KEYWORDS:
        if word in text:
            return metric
    return "availability"


def _window(imp: Imported, spec: Mapping[str, Any], problems: list[Problem]) -> None:
    windows = spec.get("timeWindow")
    path: tuple[str | int, ...] = ("spec", "timeWindow")
    if not isinstance(windows, list) or len(windows) != 1 or not isinstance(windows[0],
                                                                            Mapping):
        problems.append(imp.slo.problem(path, "needs exactly one time window; the contract "
                                        "period is assumed monthly", "warning"))
        imp.sla["period"] = "month"
        imp.human["period"] = "no usable time window in the SLO"
        return
    window = windows[0]
    duration = str(window.get("duration", ""))
    calendar = window.get("calendar")
    rolling = window.get("isRolling", not isinstance(calendar, Mapping))
    if isinstance(calendar, Mapping):
        imp.timezone = str(calendar.get("timeZone")) if calendar.get("timeZone") else None
        start = str(calendar.get("startTime", ""))
        imp.start = start[:10] if len(start) >= 10 else None
    period = PERIODS.get(duration)
    if rolling or period is None:
        what = f"a rolling {duration} window" if rolling else f"a {duration} calendar window"
        problems.append(imp.slo.problem((*path, 0), f"{what} is not a contract period (a "
                                        "calendar month, quarter or year); imported as a "
                                        "calendar month", "warning"))
        imp.human["period"] = f"the SLO had {what}"
        period = "month"
    imp.sla["period"] = period


def _objective(imp: Imported, spec: Mapping[str, Any], sli: Mapping[str, Any],
               problems: list[Problem]) -> bool:
    objectives = [o for o in spec.get("objectives") or [] if isinstance(o, Mapping)]
    if not objectives:
        problems.append(imp.slo.problem(("spec", "objectives"), "an SLO needs an objective"))
        return False
    levels = [(_level(o), i) for i, o in enumerate(objectives)]
    known = [(v, i) for v, i in levels if v is not None]
    if not known:
        problems.append(imp.slo.problem(("spec", "objectives", 0), "no target or "
                                        "targetPercent in [0, 1) / [0, 100)"))
        return False
    # Several objectives: the loosest is the contractual floor; the others are internal.
    _, chosen = min(known)
    for _, i in known:
        if i != chosen:
            name = objectives[i].get("displayName", f"objectives[{i}]")
            problems.append(imp.slo.problem(("spec", "objectives", i), f"objective {name!r} "
                                            "not imported: an SLA has one contractual target "
                                            "(the loosest objective was kept)", "warning"))
    objective = objectives[chosen]
    method = spec.get("budgetingMethod", "Occurrences")
    metric = imp.sla["metric"]
    if "thresholdMetric" in sli:
        value = _number(objective.get("value"))
        if metric not in SECONDS_METRICS or value is None:
            problems.append(imp.slo.problem(("spec", "objectives", chosen), "a thresholdMetric "
                                            "SLO maps only to a time KPI (asa, aht) with a "
                                            "value in seconds; not imported", "warning"))
            return False
        side = "max" if objective.get("op", "lte") in ("lte", "lt") else "min"
        imp.sla["target"] = {side: codec.seconds(value)}
        return True
    level = {i: v for v, i in known}[chosen]
    if method == "Timeslices":
        slice_level = _number(objective.get("timeSliceTarget"))
        if slice_level is None:
            problems.append(imp.slo.problem(("spec", "objectives", chosen, "timeSliceTarget"),
                                            "is required with Timeslices"))
            return False
        imp.sla["aggregation"] = {"method": "interval_compliance",
                                  "share": codec.percent(level)}
        _slice_window(imp, objective, chosen, problems)
        level = slice_level
    elif method == "RatioTimeslices":
        imp.sla["aggregation"] = "mean_of_ratios"
        _slice_window(imp, objective, chosen, problems)
    if metric in MAX_RATIO_METRICS:
        imp.sla["target"] = {"max": codec.percent(1 - level)}
    else:
        imp.sla["target"] = codec.percent(level)
    return True


def _level(objective: Mapping[str, Any]) -> Decimal | None:
    if "target" in objective:
        value = _number(objective["target"])
        return value if value is not None and 0 <= value < 1 else None
    value = _number(objective.get("targetPercent"))
    return value / 100 if value is not None and 0 <= value < 100 else None


def _slice_window(imp: Imported, objective: Mapping[str, Any], i: int,
                  problems: list[Problem]) -> None:
    """slamon's slices are the vendor's reporting intervals (15 or 30 minutes)."""
    window = str(objective.get("timeSliceWindow", ""))
    if window not in ("15m", "30m", "15", "30") and imp.contract_id is None:
        problems.append(imp.slo.problem(("spec", "objectives", i, "timeSliceWindow"),
                                        f"time slices of {window or '?'}: slamon judges the "
                                        "vendor's 15- or 30-minute intervals instead",
                                        "warning"))


def _foreign_defaults(imp: Imported) -> None:
    """What a foreign SLO cannot say but a valid SLA needs, marked for a person."""
    metric = imp.sla["metric"]
    if metric == "service_level" and "threshold" not in imp.sla:
        imp.sla["threshold"] = "20s"
        imp.human["threshold"] = "answer-within threshold from the contract"
    imp.human.setdefault("id", "no credits imported: add `credits:` if a miss costs the "
                         "vendor (docs/contracts.md)")
