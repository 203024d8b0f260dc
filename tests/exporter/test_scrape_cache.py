"""Scrapes with nothing changed do no engine work, and concurrent scrapers share one build.

The change stamp lives in the store (`monitor/storage/stamps.py`): any committed write of
results, runs, watermarks or cases moves it, from this process or another one."""

from __future__ import annotations

import threading
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from monitor.domain.contract import Contract, Status, Target
from monitor.domain.periods import period_for
from monitor.domain.results import CreditLine, Evaluation, Evidence, PeriodCredits, SlaResult
from monitor.exporter import store_source
from monitor.exporter.server import SharedExposition, build_registry, serve
from monitor.exporter.snapshot import MetricsSnapshot, StaticSource
from monitor.exporter.store_source import StoreSource
from monitor.storage import Store
from tests.metrics_samples import sample_contract, small_snapshot

NOW = datetime(2026, 11, 11, 15, 0, tzinfo=UTC)


def _evaluation(contract: Contract, label: str, good: int) -> tuple[Evaluation, PeriodCredits]:
    period = period_for(contract, label)
    value = D(good) / D(1000)
    result = SlaResult("service-level", "service_level", value, value, Target(D("0.8")),
                       Status.BREACHED if value < D("0.8") else Status.MET,
                       Evidence(D(good), D(1000), 10, D(0), "sl"))
    owed = D("600.00") if value < D("0.8") else D(0)
    credits = PeriodCredits(label, "USD", (CreditLine(
        "service-level", label, "USD", owed, owed, "allocation", "issued"),), owed, None)
    return Evaluation(contract.id, period, period.start + timedelta(days=5), "open",
                      (result,)), credits


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every credit-engine run and every results read the exporter makes."""
    calls: list[str] = []
    engine = store_source.assess_credits

    def assess(*args: Any, **kwargs: Any) -> Any:
        calls.append("assess_credits")
        return engine(*args, **kwargs)

    latest = Store.latest_results

    def read(self: Store, *args: Any, **kwargs: Any) -> Any:
        calls.append("latest_results")
        return latest(self, *args, **kwargs)

    monkeypatch.setattr(store_source, "assess_credits", assess)
    monkeypatch.setattr(Store, "latest_results", read)
    return calls


def test_a_scrape_with_nothing_changed_does_no_engine_work(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    contract = sample_contract(tmp_path)
    store.save_contract(contract, NOW)
    for label, good in (("2026-10", 900), ("2026-11", 700)):
        evaluation, credits = _evaluation(contract, label, good)
        store.save_evaluation(evaluation, credits, at=NOW)
    calls = _counting(monkeypatch)
    source = StoreSource(store, [contract])

    first = source.snapshot(NOW)
    assert calls == ["latest_results", "assess_credits"]
    later = source.snapshot(NOW + timedelta(hours=2))
    assert calls == ["latest_results", "assess_credits"]  # nothing changed: no engine run
    (sl1,) = [s for s in first.slas if s.sla == "service-level"]
    (sl2,) = [s for s in later.slas if s.sla == "service-level"]
    assert sl1.attainment == sl2.attainment == 0.7
    # the clock still moves what depends on it: 2 more business hours have gone by
    assert sl1.elapsed_ratio is not None
    assert sl2.elapsed_ratio is not None
    assert sl2.elapsed_ratio > sl1.elapsed_ratio
    assert later.taken_at == NOW + timedelta(hours=2)

    evaluation, credits = _evaluation(contract, "2026-11", 850)
    store.save_evaluation(evaluation, credits, at=NOW + timedelta(hours=3))
    changed = source.snapshot(NOW + timedelta(hours=3))
    assert calls == ["latest_results", "assess_credits"] * 2
    assert [s.attainment for s in changed.slas if s.sla == "service-level"] == [0.85]
    assert source.reads == 2


def test_a_write_by_another_process_moves_the_stamp(store: Store, tmp_path: Path) -> None:
    contract = sample_contract(tmp_path)
    store.save_contract(contract, NOW)
    source = StoreSource(store, [contract])
    assert source.snapshot(NOW).collectors == ()
    other = Store.open(store.engine.url.render_as_string(hide_password=False))
    try:
        other.record_run(f"{contract.id}:genesys-cloud", NOW - timedelta(minutes=2),
                         NOW - timedelta(minutes=1), 4)
    finally:
        other.close()
    (col,) = source.snapshot(NOW).collectors
    assert (col.source, col.up, col.requests_total) == ("genesys-cloud", True, 1)
    assert source.reads == 2


def test_the_stamp_moves_with_every_change_the_exporter_shows(
        store: Store, tmp_path: Path) -> None:
    contract = sample_contract(tmp_path)
    store.save_contract(contract, NOW)
    seen = [store.change_stamp()]

    def moved() -> bool:
        seen.append(store.change_stamp())
        return seen[-1] > seen[-2]

    assert seen == [0]
    evaluation, credits = _evaluation(contract, "2026-11", 700)
    store.save_evaluation(evaluation, credits, at=NOW)
    assert moved()
    store.record_run("acme:genesys-cloud", NOW, NOW, 0)
    assert moved()
    assert store.set_watermark("acme:genesys-cloud", NOW)
    assert moved()
    assert not store.set_watermark("acme:genesys-cloud", NOW - timedelta(hours=1))
    assert not moved()  # a watermark that did not move is no change
    assert store.close_period(contract.id, "2026-11", "ops", NOW)
    assert moved()
    assert store.try_lease("acme:genesys-cloud", "me", timedelta(minutes=1), NOW)
    assert not moved()  # leases are not shown


class _Slow:
    """A snapshot source that takes a while and counts its calls."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.calls = seconds, 0
        self._lock = threading.Lock()

    def snapshot(self, now: datetime) -> MetricsSnapshot:
        with self._lock:
            self.calls += 1
        time.sleep(self.seconds)
        return small_snapshot()


def test_concurrent_scrapes_share_one_snapshot_and_one_rendering() -> None:
    source = _Slow(0.3)
    server = serve(source, 0, clock=lambda: NOW, share_seconds=30)
    bodies: list[bytes] = []
    errors: list[BaseException] = []

    def scrape() -> None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/metrics",
                                        timeout=20) as r:
                bodies.append(r.read())
        except BaseException as exc:
            errors.append(exc)

    # the listen backlog holds a burst of 50 (the default 5 dropped SYNs: retried after 1-7 s)
    assert server.server.request_queue_size >= 50
    try:
        threads = [threading.Thread(target=scrape) for _ in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        server.stop()
    assert errors == []
    assert len(bodies) == 50
    assert len(set(bodies)) == 1
    assert b"slamon_sla_attainment_ratio" in bodies[0]
    assert source.calls == 1
    assert server.exposition is not None
    assert server.exposition.builds == 1


def test_the_shared_exposition_is_rebuilt_once_the_window_has_passed() -> None:
    source = _Slow(0)
    ticks = [100.0]
    clock: Callable[[], float] = lambda: ticks[0]  # noqa: E731 - a settable fake clock
    shared = SharedExposition(build_registry(source, lambda: NOW), share_seconds=1.0,
                              clock=clock)
    text, _ = shared.body(None, compress=False)
    ticks[0] = 100.9
    assert shared.body(None, compress=False)[0] == text
    assert source.calls == 1
    ticks[0] = 101.0
    shared.body(None, compress=False)
    assert source.calls == 2
    # each format is its own rendering; gzip is compressed once per build
    shared.body("application/openmetrics-text; version=1.0.0", compress=True)
    assert (source.calls, shared.builds) == (3, 3)


def test_filters_and_other_methods_are_served_as_before() -> None:
    server = serve(StaticSource(small_snapshot()), 0, clock=lambda: NOW)
    try:
        url = f"http://127.0.0.1:{server.port}/metrics?name[]=slamon_up"
        with urllib.request.urlopen(url, timeout=5) as r:
            body = r.read().decode()
        request = urllib.request.Request(f"http://127.0.0.1:{server.port}/metrics",
                                         method="OPTIONS")
        with urllib.request.urlopen(request, timeout=5) as r:
            allow = r.headers["Allow"]
    finally:
        server.stop()
    # client_python's own filter (it finds nothing: `describe()` is empty so that
    # registration stays cheap), not the shared full exposition
    assert "slamon_sla_attainment_ratio" not in body
    assert allow == "OPTIONS,GET"
