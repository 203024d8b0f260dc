"""The service assesses credits over the stored history: month after month, each pass
re-evaluates only what can still change, and the months before come back from storage —
so WE-10's rolling default lands in May exactly as `slamon evaluate` says, and periods past
their claim deadline become final."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from monitor.interchange import read_intervals
from monitor.service.pipeline import evaluate_once, finalize_due
from monitor.spec import load_contract
from monitor.storage import Store
from monitor.storage.history import stored_evaluations
from tests.conftest import DATA

CONTRACT = load_contract(DATA / "we10-we11-contract.yaml")
PERCENTS = [79, 81, 78, 77, 79, 74]  # WE-10, January to June 2026


def months_csv(tmp_path: Path) -> Path:
    lines = ["queue,interval_start,interval_minutes,offered,answered,abandoned,"
             "answered_within_20s,abandoned_within_20s"]
    lines += [f"q-main,2026-{m + 1:02d}-15T10:00:00-05:00,30,100,100,0,{p},0"
              for m, p in enumerate(PERCENTS)]
    path = tmp_path / "we10.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def owed(store: Store, label: str) -> Decimal:
    return sum((line.amount for line in store.credit_lines(CONTRACT.id, label)
                if line.sla_id == "service-level"), Decimal(0))


def test_monthly_passes_reach_the_rolling_default_from_stored_history(
        store: Store, tmp_path: Path) -> None:
    store.save_contract(CONTRACT)
    store.ingest_intervals(CONTRACT, read_intervals(months_csv(tmp_path), CONTRACT),
                           source="test")
    for month in range(2, 8):  # a pass early in each month, February to July
        evaluate_once(store, CONTRACT, datetime(2026, month, 2, 12, tzinfo=UTC))
    assert [owed(store, f"2026-{m:02d}") for m in range(1, 7)] == [
        Decimal(0), Decimal(0), Decimal(0), Decimal(0),
        Decimal("36000.00"),  # the fourth expected-level miss in 12 months
        Decimal("36000.00"),  # June's 74 % is under the 75 % minimum
    ]


def test_stored_history_rebuilds_what_the_engine_decided(store: Store, tmp_path: Path) -> None:
    store.save_contract(CONTRACT)
    store.ingest_intervals(CONTRACT, read_intervals(months_csv(tmp_path), CONTRACT),
                           source="test")
    for month in range(2, 8):
        evaluate_once(store, CONTRACT, datetime(2026, month, 2, 12, tzinfo=UTC))
    july = evaluate_once(store, CONTRACT, datetime(2026, 7, 2, 12, tzinfo=UTC))
    june = july.evaluations[0]
    history = stored_evaluations(store, CONTRACT, june.period)
    assert [e.period.label for e in history] == [f"2026-0{m}" for m in range(1, 6)]
    april = history[3].result("service-level")
    assert (april.value, april.status, april.below_minimum) == (Decimal("0.77"), "breached",
                                                                False)
    assert history[0].result("service-level").evidence.numerator == 79


def test_a_period_past_its_claim_deadline_becomes_final(store: Store, tmp_path: Path) -> None:
    contract = replace(CONTRACT, claim_deadline_days=30)
    store.save_contract(contract)
    store.ingest_intervals(contract, read_intervals(months_csv(tmp_path), contract),
                           source="test")
    evaluate_once(store, contract, datetime(2026, 2, 2, 12, tzinfo=UTC))
    assert store.period_status(contract.id, "2026-01") == "provisional"
    # January ended 2026-02-01 05:00 UTC; 30 days later the claim window has closed.
    assert finalize_due(store, contract, datetime(2026, 3, 3, 4, 59, tzinfo=UTC)) == []
    assert finalize_due(store, contract, datetime(2026, 3, 3, 5, 0, tzinfo=UTC)) == ["2026-01"]
    assert store.period_status(contract.id, "2026-01") == "final"
