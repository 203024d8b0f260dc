"""`slamon run` as a command: `--once` fills the database and saves the evaluation, logs
are structured (and JSON with `--log-json`) without secrets, and the scheduled service
serves `/metrics` from what it stored."""

from __future__ import annotations

import json
import signal
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from monitor.cli import main
from monitor.service.checks import truth_gaps
from monitor.service.logs import fields
from monitor.simulator import SIM_ENV, FaultInjector, Scenario, Simulator
from monitor.storage import Store
from tests.test_service_support import slamon_run, wait_until, write_contract

START = datetime(2026, 10, 5, tzinfo=UTC)
END = START + timedelta(days=1)


@pytest.fixture
def sim_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in SIM_ENV.items():
        monkeypatch.setenv(key, value)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_run_once_collects_every_source_and_saves_the_evaluation(
        store_url: str, tmp_path: Path, sim_env: None,
        capfd: pytest.CaptureFixture[str]) -> None:
    scenario = Scenario(seed=7, start=START, days=1)
    contract = write_contract(tmp_path / "contracts", scenario)
    assert main(["db", "upgrade", "--db", store_url]) == 0
    with Simulator(scenario, FaultInjector()) as sim:
        code = main(["run", "--once", "--db", store_url, "--contracts",
                     str(tmp_path / "contracts"), "--vendor-url", sim.url, "--now",
                     END.isoformat(), "--since", START.isoformat(), "--log-json"])
    assert code == 0
    store = Store.open(store_url)
    try:
        assert truth_gaps(store, contract, scenario) == []
        results = {r.sla_id: r for r in store.latest_results(contract.id)
                   if r.period == "2026-10"}
        assert set(results) == {"service-level-voice", "abandon-rate", "asa", "availability"}
    finally:
        store.close()
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines()
             if line.startswith("{")]
    events = [line.get("event") for line in lines]
    assert "window_stored" in events
    assert "evaluated" in events
    stored = next(line for line in lines if line.get("event") == "window_stored"
                  and line.get("source") == "genesys-cloud")
    assert stored["window"] == "2026-10-05T00:00:00.000Z/2026-10-06T00:00:00.000Z"
    assert stored["rows"] == "144"  # 3 queues x 48 half hours
    assert not any("sim-secret" in json.dumps(line) for line in lines)


def test_a_log_line_with_an_error_keeps_the_whole_error_text() -> None:
    line = "event=collect_failed contract=c source=genesys-cloud error=POST /x: 503 busy now"
    assert fields(line) == {"event": "collect_failed", "contract": "c",
                            "source": "genesys-cloud", "error": "POST /x: 503 busy now"}


def test_run_without_contracts_says_where_it_looked(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["run", "--once", "--contracts", str(tmp_path / "empty"), "--db",
                 f"sqlite:///{tmp_path / 'x.db'}"]) == 1
    assert f"no contracts in {tmp_path / 'empty'}" in capsys.readouterr().err


@pytest.mark.slow
def test_the_running_service_serves_metrics_from_what_it_stored(tmp_path: Path) -> None:
    scenario = Scenario(seed=7, start=START, days=1)
    contract = write_contract(tmp_path / "contracts", scenario)
    url = f"sqlite:///{tmp_path / 'slamon.db'}"
    store = Store.open(url, check_revision=False)
    store.upgrade()
    store.close()
    port = free_port()
    with Simulator(scenario, FaultInjector()) as sim:
        proc = slamon_run(["--db", url, "--contracts", str(tmp_path / "contracts"),
                           "--vendor-url", sim.url, "--now", END.isoformat(), "--since",
                           START.isoformat(), "--interval", "60", "--metrics-port",
                           str(port)], tmp_path, tmp_path / "run.log")
        try:
            page = ""

            def evaluated() -> bool:
                nonlocal page
                try:
                    page = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
                except requests.ConnectionError:
                    return False
                # Both sources run in parallel: wait until each has recorded a run too.
                return ('slamon_sla_attainment_ratio{' in page
                        and page.count("slamon_collector_up{") >= 2)

            wait_until(evaluated, 60, "an evaluation and both sources on /metrics", every=0.2)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
    samples = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
               for line in page.splitlines() if line and not line.startswith("#")}
    up = [v for k, v in samples.items()
          if k.startswith("slamon_collector_up{") and f'contract="{contract.id}"' in k]
    assert up == [1.0, 1.0]  # genesys-cloud and statuspage
    availability = [k for k in samples if k.startswith("slamon_sla_attainment_ratio{")
                    and 'sla="availability"' in k]
    assert len(availability) == 1


def test_a_source_rejected_for_good_is_paused_and_shown_down(
        tmp_path: Path, sim_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor.service.pipeline import CollectPolicy
    from monitor.service.runtime import fixed_clock, retarget
    from monitor.service.scheduler import Service

    monkeypatch.setenv("SLAMON_SIM_CLIENT_SECRET", "not-the-secret")
    scenario = Scenario(seed=7, start=START, days=1)
    store = Store.open(f"sqlite:///{tmp_path / 'slamon.db'}", check_revision=False)
    store.upgrade()
    with Simulator(scenario, FaultInjector()) as sim:
        contract = retarget(write_contract(tmp_path / "contracts", scenario), sim.url)
        service = Service(store, [contract], clock=fixed_clock(END),
                          policy=CollectPolicy(since=START), interval=timedelta(seconds=0.1),
                          backoff_base=timedelta(milliseconds=10))
        service.start()
        try:
            wait_until(lambda: not service.health[(contract.id, "genesys-cloud")].up, 20,
                       "the login to be refused")
            # paused only after `refusals_to_pause` refusals in a row, not the first one
            wait_until(lambda: service.health[(contract.id, "genesys-cloud")].refusals >= 5,
                       20, "five refusals in a row")
            wait_until(lambda: service.paused(f"collect:{contract.id}:genesys-cloud"), 5,
                       "the job to be paused")
            wait_until(lambda: store.get_watermark(f"{contract.id}:statuspage") is not None,
                       20, "the status page to be collected")
        finally:
            service.shutdown()
        snapshot = service.snapshot(END)
    up = {c.source: c.up for c in snapshot.collectors}
    assert up == {"genesys-cloud": False, "statuspage": True}
    paused = {c.source: c.paused for c in snapshot.collectors}
    assert paused == {"genesys-cloud": True, "statuspage": False}
    assert store.get_watermark(f"{contract.id}:genesys-cloud") is None
    store.close()


def test_the_after_evaluation_hook_sees_each_evaluation_and_cannot_break_the_pass(
        tmp_path: Path, sim_env: None) -> None:
    from monitor.service.pipeline import CollectPolicy, EvaluationOutcome
    from monitor.service.runtime import fixed_clock, retarget
    from monitor.service.scheduler import Service

    seen: list[tuple[str, list[str]]] = []

    def hook(contract: object, outcome: EvaluationOutcome) -> None:
        seen.append((outcome.contract_id, [e.period.label for e in outcome.evaluations]))
        raise RuntimeError("a notifier fell over")

    scenario = Scenario(seed=7, start=START, days=1)
    store = Store.open(f"sqlite:///{tmp_path / 'slamon.db'}", check_revision=False)
    store.upgrade()
    with Simulator(scenario, FaultInjector()) as sim:
        contract = retarget(write_contract(tmp_path / "contracts", scenario), sim.url)
        service = Service(store, [contract], clock=fixed_clock(END),
                          policy=CollectPolicy(since=START), on_evaluated=hook)
        outcomes = service.run_once()
    store.close()
    assert [(o.kind, o.rows, o.error) for o in outcomes] == [
        ("genesys-cloud", 144, None), ("statuspage", 0, None)]
    assert seen == [(contract.id, ["2026-09", "2026-10"])]


def test_a_metrics_port_in_use_is_a_clear_error(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    scenario = Scenario(seed=7, start=START, days=1)
    write_contract(tmp_path / "contracts", scenario)
    url = f"sqlite:///{tmp_path / 'slamon.db'}"
    assert main(["db", "upgrade", "--db", url]) == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["run", "--db", url, "--contracts", str(tmp_path / "contracts"),
                     "--metrics-port", str(port), "--now", END.isoformat()])
    assert code == 1
    assert f"cannot serve /metrics on 127.0.0.1:{port}" in capsys.readouterr().err
