"""Contract-level alerts: vendor poller down, data stale, no data at all, chronic failure,
notices that cannot be delivered.

Staleness is judged against the contract's own poll interval: four missed polls, and never
less than an hour (interval data reaches vendor APIs with some delay).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from monitor import conventions as C
from monitor.alerting.model import Alert, Case, Links, selector
from monitor.domain.contract import ChronicRule, Contract

STALE_POLLS = 4
MIN_STALE = timedelta(hours=1)


def stale_after(contract: Contract) -> timedelta:
    return max(contract.sources.poll_interval * STALE_POLLS, MIN_STALE)


def _labels(contract: Contract, severity: str, team: str) -> dict[str, str]:
    return {C.L_SEVERITY: severity, C.L_TEAM: team, C.L_VENDOR: contract.vendor,
            C.L_CONTRACT: contract.id}


def _annotations(contract: Contract, alert: str, summary: str, links: Links,
                 uid: str = C.DASH_HEALTH, slug: str = "collector-health") -> dict[str, str]:
    return {
        "summary": f"{contract.vendor} / {contract.id}: {summary}",
        "runbook_url": links.runbook(alert),
        "dashboard_url": links.dashboard(uid, slug, vendor=contract.vendor,
                                         contract=contract.id),
    }


def _full(series: dict[str, str], labels: dict[str, str]) -> dict[str, str]:
    return dict(sorted({**series, **labels}.items()))


def health_alerts(contract: Contract, links: Links) -> list[Alert]:
    return [collector_down(contract, links), collector_paused(contract, links),
            data_stale(contract, links), no_data(contract, links), undelivered(contract, links),
            *(chronic(contract, rule, links) for rule in contract.chronic_failure)]


def collector_down(contract: Contract, links: Links) -> Alert:
    labels = _labels(contract, C.SEVERITY_TICKET, C.TEAM_ONCALL)
    alert = Alert(C.ALERT_COLLECTOR_DOWN,
                  f"{selector(C.COLLECTOR_UP, contract=contract.id)} == 0", labels,
                  _annotations(contract, C.ALERT_COLLECTOR_DOWN,
                               "vendor poller failing for 15 minutes", links), for_="15m")
    series = {C.L_VENDOR: contract.vendor, C.L_CONTRACT: contract.id, C.L_SOURCE: "poller"}
    up = {selector(C.COLLECTOR_UP, **series): "0x20"}
    return replace(alert, cases=(
        Case("poller down just under 15 minutes is still pending", up, 14,
             C.ALERT_COLLECTOR_DOWN, ()),
        Case("poller down just over 15 minutes fires", up, 16, C.ALERT_COLLECTOR_DOWN,
             (_full(series, labels),)),
        Case("a poller that is up does not fire", {selector(C.COLLECTOR_UP, **series): "1x20"},
             20, C.ALERT_COLLECTOR_DOWN, ()),
    ))


def collector_paused(contract: Contract, links: Links) -> Alert:
    """A source the service stopped as misconfigured: it will not recover by itself (every
    other failure backs off and retries), so a person must fix the contract or credentials
    and restart; it pages at once."""
    labels = _labels(contract, C.SEVERITY_PAGE, C.TEAM_ONCALL)
    alert = Alert(C.ALERT_COLLECTOR_PAUSED,
                  f"{selector(C.COLLECTOR_PAUSED, contract=contract.id)} == 1", labels,
                  _annotations(contract, C.ALERT_COLLECTOR_PAUSED,
                               "vendor poller paused: credentials refused or a setting wrong",
                               links))
    series = {C.L_VENDOR: contract.vendor, C.L_CONTRACT: contract.id, C.L_SOURCE: "poller"}
    return replace(alert, cases=(
        Case("a paused poller fires at once", {selector(C.COLLECTOR_PAUSED, **series): "1x5"},
             1, C.ALERT_COLLECTOR_PAUSED, (_full(series, labels),)),
        Case("a poller backing off in a storm is not paused",
             {selector(C.COLLECTOR_PAUSED, **series): "0x5"}, 5, C.ALERT_COLLECTOR_PAUSED, ()),
    ))


def data_stale(contract: Contract, links: Links) -> Alert:
    limit = stale_after(contract)
    seconds = int(limit.total_seconds())
    labels = _labels(contract, C.SEVERITY_TICKET, C.TEAM_ONCALL)
    expr = f"time() - {selector(C.DATA_LAST_MEASUREMENT, contract=contract.id)} > {seconds}"
    alert = Alert(C.ALERT_DATA_STALE, expr, labels, _annotations(
        contract, C.ALERT_DATA_STALE,
        f"newest stored measurement is older than {seconds // 60} minutes", links))
    series = {C.L_VENDOR: contract.vendor, C.L_CONTRACT: contract.id}
    # The newest measurement ends 10 minutes short of the limit before t=0, so at evaluation
    # minute 9 the data is a minute younger than the limit and at minute 11 a minute older.
    stamp = {selector(C.DATA_LAST_MEASUREMENT, **series): f"{600 - seconds}x15"}
    return replace(alert, cases=(
        Case("data just younger than the limit", stamp, 9, C.ALERT_DATA_STALE, ()),
        Case("data just older than the limit", stamp, 11, C.ALERT_DATA_STALE,
             (_full(series, labels),)),
    ))


def no_data(contract: Contract, links: Links) -> Alert:
    labels = _labels(contract, C.SEVERITY_TICKET, C.TEAM_ONCALL)
    expr = f"absent({selector(C.DATA_LAST_MEASUREMENT, contract=contract.id)})"
    alert = Alert(C.ALERT_NO_DATA, expr, labels, _annotations(
        contract, C.ALERT_NO_DATA, "no measurement stored or exporter not scraped for 15 "
        "minutes", links), for_="15m")
    firing = (_full({C.L_CONTRACT: contract.id}, labels),)
    other = {selector(C.DATA_LAST_MEASUREMENT, vendor="other", contract="other"): "0x20"}
    return replace(alert, cases=(
        Case("no data just under 15 minutes is still pending", other, 14, C.ALERT_NO_DATA, ()),
        Case("no data just over 15 minutes fires", other, 16, C.ALERT_NO_DATA, firing),
    ))


def undelivered(contract: Contract, links: Links) -> Alert:
    """A breach notice or case notice nobody received: slamon keeps retrying (with backoff)
    but only a person can fix an unset SMTP server or a revoked webhook."""
    labels = _labels(contract, C.SEVERITY_TICKET, C.TEAM_ONCALL)
    alert = Alert(C.ALERT_UNDELIVERED,
                  f"{selector(C.NOTIFICATIONS_UNDELIVERED, contract=contract.id)} > 0", labels,
                  _annotations(contract, C.ALERT_UNDELIVERED, "notices undelivered for 30 "
                               "minutes (slamon notifications --failed says why)", links),
                  for_="30m")
    series = {C.L_VENDOR: contract.vendor, C.L_CONTRACT: contract.id, C.L_CHANNEL: "email"}
    waiting = {selector(C.NOTIFICATIONS_UNDELIVERED, **series): "2x40"}
    return replace(alert, cases=(
        Case("undelivered just under 30 minutes is still pending", waiting, 29,
             C.ALERT_UNDELIVERED, ()),
        Case("undelivered just over 30 minutes fires", waiting, 31, C.ALERT_UNDELIVERED,
             (_full(series, labels),)),
        Case("nothing waiting does not fire",
             {selector(C.NOTIFICATIONS_UNDELIVERED, **series): "0x40"}, 35,
             C.ALERT_UNDELIVERED, ()),
    ))


def chronic(contract: Contract, rule: ChronicRule, links: Links) -> Alert:
    ids = {C.L_CONTRACT: contract.id, C.L_RULE: rule.sla, C.L_CONSEQUENCE: rule.consequence}
    labels = _labels(contract, C.SEVERITY_TICKET, C.TEAM_VENDOR_MANAGEMENT) | ids
    alert = Alert(C.ALERT_CHRONIC, f"{selector(C.CHRONIC_FAILURE, **ids)} == 1", labels,
                  _annotations(contract, C.ALERT_CHRONIC,
                               f"chronic failure of {rule.sla} raised ({rule.consequence})",
                               links, C.DASH_PENALTIES, "penalties"))
    series = {C.L_VENDOR: contract.vendor, **ids}
    return replace(alert, cases=(
        Case(f"chronic rule {rule.sla}/{rule.consequence} raised",
             {selector(C.CHRONIC_FAILURE, **series): "1x10"}, 5, C.ALERT_CHRONIC,
             (_full(series, labels),)),
        Case(f"chronic rule {rule.sla}/{rule.consequence} not raised",
             {selector(C.CHRONIC_FAILURE, **series): "0x10"}, 5, C.ALERT_CHRONIC, ()),
    ))
