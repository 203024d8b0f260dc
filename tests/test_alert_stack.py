"""Real Prometheus and Alertmanager against the exporter: dashboards return data, a breach
pages through the shipped routing tree, a recovery resolves it."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor.alerting.generate import generate
from monitor.domain.contract import Contract, PeriodKind, Status
from monitor.domain.periods import period_containing
from monitor.domain.results import (
    ChronicFailure,
    CreditLine,
    Evaluation,
    Evidence,
    PeriodCredits,
    SlaResult,
)
from monitor.exporter.from_results import snapshot_from_evaluations
from monitor.exporter.server import serve
from monitor.exporter.snapshot import CollectorSnapshot, MetricsSnapshot
from tests.conftest import ROOT, require_binary
from tests.metrics_samples import sample_contract
from tests.promstack import Alertmanager, Prometheus, WebhookReceiver, wait_until, webhook_only

pytestmark = [pytest.mark.binaries, pytest.mark.slow]


EVIDENCE = {"vendor_downtime_minutes": "3", "observed_downtime_minutes": "8",
            "unreported_downtime_minutes": "5", "unobserved_downtime_minutes": "0",
            "unknown_evidence_minutes": "1"}


class LiveResults:
    """Stored results that grow at every scrape: `bad_share` of the new events are bad."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.lock = threading.Lock()
        self.valid = D(0)
        self.good = D(0)
        self.calls = 0
        self.bad_share = D("0.5")
        self.chronic = True

    def recover(self) -> None:
        with self.lock:
            self.bad_share, self.chronic = D(0), False
            self.valid += 10_000_000
            self.good += 10_000_000

    def _result(self, sla_id: str, value: D, status: Status,
                details: dict[str, str] | None = None) -> SlaResult:
        sla = self.contract.sla(sla_id)
        return SlaResult(sla_id=sla_id, metric=str(sla.metric), value=value, raw_value=value,
                         target=sla.target, status=status,
                         evidence=Evidence(value * self.valid, self.valid, 1, D(0), "live",
                                           details=details or {}))

    def snapshot(self, now: datetime) -> MetricsSnapshot:
        with self.lock:
            self.calls += 1
            self.valid += 1000
            self.good += 1000 * (1 - self.bad_share)
            share = self.good / self.valid
            breached = Status.BREACHED if share < D("0.999") else Status.MET
            month = period_containing(self.contract, PeriodKind.MONTH, now)
            quarter = period_containing(self.contract, PeriodKind.QUARTER, now)
            evaluations = [
                Evaluation(self.contract.id, month, now, "open", (
                    # as if an independent check watched it (the evidence panel's figures)
                    self._result("availability", share, breached, EVIDENCE),
                    self._result("service-level", share, breached),
                    self._result("abandon-rate", 1 - share, breached),
                )),
                Evaluation(self.contract.id, quarter, now, "open",
                           (self._result("asa", D(25), Status.MET),)),
            ]
            credit = D("500.00") if breached is Status.BREACHED else D(0)
            chronic = (ChronicFailure("any", "termination_right", (month.label,), month.label),)
            credits = {self.contract.id: [PeriodCredits(
                month.label, "USD",
                (CreditLine("availability", month.label, "USD", credit, credit, "tier",
                            "issued"),),
                credit, None, chronic if self.chronic else ())]}
            return snapshot_from_evaluations(
                [self.contract], evaluations, credits, now,
                collectors=[CollectorSnapshot(
                    self.contract.vendor, self.contract.id, "genesys-cloud", up=True,
                    last_success=now, requests_total=self.calls,
                    request_seconds_total=0.25 * self.calls)],
                last_measurements={self.contract.id: now},
            )


def panel_exprs() -> list[tuple[str, str]]:
    out = []
    for path in sorted((ROOT / "grafana" / "dashboards").glob("*.json")):
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel["targets"]:
                expr = (target["expr"].replace("$__rate_interval", "10s")
                        .replace("$__range", "1m").replace("$vendor", ".*")
                        .replace("$contract", ".*").replace("$sla", ".*"))
                out.append((f"{path.stem}: {panel['title']}", expr))
    return out


def notified(bodies: list[dict[str, Any]], status: str, **labels: str) -> bool:
    return any(
        alert["status"] == status and all(alert["labels"].get(k) == v for k, v in labels.items())
        for body in bodies for alert in body["alerts"]
    )


def test_dashboards_fill_and_a_breach_pages_then_resolves_through_alertmanager(
    tmp_path: Path,
) -> None:
    prometheus_bin, alertmanager_bin = require_binary("prometheus"), require_binary(
        "prometheus-alertmanager")
    contract = sample_contract(tmp_path)
    rules = tmp_path / "rules"
    generate([contract], rules)
    source = LiveResults(contract)
    # The pages are gated on the SLA's business hours: the exporter's clock runs from a
    # Tuesday 10:00 in New York, so the test passes whenever it is run (it failed after
    # 20:00 New York time on the wall clock).
    started, base = time.monotonic(), datetime(2026, 10, 6, 14, 0, tzinfo=UTC)
    server = serve(source, 0, clock=lambda: base + timedelta(
        seconds=time.monotonic() - started))
    shipped = yaml.safe_load((ROOT / "alerts" / "alertmanager.yml").read_text())
    try:
        with WebhookReceiver() as hook, \
             Alertmanager(alertmanager_bin, tmp_path / "am",
                          webhook_only(shipped, hook.url)) as am, \
             Prometheus(prometheus_bin, tmp_path / "prom", [f"127.0.0.1:{server.port}"],
                        sorted(rules.glob("*.rules.yml")), alertmanager=am.url) as prom:
            wait_until(lambda: bool(prom.query("slamon:sla_error_ratio:rate1d")), 20,
                       "recording rules over two scrapes")
            exprs = panel_exprs()
            assert len(exprs) > 30
            empty = [title for title, expr in exprs if not prom.query(expr)]
            assert empty == []

            # Half of the new contacts abandon against a 5 % budget: a 10x burn, over the
            # 6x page threshold. (Availability's events are elapsed minutes, which a test
            # in wall-clock seconds cannot burn.)
            page = {"alertname": "SlaErrorBudgetBurn", "sla": "abandon-rate",
                    "long_window": "6h", "severity": "page"}
            wait_until(lambda: notified(hook.bodies("/oncall-pager"), "firing", **page), 20,
                       "the abandon-rate page at the on-call receiver")
            wait_until(lambda: notified(hook.bodies("/vendor-management"), "firing",
                                        alertname="SlaChronicFailure"), 10,
                       "the chronic failure at vendor management")
            # The page inhibits the same SLA's ticket-level burn alerts.
            assert not notified(hook.bodies(), "firing", sla="abandon-rate", severity="ticket")
            assert any(a["labels"].get("long_window") == "3d" and a["state"] == "firing"
                       for a in prom.alerts() if a["labels"].get("sla") == "abandon-rate")

            source.recover()
            wait_until(lambda: notified(hook.bodies("/oncall-pager"), "resolved", **page), 30,
                       "the page to resolve")
            wait_until(lambda: notified(hook.bodies("/vendor-management"), "resolved",
                                        alertname="SlaChronicFailure"), 10,
                       "the chronic failure to resolve")
    finally:
        server.stop()
