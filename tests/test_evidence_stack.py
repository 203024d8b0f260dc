"""Independent evidence end to end, with the real parts.

Debian's blackbox_exporter probes an HTTP endpoint this test controls, a real Prometheus
scrapes it every second, the test takes the endpoint down for a known window while the
vendor's status page (its outage feed, imported as the status-page collector stores it)
admits only a shorter outage, and then stops the exporter for a while (a probe gap).
`slamon import prometheus` reads Prometheus; `slamon evaluate` must report the observed
downtime equal to the window within one probe interval, the minutes the vendor did not
report, the gap as unknown (never down, never up) and, with `worst_of`, the credit of the
observed downtime. A Prometheus nobody can reach stores nothing.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from monitor.cli import main
from monitor.collectors.registry import build_collectors
from monitor.service.pipeline import CollectPolicy, collect_once
from monitor.spec import find_contract
from monitor.storage import Store
from monitor.storage.observations import load_all
from tests.conftest import require_binary
from tests.promstack import Prometheus, _Process, free_port, wait_until

NY = ZoneInfo("America/New_York")
PROBE_INTERVAL = 1.0  # seconds: the scrape (and so the probe) interval and the query step
WINDOW = 8.0  # seconds the endpoint is down
REPORTED = (2.0, 5.0)  # the vendor admits 3 s of it, from 2 s in
GAP = 5.0  # seconds the exporter is stopped
FEE = Decimal("10000.00")


class Endpoint:
    """The vendor's agent desktop: 200, or 503 while `down`."""

    def __init__(self) -> None:
        self.down = False
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(503 if endpoint.down else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/desktop"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Blackbox(_Process):
    def __init__(self, binary: str, workdir: Path, port: int) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        config = {"modules": {"http_2xx": {"prober": "http", "timeout": "900ms",
                                           "http": {"valid_status_codes": [200]}}}}
        (workdir / "blackbox.yml").write_text(yaml.safe_dump(config))
        self.address = f"127.0.0.1:{port}"
        super().__init__([binary, f"--config.file={workdir / 'blackbox.yml'}",
                          f"--web.listen-address={self.address}", "--log.level=warn"],
                         workdir / f"blackbox-{time.monotonic_ns()}.log",
                         f"http://{self.address}/metrics")


def percent(elapsed: float, down: float) -> str:
    """The availability `down` seconds leave over `elapsed` seconds, as a contract percent."""
    return f"{(1 - Decimal(str(down)) / Decimal(str(elapsed))) * 100:.12f}%"


def contract(path: Path, prometheus: str, record: str, elapsed: float) -> Path:
    doc = {
        "apiVersion": "slamon/v1", "kind": "VendorContract",
        "metadata": {"id": "evidence-test", "name": "Independent evidence",
                     "vendor": {"id": "desk-co", "legal_name": "Desk Co Inc."},
                     "currency": "USD", "timezone": "America/New_York",
                     "effective": {"from": "2026-01-01"}},
        "fees": {"monthly": str(FEE)},
        "sources": [{
            "platform": "csv", "path": str(path.parent), "measurement_of_record": record,
            "independent": [{
                "kind": "prometheus", "name": "blackbox", "url": prometheus,
                "components": {"agent-desktop": 'probe_success{job="blackbox"}'},
                "rule": {"failing_locations": 1, "consecutive_samples": 2,
                         "step": "1s", "location_label": "location"},
            }],
        }],
        "slas": [{
            "id": "desktop-availability", "metric": "availability", "formula": "plain",
            "components": ["agent-desktop"], "calendar": "24x7", "period": "month",
            # An open month is judged on its elapsed time: with tiers at 2 s and 5 s of it
            # down, the vendor's 3 s fall in the first tier, the 7-9 s observed in the second.
            "target": percent(elapsed, 2),
            "credits": {"base": "fees.monthly", "tiers": [
                {"below": percent(elapsed, 2), "at_least": percent(elapsed, 5), "credit": "10%"},
                {"below": percent(elapsed, 5), "credit": "25%"}]},
        }],
    }
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Ran]:
    def slamon(*args: str) -> Ran:
        capsys.readouterr()
        code = main(list(args))
        out = capsys.readouterr()
        return Ran(code, out.out, out.err)
    return slamon


def probes_seen(prom: Prometheus, since: float) -> int:
    rows = prom.query(f'count_over_time(probe_success{{job="blackbox"}}[{int(since)}s])')
    return int(float(rows[0]["value"][1])) if rows else 0


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[Endpoint, Prometheus, Blackbox, str]]:
    prom_bin = require_binary("prometheus")
    bb_bin = require_binary("prometheus-blackbox-exporter")
    endpoint = Endpoint()
    port = free_port()
    blackbox = Blackbox(bb_bin, tmp_path / "bb", port)
    scrape = {"job_name": "blackbox", "metrics_path": "/probe", "scrape_interval": "1s",
              "scrape_timeout": "1s", "params": {"module": ["http_2xx"], "target": [endpoint.url]},
              "static_configs": [{"targets": [blackbox.address],
                                  "labels": {"location": "nyc-office"}}]}
    prom = Prometheus(prom_bin, tmp_path / "prom", [], scrape_configs=[scrape])
    try:
        yield endpoint, prom, blackbox, bb_bin
    finally:
        prom.close()
        blackbox.close()
        endpoint.close()


def test_prometheus_probes_are_reconciled_with_the_vendors_shorter_outage(
        stack: tuple[Endpoint, Prometheus, Blackbox, str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    endpoint, prom, blackbox, bb_bin = stack
    slamon = cli(capsys)
    wait_until(lambda: probes_seen(prom, 30) >= 3, 20, "three probe samples")
    begin = datetime.now(UTC)
    time.sleep(2)
    endpoint.down = True
    down_at = datetime.now(UTC)
    time.sleep(WINDOW)
    endpoint.down = False
    up_at = datetime.now(UTC)
    window = (up_at - down_at).total_seconds()
    time.sleep(3)
    blackbox.close()  # the probe gap: scrapes fail, probe_success goes stale
    gap_from = datetime.now(UTC)
    time.sleep(GAP)
    blackbox = Blackbox(bb_bin, tmp_path / "bb", int(blackbox.address.rsplit(":", 1)[1]))
    gap_to = datetime.now(UTC)
    try:
        wait_until(lambda: probes_seen(prom, 2) >= 1, 10, "probes after the gap")
        time.sleep(2)
        end = datetime.now(UTC)
    finally:
        blackbox.close()

    month_start = datetime.fromisoformat(end.astimezone(NY).strftime("%Y-%m-01T00:00")
                                         ).replace(tzinfo=NY)
    elapsed = (end - month_start).total_seconds()
    db = f"sqlite:///{tmp_path / 'slamon.db'}"
    assert slamon("db", "upgrade", "--db", db).returncode == 0
    worst = contract(tmp_path / "worst.yaml", prom.url, "worst_of", elapsed)
    vendor = contract(tmp_path / "vendor.yaml", prom.url, "vendor", elapsed)
    # The status page's incident as the statuspage collector stores it: shorter than real.
    (tmp_path / "status.csv").write_text(
        "service,start,end,impact,source,ref\n"
        f"agent-desktop,{(down_at + timedelta(seconds=REPORTED[0])).isoformat()},"
        f"{(down_at + timedelta(seconds=REPORTED[1])).isoformat()},full,statuspage,INC-7\n")
    done = slamon("import", "outages", str(tmp_path / "status.csv"), "--contract", str(worst),
                  "--db", db)
    assert done.returncode == 0, done.stderr
    args = ("--from", begin.isoformat(), "--to", end.isoformat(), "--db", db)
    first = slamon("import", "prometheus", "--contract", str(worst), *args)
    assert first.returncode == 0, first.stderr
    again = slamon("import", "prometheus", "--contract", str(worst), *args)
    assert again.returncode == 0, again.stderr
    assert " 0 new, 0 replaced" in again.stdout  # idempotent

    # `slamon run`'s collector for the same check stores the same down span.
    c = find_contract(str(worst), tmp_path)
    (reader,) = [x for x in build_collectors(c) if x.kind == "evidence-blackbox"]
    store = Store.open(db)
    try:
        def down() -> list[tuple[datetime, datetime]]:
            return [(s.start, s.end) for s in load_all(store, c.id, begin, end)
                    if s.state == "down"]
        imported = down()
        outcome = collect_once(store, c, reader, end, "test", CollectPolicy(since=begin))
        assert outcome.error is None
        assert outcome.windows
        assert down() == imported
        assert len(imported) == 1
    finally:
        store.close()

    # Prometheus unreachable: a clear error, nothing stored (that time stays unknown).
    dead = contract(tmp_path / "dead.yaml", f"http://127.0.0.1:{free_port()}", "worst_of",
                    elapsed)
    later = ("--from", end.isoformat(), "--to", (end + timedelta(minutes=5)).isoformat(),
             "--db", db)
    failed = slamon("import", "prometheus", "--contract", str(dead), *later)
    assert failed.returncode == 1
    assert "query_range" in failed.stderr

    period = end.astimezone(NY).strftime("%Y-%m")
    evaluated = slamon("evaluate", "--contract", str(worst), "--period", period, "--db", db,
                       "--as-of", end.isoformat(), "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    doc = json.loads(evaluated.stdout)
    (rec,) = doc["reconciliation"]
    observed = Decimal(rec["observed_minutes"]) * 60
    vendor_s = Decimal(rec["vendor_minutes"]) * 60
    assert abs(observed - Decimal(str(window))) <= Decimal(str(PROBE_INTERVAL)), (
        observed, window)
    assert vendor_s == Decimal(REPORTED[1] - REPORTED[0])
    # The vendor's 3 s lie inside the observed span: the rest went unreported.
    assert Decimal(rec["unreported_minutes"]) == Decimal(rec["observed_minutes"]) - Decimal(
        rec["vendor_minutes"])
    (span,) = rec["observed_spans"]
    assert span["vendor_ref"] == "INC-7"
    assert span["note"] == "reported shorter by the vendor"
    assert span["locations"] == ["nyc-office"]
    assert span["start"].endswith(("-05:00", "-04:00"))  # the contract's zone
    # Unknown: the month before the first probe read, the gap, and nothing after `end`.
    assert datetime.fromisoformat(doc["period"]["start"]) == month_start
    before = Decimal(str((begin - month_start).total_seconds()))
    unknown_s = Decimal(rec["unknown_minutes"]) * 60 - before
    gap = Decimal(str((gap_to - gap_from).total_seconds()))
    assert abs(unknown_s - gap) <= 2 * Decimal(str(PROBE_INTERVAL)), (unknown_s, gap)
    assert Decimal(rec["record_minutes"]) == Decimal(rec["observed_minutes"])  # worst_of
    # worst_of: the credit of the observed 7-9 s (25 %), not of the vendor's 3 s (10 %).
    assert doc["credit_total"] == f"{FEE * Decimal('0.25'):.2f}"

    table = slamon("evaluate", "--contract", str(vendor), "--period", period, "--db", db,
                   "--as-of", end.isoformat())
    assert table.returncode == 0, table.stderr
    assert "independent evidence desktop-availability: vendor reported 0.05 min down" in (
        table.stdout)
    assert "of record (vendor): 0.05 min" in table.stdout
    assert f"credit accruing if nothing changes: {FEE * Decimal('0.10'):.2f} USD" in (
        table.stdout)
