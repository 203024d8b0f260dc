"""Three `slamon run` processes on one PostgreSQL for a simulated day: every interval is
fetched from the vendor exactly once and nothing is missing. The processes follow the
simulator's clock (a day in ~12 s) and share the work through row leases and watermarks
in the database; with `--trailing 0` any window fetched twice would show."""

from __future__ import annotations

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
DAY_IN_SECONDS = 12.0


def windows_of(intervals: list[str]) -> list[tuple[datetime, datetime]]:
    out = []
    for text in intervals:
        a, b = text.split("/")
        out.append((datetime.fromisoformat(a.replace("Z", "+00:00")),
                    datetime.fromisoformat(b.replace("Z", "+00:00"))))
    return sorted(out)


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
            args = ["--db", pg_url, "--contracts", str(tmp_path / "contracts"),
                    "--vendor-url", sim.url, "--clock-url", sim.url, "--since",
                    START.isoformat(), "--trailing", "0", "--interval", "0.3",
                    "--lease-ttl", "5", "--metrics-port", "0", "--workers", "2"]
            logs = [tmp_path / f"run{i}.log" for i in range(3)]
            procs = [slamon_run(args, tmp_path, log) for log in logs]
            keys = [source_key(contract.id, kind) for kind in ("genesys-cloud", "statuspage")]

            def caught_up() -> bool:
                marks = [store.get_watermark(k) for k in keys]
                return all(m is not None and m >= END for m in marks)

            wait_until(caught_up, 60, "the day to be collected", every=0.2)
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            codes = [proc.wait(30) for proc in procs]
        assert codes == [0, 0, 0], [log.read_text()[-2000:] for log in logs]
        windows = windows_of(asked)
        assert windows[0][0] == START
        for (_, end), (start, _) in zip(windows, windows[1:], strict=False):
            assert start == end, f"window at {start} overlaps or leaves a gap after {end}"
        assert windows[-1][1] >= END
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

            wait_until(started, 60, "the first windows")
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
