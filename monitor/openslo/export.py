"""A contract's SLAs as OpenSLO v1 documents that run against the Prometheus scraping slamon.

Per contract: a `Service` named after the vendor (the contract's own terms ride on it as
`slamon.dev/<contract>.<section>` annotations: metadata, fees, calendars, exclusions,
sources, at-risk pool, chronic-failure rules, claims, notifications), one `DataSource` for
that Prometheus, and per SLA:

- an `SLI`: `ratioMetric` (counter) over `slamon_sla_good_events_total` /
  `slamon_sla_valid_events_total` for ratio KPIs (good = non-abandoned for abandon rate,
  up-minutes for availability), or a `thresholdMetric` over the period-to-date
  `slamon_sla_attainment_seconds` for ASA and AHT, which are means and no event ratio;
- an `SLO` on a calendar window in the contract zone (`1M`/`1Q`/`1Y`, starting at the
  period holding the contract's first day): Occurrences for volume-weighted SLAs,
  Timeslices for interval-compliance (`target` = the share of intervals,
  `timeSliceTarget` = the per-interval level), RatioTimeslices for a mean of ratios;
  a maximum such as abandon rate <= 5 % is the good share >= 95 %;
- an `AlertCondition` and `AlertPolicy` per burn-rate pair `slamon alerts generate`
  writes for it (same windows, burn rates and severities).

The SLA's other keys (threshold, abandon treatment, calendar, queues, target steps,
minimum, credits, ...) ride on the SLO as `slamon.dev/<key>` annotations, spelt as in the
contract file, so `slamon openslo import` rebuilds the same contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from monitor import conventions as C
from monitor.alerting.model import selector
from monitor.alerting.rules import budgets
from monitor.alerting.windows import WindowPair, can_fire, min_short_for, pairs_for
from monitor.domain.contract import (
    SECONDS_METRICS,
    AggregationMethod,
    Contract,
    Direction,
    PeriodKind,
    Sla,
)
from monitor.errors import InputError
from monitor.openslo import codec
from monitor.openslo.codec import API_VERSION, object_name

DATASOURCE = "slamon-prometheus"
DEFAULT_PROMETHEUS = "http://localhost:9090"
WINDOW = {PeriodKind.MONTH: "1M", PeriodKind.QUARTER: "1Q", PeriodKind.YEAR: "1Y"}
BUDGETING = {
    AggregationMethod.VOLUME_WEIGHTED: "Occurrences",
    AggregationMethod.INTERVAL_COMPLIANCE: "Timeslices",
    AggregationMethod.MEAN_OF_RATIOS: "RatioTimeslices",
}
# Vendors report contacts per 15- or 30-minute interval; slamon's intervals are theirs.
INTERVAL_WINDOW = "30m"
# SLA keys OpenSLO carries in its own fields; every other key becomes an annotation.
NATIVE_SLA_KEYS = frozenset({"id", "metric", "description", "period", "target", "aggregation"})
NATIVE_TOP_KEYS = frozenset({"apiVersion", "kind", "slas"})
TEAMS = {C.SEVERITY_PAGE: C.TEAM_ONCALL, C.SEVERITY_TICKET: C.TEAM_VENDOR_MANAGEMENT}


def slo_name(contract_id: str, sla_id: str) -> str:
    return object_name(contract_id, sla_id)


def window_start(kind: PeriodKind, day: date) -> date:
    """First day of the contract period (calendar month, quarter or year) holding `day`."""
    if kind is PeriodKind.MONTH:
        return day.replace(day=1)
    if kind is PeriodKind.QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def doc(kind: str, name: str, spec: Mapping[str, Any], *, display: str | None = None,
        annotations: Mapping[str, str] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if display:
        metadata["displayName"] = display
    if annotations:
        metadata["annotations"] = dict(annotations)
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": metadata, "spec": dict(spec)}


def export_contract(contract: Contract, raw: Mapping[str, Any],
                    prometheus_url: str = DEFAULT_PROMETHEUS) -> list[dict[str, Any]]:
    """Every document for one contract; `raw` is its file as read (`yamlpos`), so what
    rides in annotations is spelt as written. Raises `InputError` for a target OpenSLO
    cannot hold (a 100 % level: OpenSLO targets are below 1)."""
    raw_slas = {s.get("id"): s for s in raw.get("slas", []) if isinstance(s, Mapping)}
    docs = [service(contract, raw), datasource(prometheus_url)]
    teams: set[str] = set()
    per_sla: list[dict[str, Any]] = []
    for sla in contract.slas:
        pairs = burn_pairs(sla)
        teams |= {TEAMS[p.severity] for p in pairs}
        per_sla += sla_documents(contract, sla, raw_slas.get(sla.id, {}), pairs)
    docs += [notification_target(team) for team in sorted(teams)]
    return docs + per_sla


def service(contract: Contract, raw: Mapping[str, Any]) -> dict[str, Any]:
    annotations: dict[str, str] = {}
    for section, value in raw.items():
        if section in NATIVE_TOP_KEYS:
            continue
        if section == "metadata" and isinstance(value, Mapping):
            value = {k: v for k, v in value.items() if k != "id"}
        annotations[codec.contract_key(contract.id, section)] = codec.encode(value)
    return doc("Service", object_name(contract.vendor), {
        "description": f"Vendor {contract.vendor}; contract terms of {contract.id} in "
                       "slamon.dev annotations",
    }, display=contract.vendor, annotations=annotations)


def datasource(url: str) -> dict[str, Any]:
    return doc("DataSource", DATASOURCE, {
        "description": "The Prometheus that scrapes slamon's /metrics",
        "type": "Prometheus",
        "connectionDetails": {"url": url},
    }, display="Prometheus scraping slamon")


def notification_target(team: str) -> dict[str, Any]:
    return doc("AlertNotificationTarget", object_name("slamon", team), {
        "description": f"Alertmanager route for {C.L_TEAM}={team} (alerts/alertmanager.yml)",
        "target": "alertmanager",
    })


def burn_pairs(sla: Sla) -> list[WindowPair]:
    """The burn-rate pairs `slamon alerts generate` writes for this SLA (ratio KPIs only)."""
    if sla.metric in SECONDS_METRICS:
        return []
    all_budgets = budgets(sla)
    return [p for p in pairs_for(sla.period, min_short_for(str(sla.metric)))
            if can_fire(p, all_budgets)]


def _source(query: str) -> dict[str, Any]:
    return {"metricSource": {"metricSourceRef": DATASOURCE, "type": "Prometheus",
                             "spec": {"query": query}}}


def indicator(contract: Contract, sla: Sla, name: str) -> dict[str, Any]:
    ids = {C.L_CONTRACT: contract.id, C.L_SLA: sla.id}
    if sla.metric in SECONDS_METRICS:
        spec: dict[str, Any] = {
            "description": f"{sla.metric} so far this period, seconds (a mean, not a ratio)",
            "thresholdMetric": _source(selector(C.ATTAINMENT_SECONDS, **ids)),
        }
    else:
        spec = {
            "description": f"{sla.metric}: good / valid events this period (counters reset "
                           "at period start)",
            "ratioMetric": {
                "counter": True,
                "good": _source(selector(C.counter_sample(C.GOOD_EVENTS), **ids)),
                "total": _source(selector(C.counter_sample(C.VALID_EVENTS), **ids)),
            },
        }
    return doc("SLI", name, spec)


def objectives(sla: Sla) -> tuple[str, list[dict[str, Any]]]:
    """budgetingMethod and the one objective: the contract's base target."""
    target = sla.target
    if sla.metric in SECONDS_METRICS:
        # A period mean has no event ratio: one slice per period, which must be good.
        return "Timeslices", [{
            "displayName": "contract target",
            "op": "lte" if target.direction is Direction.MAX else "gte",
            "value": target.value, "target": Decimal("0.5"), "timeSliceTarget": Decimal(1),
            "timeSliceWindow": WINDOW[sla.period],
        }]
    level = target.value if target.direction is Direction.MIN else 1 - target.value
    if not Decimal(0) < level < 1:
        raise InputError(f"SLA {sla.id}: a good-event share of {codec.percent(level)} "
                         "cannot be an OpenSLO target, which must lie in [0, 1)")
    method = sla.aggregation.method
    objective: dict[str, Any] = {"displayName": "contract target"}
    if method is AggregationMethod.INTERVAL_COMPLIANCE:
        share = sla.aggregation.share if sla.aggregation.share is not None else Decimal(1)
        if share >= 1:
            raise InputError(f"SLA {sla.id}: an interval share of 100 % cannot be an "
                             "OpenSLO target, which must lie in [0, 1)")
        objective |= {"target": share, "timeSliceTarget": level,
                      "timeSliceWindow": INTERVAL_WINDOW}
    elif method is AggregationMethod.MEAN_OF_RATIOS:
        objective |= {"target": level, "timeSliceWindow": INTERVAL_WINDOW}
    else:
        objective["target"] = level
    return BUDGETING[method], [objective]


def sla_annotations(contract: Contract, sla: Sla, raw_sla: Mapping[str, Any]) -> dict[str, str]:
    out = {codec.key("contract"): contract.id, codec.key("sla"): sla.id,
           codec.key("metric"): str(sla.metric)}
    for field, value in raw_sla.items():
        if field not in NATIVE_SLA_KEYS:
            out[codec.key(field)] = codec.encode(value)
    return out


def sla_documents(contract: Contract, sla: Sla, raw_sla: Mapping[str, Any],
                  pairs: list[WindowPair]) -> list[dict[str, Any]]:
    name = slo_name(contract.id, sla.id)
    method, objective = objectives(sla)
    start = window_start(sla.period, contract.effective_from)
    conditions, policies = [], []
    for pair in pairs:
        cond_name = object_name(name, "burn", pair.long, pair.short)
        conditions.append(doc("AlertCondition", cond_name, {
            "description": f"{C.ALERT_BURN}: error budget burning at {pair.burn_rate}x over "
                           f"{pair.long} (and over {pair.short})",
            "severity": pair.severity,
            "condition": {"kind": "burnrate", "threshold": pair.burn_rate,
                          "lookbackWindow": pair.long, "alertAfter": "0m"},
        }, annotations={codec.key("short-window"): pair.short,
                        codec.key("alert"): C.ALERT_BURN}))
        policies.append(doc("AlertPolicy", object_name(name, "policy", pair.long, pair.short), {
            "description": f"{C.ALERT_BURN} {pair.long}/{pair.short} for {contract.id} / "
                           f"{sla.id}",
            "alertWhenNoData": False, "alertWhenResolved": False, "alertWhenBreaching": True,
            "conditions": [{"conditionRef": cond_name}],
            "notificationTargets": [{"targetRef": object_name("slamon", TEAMS[pair.severity])}],
        }))
    spec: dict[str, Any] = {}
    if sla.description:
        spec["description"] = sla.description
    spec |= {
        "service": object_name(contract.vendor),
        "indicatorRef": name,
        "timeWindow": [{
            "duration": WINDOW[sla.period],
            "calendar": {"startTime": f"{start.isoformat()} 00:00:00",
                         "timeZone": contract.tz.key},
            "isRolling": False,
        }],
        "budgetingMethod": method,
        "objectives": objective,
    }
    if policies:
        spec["alertPolicies"] = [{"alertPolicyRef": p["metadata"]["name"]} for p in policies]
    slo = doc("SLO", name, spec, display=f"{contract.id} / {sla.id}",
              annotations=sla_annotations(contract, sla, raw_sla))
    return [indicator(contract, sla, name), *conditions, *policies, slo]
