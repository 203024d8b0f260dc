"""Three `slamon run` processes on one PostgreSQL for a simulated day: every new interval
is fetched from the vendor by exactly one request of one process, none is skipped, and the
database ends equal to the simulator's truth. The processes follow the simulator's clock
(a day in ~8 s) and share the work through row leases and watermarks in the database.

The simulator posts a contact only once it has completed (as Genesys does), so each poll
also re-fetches the trailing 4 hours, on purpose; what must never happen is two polls of
the same new data: each request's new part starts exactly where the previous one ended."""

from __future__ import annotations

import itertools
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.service.checks import truth_gaps
from monitor.service.pipeline import source_key
from monitor.simulator import FaultInjector, Scenario, Simulator
from monitor.storage import Store
from tests.test_service_support import slamon_run, wait_until, write_contract

START = datetime(2026, 10, 5, tzinfo=UTC)
END = START + timedelta(days=1)
DAY_IN_SECONDS = 8.0
TRAILING = timedelta(hours=4)  # GenesysCollector.limits.trailing


def window_of(interval: str) -> tuple[datetime, datetime]:
    a, b = interval.split("/")
    return (datetime.fromisoformat(a.replace("Z", "+00:00")),
            datetime.fromisoformat(b.replace("Z", "+00:00")))


@pytest.mark.slow
@pytest.mark.postgres
def test_three_processes_on_one_postgres_fetch_every_interval_once(
        pg_url: str, tmp_path: Path) -> None:
    store = Store.open(pg_url, check_revision=False)
    store.upgrade()
    scenario = Scenario(seed=7, start=START, days=1, speed=86400 / DAY_IN_SECONDS)
    contract = write_contract(tmp_path / "contracts", scenario)
    asked: list[str] = []
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with Simulator(scenario, FaultInjector()) as sim:
            aggregates = sim.genesys.aggregates

            def recording(body: Any) -> Any:
                asked.append(body["interval"])
                return aggregates(body)

            sim.genesys.aggregates = recording  # type: ignore[method-assign]
            # A lease outlives any window in hand even on a starved machine (a 5 s lease
            # once expired mid-window under load and a second process re-fetched it);
            # nothing here is killed, so no lease ever has to be taken over.
            args = ["--db", pg_url, "--contracts", str(tmp_path / "contracts"),
                    "--vendor-url", sim.url, "--clock-url", sim.url, "--since",
                    START.isoformat(), "--interval", "0.3",
                    "--lease-ttl", "30", "--metrics-port", "0", "--workers", "2"]
            logs = [tmp_path / f"run{i}.log" for i in range(3)]
            procs = [slamon_run(args, tmp_path, log) for log in logs]
            keys = [source_key(contract.id, kind) for kind in ("genesys-cloud", "statuspage")]

            def caught_up() -> bool:
                marks = [store.get_watermark(k) for k in keys]
                # an hour past the day: the last intervals' late contacts have been re-polled
                return all(m is not None and m >= END + timedelta(hours=1) for m in marks)

            wait_until(caught_up, 60, "the day to be collected", every=0.2, procs=procs,
                       log=logs[0])
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            codes = [proc.wait(30) for proc in procs]
        assert codes == [0, 0, 0], [log.read_text()[-2000:] for log in logs]
        windows = [window_of(text) for text in asked]  # in the order they arrived
        ends = [end for _, end in windows]
        assert ends == sorted(set(ends)), "two polls fetched the same new interval"
        assert windows[0][0] == START
        for (_, before), (start, _) in itertools.pairwise(windows):
            assert start == max(START, before - TRAILING), f"new data after {before} skipped"
        assert ends[-1] >= END
        assert truth_gaps(store, contract, scenario, START, END) == []
        workers = sum("event=window_stored" in log.read_text() for log in logs)
        print(f"{len(windows)} aggregate queries, {workers} of 3 processes stored windows")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
        store.close()


@pytest.mark.slow
def test_sigterm_lets_the_window_in_hand_finish_and_exits_zero(tmp_path: Path) -> None:
    scenario = Scenario(seed=7, start=START, days=1)
    # every request answers after 0.2 s: a day in half-hour windows takes ~15 s
    faults = FaultInjector(rate=1.0, kinds=("timeout",), timeout_delay=0.2)
    url = f"sqlite:///{tmp_path / 'slamon.db'}"
    contract = write_contract(tmp_path / "contracts", scenario)
    key = source_key(contract.id, "genesys-cloud")
    store = Store.open(url, check_revision=False)
    store.upgrade()
    with Simulator(scenario, faults) as sim:
        proc = slamon_run(["--db", url, "--contracts", str(tmp_path / "contracts"),
                           "--vendor-url", sim.url, "--now", END.isoformat(), "--since",
                           START.isoformat(), "--max-window", "1800", "--interval", "60",
                           "--metrics-port", "0"], tmp_path, tmp_path / "run.log")
        try:
            def started() -> bool:
                mark = store.get_watermark(key)
                return mark is not None and mark >= START + timedelta(hours=1)

            wait_until(started, 60, "the first windows", procs=[proc],
                       log=tmp_path / "run.log")
            proc.send_signal(signal.SIGTERM)
            sent = time.monotonic()
            code = proc.wait(30)
            took = time.monotonic() - sent
        finally:
            if proc.poll() is None:
                proc.kill()
    log = (tmp_path / "run.log").read_text()
    assert code == 0, log[-2000:]
    assert took < 5  # one window (~0.2 s) and the scheduler's shutdown, not the ~13 s left
    mark = store.get_watermark(key)
    assert mark is not None
    assert START + timedelta(hours=1) <= mark < END
    assert truth_gaps(store, contract, scenario, START, mark) == []
    assert len(store.load_intervals(contract.id, START, END)) == 3 * int(
        (mark - START) / timedelta(minutes=30))
    run = store.runs(key)[0]
    assert run.finished is not None
    assert run.error is None
    assert "event=signal signal=SIGTERM" in log
    assert "event=stopped" in log
    store.close()
