"""Issue 5's acceptance, end to end with real processes: the vendor simulator, `slamon run`
(a subprocess on SQLite), a real Prometheus scraping it with the contract's generated rules,
and a real Alertmanager routing to a local webhook receiver.

The simulated month is October 2026 of the demo contract (Genesys + status page; seed 7,
the bad afternoon on day 0). The simulator's clock is frozen and moved by the test; the
service follows it (`--clock-url`). Figures from the stored evaluations, worked out below:

- 1 Oct 18:00 UTC (baseline): abandon-rate 51 bad of 1,446 offered; service level 991 good
  of 1,148.
- 1 Oct 22:00 UTC (breach, the bad afternoon plus the 18:15-19:05 voice outage): abandon
  146 of 1,724, so 95 of the 278 new contacts abandoned: 34.2 % > 6 x 5 % budget = 30 %,
  the 6h/30m page pair fires; month so far 8.47 % > 5 % (breached). Service level 1,038 of
  1,352 = 76.8 % < 80 %: projected below target, best case 99.4 % above: SlaBreachLikely.
  Availability 1 - 35/44,640 = 99.92 % < 99.99 %: breached.
- 11 Oct 04:00 UTC (recovery): abandon 873 of 19,752 = 4.42 % (met); since the baseline
  822 of 18,306 = 4.5 % < 30 %: the page resolves. Service level 86.6 % (met): resolves.
  Availability's best case is now 99.975 % < 99.99 %: SlaBreachCertain fires (the outage's
  minutes cannot come back this month).

Prometheus' windows are real time while simulated days pass in seconds: every sample of
the test lies inside every window, so a window's error ratio is the ratio over the test.
The generated rules are used as generated except their `for:` holds (5 m / 30 m), set to
0 s here so the test takes seconds, not half an hour.
"""

from __future__ import annotations

import contextlib
import json
import re
import signal
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from monitor.alerting.generate import generate
from monitor.cli import main
from monitor.service.demo import demo_contract_yaml, month_bounds
from monitor.simulator import FaultInjector, Scenario, Simulator
from monitor.spec import load_contract
from monitor.storage import Store
from tests.conftest import ROOT, require_binary
from tests.promstack import Alertmanager, Prometheus, WebhookReceiver, free_port, webhook_only
from tests.test_service_support import slamon_run, wait_until

pytestmark = [pytest.mark.binaries, pytest.mark.slow]

START, _ = month_bounds("2026-10", ZoneInfo("America/New_York"))  # 1 Oct 04:00 UTC
BASELINE, BREACH, RECOVERY = (START + timedelta(hours=h) for h in (14, 18, 240))
EXTRA = """
chronic_failure:
  - {sla: any, misses: 3, within_months: 6, consequence: termination_right}

exclusions:
  - id: release-window
    rrule: "FREQ=WEEKLY;BYDAY=SA;BYHOUR=23;BYMINUTE=0"
    duration: 4h
    applies_to: [availability]
    reason: "announced release window"

notifications:
  - {kind: webhook, url_env: E2E_DIRECT_HOOK}
"""


def panel_exprs(vendor: str, contract: str, sla: str) -> list[tuple[str, str]]:
    out = []
    for path in sorted((ROOT / "grafana" / "dashboards").glob("*.json")):
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel["targets"]:
                expr = (target["expr"].replace("$__rate_interval", "10s")
                        .replace("$__range", "1m").replace("$vendor", vendor)
                        .replace("$contract", contract).replace("$sla", sla))
                out.append((f"{path.stem}: {panel['title']}", expr))
    return out


def alerts_at(hook: WebhookReceiver, path: str, status: str, **labels: str) -> bool:
    return any(alert["status"] == status
               and all(alert["labels"].get(k) == v for k, v in labels.items())
               for body in hook.bodies(path) for alert in body.get("alerts", []))


def direct(hook: WebhookReceiver, kind: str, sla: str) -> list[dict[str, Any]]:
    return [b for b in hook.bodies("/direct") if b.get("kind") == kind and b.get("sla") == sla]


def rules_without_holds(contract_file: Path, out: Path) -> list[Path]:
    generate([load_contract(contract_file)], out)
    files = sorted(out.glob("*.rules.yml"))
    for path in files:
        path.write_text(re.sub(r"(?m)^(\s+)for: \S+$", r"\1for: 0s", path.read_text()))
    return files


def test_a_simulated_breach_pages_through_alertmanager_notifies_once_and_recovery_resolves(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    prometheus_bin = require_binary("prometheus")
    alertmanager_bin = require_binary("prometheus-alertmanager")
    scenario = Scenario(seed=7, start=START, days=31, bad_day=0)
    scenario.clock.frozen_at = BASELINE
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    contract_file = contracts / "demo-genesys.yaml"
    contract_file.write_text(demo_contract_yaml(scenario, "2026-10") + EXTRA, encoding="utf-8")
    rules = rules_without_holds(contract_file, tmp_path / "rules")
    db = f"sqlite:///{tmp_path / 'slamon.db'}"
    assert main(["db", "upgrade", "--db", db]) == 0
    port = free_port()
    shipped = yaml.safe_load((ROOT / "alerts" / "alertmanager.yml").read_text())
    log = tmp_path / "slamon-run.log"
    with WebhookReceiver() as hook, Simulator(scenario, FaultInjector()) as sim, \
            contextlib.ExitStack() as stack:
        am = Alertmanager(alertmanager_bin, tmp_path / "am", webhook_only(shipped, hook.url))
        stack.callback(am.close)
        prom = Prometheus(prometheus_bin, tmp_path / "prom", [f"127.0.0.1:{port}"], rules,
                          alertmanager=am.url)
        stack.callback(prom.close)
        monkeypatch.setenv("E2E_DIRECT_HOOK", f"{hook.url}/direct")
        proc = slamon_run(["--db", db, "--contracts", str(contracts), "--vendor-url", sim.url,
                           "--clock-url", sim.url, "--since", START.isoformat(),
                           "--interval", "0.3", "--metrics-port", str(port)], tmp_path, log)
        try:
            def waiting(check: Any, timeout: float, what: str) -> None:
                wait_until(check, timeout, what, every=0.3, procs=[proc], log=log)

            abandon = 'slamon_sla_valid_events_total{sla="abandon-rate"}'
            # The baseline, scraped at least twice before the breach arrives.
            waiting(lambda: [s["value"][1] for s in prom.query(
                f"min_over_time({abandon}[1m]) == max_over_time({abandon}[1m])")] == ["1446"]
                and prom.query(f"count_over_time({abandon}[1m]) >= 2") != [], 30,
                "the 18:00 baseline in Prometheus")

            scenario.clock.frozen_at = BREACH
            page = {"alertname": "SlaErrorBudgetBurn", "sla": "abandon-rate",
                    "severity": "page", "long_window": "6h", "short_window": "30m"}
            waiting(lambda: alerts_at(hook, "/oncall-pager", "firing", **page), 30,
                    "the abandon-rate page at the on-call receiver")
            likely = {"alertname": "SlaBreachLikely", "sla": "service-level-voice"}
            waiting(lambda: alerts_at(hook, "/vendor-management", "firing", **likely), 15,
                    "service level's breach-likely at vendor management")
            [valid] = prom.query(abandon)
            assert valid["value"][1] == "1724"
            [ratio] = prom.query('slamon:sla_error_ratio:rate30m{sla="abandon-rate"}')
            assert float(ratio["value"][1]) == pytest.approx(95 / 278, abs=1e-6)

            # Every dashboard panel returns data, for some SLA of the contract.
            slas = ("abandon-rate", "service-level-voice", "asa", "availability")
            empty = [title for title, _ in panel_exprs("genesys", "demo-genesys", "x")
                     if not any(prom.query(expr) for t, expr in
                                (e for s in slas for e in panel_exprs(
                                    "genesys", "demo-genesys", s)) if t == title)]
            assert empty == []

            # Direct notifications, straight from `slamon run`: availability's miss is
            # certain (downtime cannot be won back); abandon rate and service level miss
            # only so far on 1 October, so they are at risk and send nothing.
            waiting(lambda: direct(hook, "breach", "availability"), 15,
                    "the direct breach notification")

            scenario.clock.frozen_at = RECOVERY
            waiting(lambda: alerts_at(hook, "/oncall-pager", "resolved", **page), 40,
                    "the page to resolve")
            waiting(lambda: alerts_at(hook, "/vendor-management", "resolved", **likely), 15,
                    "breach-likely to resolve")
            # Nine simulated days pass in seconds, so the 35 minutes of October downtime burn
            # availability's budget many times over inside Prometheus' real-time windows: an
            # availability page fires too, and Alertmanager inhibits the same SLA's
            # ticket-level alerts under it. Breach-certain must fire either way, and reach
            # vendor management unless that page holds it back.
            certain = {"alertname": "SlaBreachCertain", "sla": "availability"}
            waiting(lambda: any(a["labels"].get("alertname") == "SlaBreachCertain"
                                and a["state"] == "firing" for a in prom.alerts()
                                if a["labels"].get("sla") == "availability"), 15,
                    "availability's breach-certain in Prometheus")
            waiting(lambda: alerts_at(hook, "/vendor-management", "firing", **certain)
                    or alerts_at(hook, "/oncall-pager", "firing", alertname="SlaErrorBudgetBurn",
                                 sla="availability", severity="page"), 15,
                    "availability's breach-certain, or the page inhibiting it")
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                assert proc.wait(timeout=20) == 0
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                raise
    assert len(direct(hook, "breach", "availability")) == 1
    for kind, sla in (("breach", "abandon-rate"), ("breach", "service-level-voice"),
                      ("recovery", "abandon-rate"), ("recovery", "service-level-voice"),
                      ("recovery", "availability")):
        assert direct(hook, kind, sla) == [], (kind, sla)
    store = Store.open(db)
    try:
        rows = [r.payload for r in store.notifications("demo-genesys")]
    finally:
        store.close()
    capsys.readouterr()
    assert main(["notifications", "--db", db, "--json"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["kind"], r["channel"], r["status"]) for r in listed
            if r["status"] != "failed"] == [("breach", "webhook:E2E_DIRECT_HOOK", "sent")]
    assert sorted((r["kind"], r["sla"], r["status"], r["attempts"]) for r in rows
                  if r.get("status") != "failed" and "channel" in r) == [
        ("breach", "availability", "sent", 1)]
    # The demo contract mails its case notices and no SLAMON_SMTP_URL is set: each is
    # listed once, as undeliverable, with the reason (it used to be a warning every pass).
    failed = [r for r in listed if r["status"] == "failed"]
    assert failed
    assert {(r["channel"].split(":")[0], r["detail"]) for r in failed} == {
        ("email", "e-mail needs an SMTP server: SLAMON_SMTP_URL is not set")}
    assert len({(r["kind"], r["sla"], r["period"]) for r in failed}) == len(failed)
