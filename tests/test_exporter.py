"""The scrape-time collector: exact exposition, failure handling, promtool, HTTP."""

from __future__ import annotations

import subprocess
import urllib.request
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from prometheus_client import generate_latest

from monitor.exporter.server import build_registry, serve
from monitor.exporter.snapshot import MetricsSnapshot, StaticSource
from tests.conftest import require_binary
from tests.metrics_samples import NOW, small_snapshot

EXPECTED = (Path(__file__).parent / "data" / "exporter_small.prom").read_text()


def exposition(source: object, now: datetime = NOW) -> str:
    text = generate_latest(build_registry(source, clock=lambda: now)).decode()  # type: ignore[arg-type]
    return "".join(
        line + "\n" for line in text.splitlines()
        if not line.startswith("slamon_scrape_duration_seconds ")
    )


def test_small_snapshot_exposes_exactly_the_expected_families() -> None:
    assert exposition(StaticSource(small_snapshot())) == EXPECTED


def test_snapshot_age_counts_from_when_the_results_were_read() -> None:
    text = exposition(StaticSource(small_snapshot()), NOW.replace(minute=10))
    assert "slamon_snapshot_age_seconds 660.0\n" in text  # read 14:59, scraped 15:10


class Broken:
    calls = 0

    def snapshot(self, now: datetime) -> MetricsSnapshot:
        self.calls += 1
        raise RuntimeError("database is gone")


def test_a_failing_source_still_answers_with_up_zero_and_no_sla_series() -> None:
    source = Broken()
    text = exposition(source)
    assert "slamon_up 0.0\n" in text
    assert "slamon_sla_" not in text
    assert source.calls == 1


def test_registration_does_not_read_the_source() -> None:
    source = Broken()
    build_registry(source)  # type: ignore[arg-type]
    assert source.calls == 0


def test_an_sla_with_no_data_exposes_metadata_but_no_attainment() -> None:
    from tests.metrics_samples import sla
    snap = MetricsSnapshot(taken_at=NOW, slas=(sla("csat", metric="csat"),))
    text = exposition(StaticSource(snap))
    assert 'slamon_sla_info{calendar="business-hours",contract="acme-2026",direction="min"' in text
    assert 'slamon_sla_target_ratio{contract="acme-2026",period="2026-11",sla="csat"' in text
    assert "slamon_sla_attainment_ratio{" not in text
    assert "slamon_sla_good_events_total{" not in text


@pytest.mark.binaries
def test_promtool_finds_nothing_to_lint_in_the_exposition(tmp_path: Path) -> None:
    promtool = require_binary("promtool")
    out = subprocess.run([promtool, "check", "metrics"], input=EXPECTED, text=True,
                         capture_output=True, timeout=30)
    assert (out.returncode, out.stdout, out.stderr) == (0, "", "")


def test_the_http_endpoint_serves_the_registry_on_a_free_port() -> None:
    server = serve(StaticSource(small_snapshot()), 0, clock=lambda: datetime.now(UTC))
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/metrics", timeout=5) as r:
            body = r.read().decode()
    finally:
        server.stop()
    assert "slamon_up 1.0" in body
    assert 'slamon_credit_accrued{contract="acme-2026",currency="USD"' in body
    assert "process_cpu_seconds_total" not in body  # its own registry, not the global one
    assert Decimal("500.00") == Decimal(body.split("slamon_credit_accrued{")[1].split()[1])


def test_serve_metrics_command_serves_the_contracts_until_terminated(tmp_path: Path) -> None:
    import signal
    import sys

    from tests.metrics_samples import sample_contract
    from tests.promstack import free_port, wait_until

    sample_contract(tmp_path)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "monitor.cli", "serve-metrics", "--contracts",
                             str(tmp_path), "--port", str(port), "--no-db"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        body: list[str] = []

        def scraped() -> bool:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
                body.append(r.read().decode())
            return True

        wait_until(scraped, 20, "serve-metrics to answer")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    assert proc.returncode == 0
    text = body[-1]
    assert 'slamon_sla_info{calendar="24x7",contract="acme-2026"' in text
    assert 'slamon_credit_at_risk{contract="acme-2026",currency="USD",period=""' not in text
    assert "slamon_up 1.0" in text
