"""Acceptance: each exported SLI's PromQL, run by a real Prometheus scraping slamon's
exporter, gives the ratio `slamon evaluate` reports for a closed month (ACME, October 2026,
from the example interval and outage files)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from monitor.cli import main
from monitor.domain.contract import SECONDS_METRICS, Direction
from monitor.domain.history import evaluate_history
from monitor.domain.periods import period_for
from monitor.exporter.server import ContractsSource, serve
from monitor.openslo.export import export_contract
from monitor.sources import FileSource
from monitor.spec import load_contract
from monitor.spec.yamlpos import load_document
from tests.conftest import CONTRACTS, ROOT, require_binary
from tests.promstack import Prometheus, wait_until

pytestmark = [pytest.mark.binaries, pytest.mark.slow]

CONTRACT = CONTRACTS / "acme-connect-2026.yaml"
INTERVALS = ROOT / "examples" / "acme-2026-10-intervals.csv"
OUTAGES = ROOT / "examples" / "acme-2026-10-outages.csv"
AS_OF = datetime(2026, 11, 5, tzinfo=UTC)  # October is over


def evaluated(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["evaluate", "--contract", str(CONTRACT), "--intervals", str(INTERVALS),
                 "--outages", str(OUTAGES), "--period", "2026-10", "--as-of",
                 AS_OF.isoformat(), "--json"]) == 0
    return {s["id"]: s for s in json.loads(capsys.readouterr().out)["slas"]}


def query_value(prom: Prometheus, expr: str) -> float:
    [sample] = prom.query(expr)
    return float(sample["value"][1])


def test_each_exported_sli_gives_the_evaluated_ratio_of_a_closed_month(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    binary = require_binary("prometheus")
    expected = evaluated(capsys)
    contract = load_contract(CONTRACT)
    source = FileSource.read(contract, INTERVALS, OUTAGES)
    past = evaluate_history(
        contract, period_for(contract, "2026-10"),
        lambda start, end: source.measurements(contract, start, end), AS_OF, history=0,
        availability_data=source.has_outages, is_final=lambda label: False,
        require_data=False, source=source.describe())
    docs = export_contract(contract, load_document(CONTRACT.read_text(), "c").data)
    slis = {d["metadata"]["name"]: d["spec"] for d in docs if d["kind"] == "SLI"}
    measured = [s for s in contract.slas if expected.get(s.id, {}).get("value") is not None]
    assert {s.id for s in measured} >= {"availability", "service-level-voice", "abandon-rate"}

    exporter = serve(ContractsSource([contract], lambda now: ([past.current], {})), 0,
                     clock=lambda: AS_OF)
    try:
        with Prometheus(binary, tmp_path / "prom", [f"127.0.0.1:{exporter.port}"]) as prom:
            wait_until(lambda: bool(prom.query("slamon_sla_valid_events_total")), 20,
                       "the first scrape of slamon")
            for sla in measured:
                spec = slis[f"{contract.id}-{sla.id}"]
                value = Decimal(str(expected[sla.id]["value"]))
                if sla.metric in SECONDS_METRICS:
                    query = spec["thresholdMetric"]["metricSource"]["spec"]["query"]
                    got = query_value(prom, query)
                else:
                    ratio = spec["ratioMetric"]
                    good = query_value(prom, ratio["good"]["metricSource"]["spec"]["query"])
                    total = query_value(prom, ratio["total"]["metricSource"]["spec"]["query"])
                    got = good / total
                    if sla.target.direction is Direction.MAX:  # good = not abandoned
                        value = 1 - value
                # `slamon evaluate --json` rounds to 6 places
                assert got == pytest.approx(float(value), abs=5e-7), sla.id
    finally:
        exporter.stop()
