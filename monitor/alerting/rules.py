"""Alert rules for one contract's SLAs, each with its promtool boundary cases.

- `SlaErrorBudgetBurn`: one rule per window pair (windows.py) for every ratio SLA, the
  threshold read from `slamon_sla_error_budget_ratio` so target steps need no regeneration;
  gated by `slamon_calendar_open == 1` when the SLA runs on a business-hours calendar
  (PromQL's `hour()` is UTC only, the exporter knows the contract zone).
- `SlaBreachCertain`: the best case (the rest of the period perfect) still misses target.
- `SlaBreachLikely`: the projection misses target, unless the breach is already certain.

Each alert carries its promtool cases: just over and just under each threshold.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from monitor import conventions as C
from monitor.alerting.model import Alert, Case, Links, selector
from monitor.alerting.windows import WindowPair, can_fire, min_short_for, pairs_for
from monitor.domain.budget import error_budget
from monitor.domain.contract import CALENDAR_24X7, Contract, Direction, PeriodKind, Sla
from monitor.exporter.from_results import unit_of

ON_SLA = "on (vendor, contract, sla)"
ON_PERIOD = "on (vendor, contract, sla, period)"
EVENTS_PER_MINUTE = 1_000_000  # large, so "just over" is within 1 % of the threshold
SAMPLE_PERIOD = {PeriodKind.MONTH: "2026-11", PeriodKind.QUARTER: "2026-Q4",
                 PeriodKind.YEAR: "2026"}


def sla_alerts(contract: Contract, sla: Sla, links: Links) -> list[Alert]:
    return [*burn_alerts(contract, sla, links), breach_certain(contract, sla, links),
            breach_likely(contract, sla, links)]


def _common(contract: Contract, sla: Sla, severity: str, team: str) -> dict[str, str]:
    return {C.L_SEVERITY: severity, C.L_TEAM: team, C.L_VENDOR: contract.vendor,
            C.L_CONTRACT: contract.id, C.L_SLA: sla.id}


def _annotations(contract: Contract, sla: Sla, alert: str, summary: str,
                 links: Links) -> dict[str, str]:
    return {
        "summary": f"{contract.vendor} / {contract.id} / {sla.id}: {summary}",
        "runbook_url": links.runbook(alert),
        "dashboard_url": links.dashboard(C.DASH_SLA, "sla-detail", vendor=contract.vendor,
                                         contract=contract.id, sla=sla.id),
    }


def _gate(contract: Contract, sla: Sla) -> str | None:
    if sla.calendar == CALENDAR_24X7.id and sla.calendar not in contract.calendars:
        return None
    if contract.calendar(sla.calendar).always_open:
        return None
    return selector(C.IN_BUSINESS_HOURS, contract=contract.id, calendar=sla.calendar)


def budgets(sla: Sla) -> list[Decimal]:
    targets = [sla.target, *(step.target for step in sla.targets)]
    return [error_budget(t.value, t.direction) for t in targets]


def burn_alerts(contract: Contract, sla: Sla, links: Links) -> list[Alert]:
    if unit_of(sla) != "ratio":
        return []
    all_budgets = budgets(sla)
    pairs = [p for p in pairs_for(sla.period, min_short_for(str(sla.metric)))
             if can_fire(p, all_budgets)]
    if not pairs:
        return []
    ids = {C.L_CONTRACT: contract.id, C.L_SLA: sla.id}
    gate = _gate(contract, sla)
    alerts = []
    for pair in pairs:
        threshold = f"({pair.burn_rate} * {selector(C.ERROR_BUDGET_RATIO, **ids)})"
        expr = (
            f"{selector(C.error_ratio_record(pair.long), **ids)}\n"
            f"  > {ON_SLA} {threshold}\n"
            f"and {ON_SLA}\n"
            f"{selector(C.error_ratio_record(pair.short), **ids)}\n"
            f"  > {ON_SLA} {threshold}"
        )
        if gate is not None:
            expr += f"\nand on () {gate} == 1"
        labels = _common(contract, sla, pair.severity,
                         C.TEAM_ONCALL if pair.severity == C.SEVERITY_PAGE
                         else C.TEAM_VENDOR_MANAGEMENT)
        labels |= {C.L_LONG_WINDOW: pair.long, C.L_SHORT_WINDOW: pair.short}
        summary = (f"error budget burning at {pair.burn_rate}x or faster over the last "
                   f"{pair.long} and {pair.short}")
        alerts.append(Alert(C.ALERT_BURN, expr, labels,
                            _annotations(contract, sla, C.ALERT_BURN, summary, links)))
    cases = _burn_cases(contract, sla, pairs, alerts, min(b for b in all_budgets if b > 0), gate)
    return [replace(alerts[0], cases=cases), *alerts[1:]]


def _burn_cases(contract: Contract, sla: Sla, pairs: list[WindowPair], alerts: list[Alert],
                budget: Decimal, gate: str | None) -> tuple[Case, ...]:
    v, c, s = contract.vendor, contract.id, sla.id
    events = {C.L_VENDOR: v, C.L_CONTRACT: c, C.L_SLA: s}
    base = {selector(C.ERROR_BUDGET_RATIO, **events): f"{budget}x15"}
    if gate is not None:
        base[selector(C.IN_BUSINESS_HOURS, vendor=v, contract=c, calendar=sla.calendar)] = "1x15"

    def case(name: str, bad: int, open_: bool = True) -> Case:
        series = dict(base)
        if gate is not None and not open_:
            series[selector(C.IN_BUSINESS_HOURS, vendor=v, contract=c,
                            calendar=sla.calendar)] = "0x15"
        series[selector(C.counter_sample(C.VALID_EVENTS), **events)] = \
            f"0+{EVENTS_PER_MINUTE}x15"
        series[selector(C.counter_sample(C.GOOD_EVENTS), **events)] = \
            f"0+{EVENTS_PER_MINUTE - bad}x15"
        ratio = Decimal(bad) / EVENTS_PER_MINUTE
        firing = tuple(
            dict(sorted({**events, **alert.labels}.items()))
            for pair, alert in zip(pairs, alerts, strict=True)
            if open_ and ratio > pair.burn_rate * budget
        )
        return Case(name, series, 10, C.ALERT_BURN, firing)

    cases = []
    for pair in pairs:
        at = pair.burn_rate * budget * EVENTS_PER_MINUTE
        over = int(at.to_integral_value(ROUND_FLOOR)) + 1
        under = int(at.to_integral_value(ROUND_CEILING)) - 1
        cases.append(case(f"{s}: error ratio just over {pair.burn_rate}x ({pair.name})", over))
        cases.append(case(f"{s}: error ratio just under {pair.burn_rate}x ({pair.name})", under))
    if gate is not None:
        top = pairs[0].burn_rate * budget * EVENTS_PER_MINUTE
        cases.append(case(f"{s}: a fast burn outside business hours does not alert",
                          int(top.to_integral_value(ROUND_FLOOR)) + 1, open_=False))
    return tuple(cases)


def _families(sla: Sla) -> tuple[str, str, str]:
    if unit_of(sla) == "ratio":
        return C.BEST_CASE_RATIO, C.PROJECTED_RATIO, C.TARGET_RATIO
    return C.BEST_CASE_SECONDS, C.PROJECTED_SECONDS, C.TARGET_SECONDS


def _miss(sla: Sla) -> tuple[str, Decimal]:
    """The comparison that means "misses the target", and a step just past the boundary."""
    step = Decimal("0.00001") if unit_of(sla) == "ratio" else Decimal("0.1")
    return ("<", -step) if sla.target.direction is Direction.MIN else (">", step)


def breach_certain(contract: Contract, sla: Sla, links: Links) -> Alert:
    best, _, target = _families(sla)
    ids = {C.L_CONTRACT: contract.id, C.L_SLA: sla.id}
    op, step = _miss(sla)
    expr = f"{selector(best, **ids)}\n  {op} {ON_PERIOD} {selector(target, **ids)}"
    labels = _common(contract, sla, C.SEVERITY_TICKET, C.TEAM_VENDOR_MANAGEMENT)
    alert = Alert(C.ALERT_BREACH_CERTAIN, expr, labels, _annotations(
        contract, sla, C.ALERT_BREACH_CERTAIN,
        "will miss its target this period even if the rest of the period is perfect",
        links), for_="5m")
    t = sla.target.value
    series_labels = {C.L_VENDOR: contract.vendor, **ids, C.L_PERIOD: SAMPLE_PERIOD[sla.period]}
    firing = (dict(sorted({**series_labels, **labels}.items())),)

    def case(name: str, value: Decimal, fires: bool) -> Case:
        return Case(f"{sla.id}: {name}", {
            selector(best, **series_labels): f"{value}x15",
            selector(target, **series_labels): f"{t}x15",
        }, 10, C.ALERT_BREACH_CERTAIN, firing if fires else ())

    return replace(alert, cases=(
        case("best case just past the target", t + step, True),
        case("best case just inside the target", t - step, False),
    ))


def breach_likely(contract: Contract, sla: Sla, links: Links) -> Alert:
    best, projected, target = _families(sla)
    ids = {C.L_CONTRACT: contract.id, C.L_SLA: sla.id}
    op, step = _miss(sla)
    tsel = selector(target, **ids)
    expr = (f"(\n  {selector(projected, **ids)}\n    {op} {ON_PERIOD} {tsel}\n)\n"
            f"unless {ON_PERIOD}\n"
            f"(\n  {selector(best, **ids)}\n    {op} {ON_PERIOD} {tsel}\n)")
    labels = _common(contract, sla, C.SEVERITY_TICKET, C.TEAM_VENDOR_MANAGEMENT)
    alert = Alert(C.ALERT_BREACH_LIKELY, expr, labels, _annotations(
        contract, sla, C.ALERT_BREACH_LIKELY,
        "on course to miss its target this period at the current rate", links), for_="30m")
    t = sla.target.value
    series_labels = {C.L_VENDOR: contract.vendor, **ids, C.L_PERIOD: SAMPLE_PERIOD[sla.period]}
    firing = (dict(sorted({**series_labels, **labels}.items())),)

    def case(name: str, proj: Decimal, best_case: Decimal, fires: bool) -> Case:
        return Case(f"{sla.id}: {name}", {
            selector(projected, **series_labels): f"{proj}x40",
            selector(best, **series_labels): f"{best_case}x40",
            selector(target, **series_labels): f"{t}x40",
        }, 35, C.ALERT_BREACH_LIKELY, firing if fires else ())

    return replace(alert, cases=(
        case("projection just past the target", t + step, t - step, True),
        case("projection just inside the target", t - step, t - 2 * step, False),
        case("a certain breach is not also reported as likely", t + step, t + step, False),
    ))
