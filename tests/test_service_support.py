"""Plumbing shared by the service's process tests (no tests here): a simulator contract
on disk and `slamon run` as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from monitor.domain.contract import Contract
from monitor.service.demo import demo_contract_yaml
from monitor.simulator import SIM_ENV, Scenario
from monitor.spec import load_contract

SLAMON = [sys.executable, "-c", "from monitor.cli import run; run()"]


def write_contract(folder: Path, scenario: Scenario) -> Contract:
    """The demo contract (Genesys + status page, the simulator's queues) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "demo-genesys.yaml"
    path.write_text(demo_contract_yaml(scenario, "2026-10"), encoding="utf-8")
    return load_contract(path)


def slamon_run(args: Sequence[str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, **SIM_ENV}
    env.pop("SLAMON_DATABASE_URL", None)
    with log.open("ab") as sink:
        return subprocess.Popen([*SLAMON, "run", *args], cwd=cwd, env=env, stdout=sink,
                                stderr=subprocess.STDOUT)


def wait_until(condition: Callable[[], bool], timeout: float, what: str,
               every: float = 0.05, procs: Sequence[subprocess.Popen[bytes]] = (),
               log: Path | None = None) -> None:
    """Poll `condition`; fail early (with the log's tail) when a process in `procs` ends."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        ended = [p.returncode for p in procs if p.poll() is not None]
        if ended:
            break
        time.sleep(every)
    tail = log.read_text(errors="replace")[-3000:] if log is not None else ""
    raise AssertionError(f"waiting for {what}: gave up (processes ended: "
                         f"{[p.returncode for p in procs if p.poll() is not None]})\n{tail}")
