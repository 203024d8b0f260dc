"""`StoreSource`: the exporter reading a real SQLite store at scrape time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest

from monitor.domain.contract import Contract, Status, Target
from monitor.domain.periods import period_for
from monitor.domain.results import CreditLine, Evaluation, Evidence, PeriodCredits, SlaResult
from monitor.exporter.store_source import StoreSource
from monitor.storage import Store
from tests.metrics_samples import sample_contract

NOW = datetime(2026, 11, 11, 15, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(f"sqlite:///{tmp_path / 'slamon.db'}", check_revision=False)
    opened.upgrade()
    yield opened
    opened.engine.dispose()


@pytest.fixture
def contract(tmp_path: Path) -> Contract:
    return sample_contract(tmp_path)


def test_stored_results_credits_and_poller_runs_become_the_snapshot(
    store: Store, contract: Contract
) -> None:
    store.save_contract(contract, NOW)
    result = SlaResult("service-level", "service_level", D("0.7"), D("0.68"), Target(D("0.8")),
                       Status.BREACHED, Evidence(D(700), D(1000), 10, D(0), "sl"))
    evaluation = Evaluation(contract.id, period_for(contract, "2026-11"), NOW, "open", (result,))
    credits = PeriodCredits("2026-11", "USD", (CreditLine(
        "service-level", "2026-11", "USD", D("600.00"), D("600.00"), "allocation", "issued"),),
        D("600.00"), None)
    store.save_evaluation(evaluation, credits, at=NOW)
    key = f"{contract.id}:genesys-cloud"
    store.record_run(key, NOW - timedelta(minutes=10), NOW - timedelta(minutes=9), 4)
    store.record_run(key, NOW - timedelta(minutes=5), NOW - timedelta(minutes=4, seconds=30), 0,
                     "HTTP 503")
    store.set_watermark(key, NOW - timedelta(minutes=15))

    source = StoreSource(store, [contract])
    snap = source.snapshot(NOW)
    (sl,) = [s for s in snap.slas if s.sla == "service-level"]
    assert (sl.attainment, sl.raw_attainment, sl.target, sl.breached) == (0.7, 0.68, 0.8, True)
    assert (sl.good_events, sl.valid_events) == (700.0, 1000.0)
    assert sl.credit_accrued == D("600.00")
    (col,) = snap.collectors
    assert (col.source, col.up, col.errors_total, col.requests_total) == (
        "genesys-cloud", False, 1, 2)
    assert col.request_seconds_total == 90.0  # 60 s + 30 s
    assert col.last_success == NOW - timedelta(minutes=9)
    assert snap.contracts[0].last_measurement == NOW - timedelta(minutes=15)
    again = source.snapshot(NOW)  # counters do not count the same runs twice
    assert (again.collectors[0].errors_total, again.collectors[0].requests_total) == (1, 2)
