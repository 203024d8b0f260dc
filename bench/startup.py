"""Start-up time of the `slamon` command: what a user waits for before anything happens.

    python bench/startup.py [--repeat 7]

Runs `slamon --help` and `slamon validate contracts` (the four shipped contracts) as fresh
processes, each `--repeat` times, and prints the best and median wall time and the CPU time
of the child (user + system) beside the goals: `--help` <= 0.3 s and `validate` <= 1 s.
It also lists which heavy libraries each command imported: pandas, NumPy, SQLAlchemy,
WeasyPrint and boto3 belong to the commands that use them, never to start-up.
The machine is shared, so CPU time is the steadier of the two figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "numpy", "sqlalchemy", "alembic", "weasyprint", "boto3", "openpyxl",
         "prometheus_client", "requests")
# (name, slamon arguments, goal in seconds)
CASES: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("slamon --help", ("--help",), 0.3),
    ("slamon validate (4 contracts)", ("validate", "contracts"), 1.0),
)
PROBE = (
    "import sys, json\n"
    "from monitor.cli import main\n"
    "code = main(sys.argv[2:])\n"
    "print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)), file=sys.stderr)\n"
)


def _env() -> dict[str, str]:
    return os.environ | {"PYTHONPATH": str(ROOT)}


def run_once(args: tuple[str, ...]) -> tuple[float, float]:
    """Wall and child CPU seconds of one `slamon ARGS` in a fresh interpreter."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "monitor.cli", *args], cwd=ROOT, env=_env(),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def heavy_imports(args: tuple[str, ...]) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), "--", *args],
                          cwd=ROOT, env=_env(), capture_output=True, text=True, check=False)
    last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "[]"
    try:
        return list(json.loads(last))
    except ValueError:
        return ["?"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    opts = parser.parse_args()
    print(f"{'command':32} {'best':>7} {'median':>7} {'cpu':>7} {'goal':>6} {'ratio':>6}  "
          "heavy imports  verdict")
    for name, args, goal in CASES:
        runs = [run_once(args) for _ in range(opts.repeat)]
        walls = sorted(w for w, _ in runs)
        cpu = min(c for _, c in runs)
        best, median = walls[0], statistics.median(walls)
        heavy = ", ".join(heavy_imports(args)) or "none"
        # Wall time on an idle machine is what a user sees; on a shared, loaded one the
        # child's CPU time is the better estimate of it, so both are judged.
        verdict = (f"wall {'ok' if best <= goal else 'SLOW'}, "
                   f"cpu {'ok' if cpu <= goal else 'SLOW'}")
        print(f"{name:32} {best:6.3f}s {median:6.3f}s {cpu:6.3f}s {goal:5.1f}s "
              f"{best / goal:6.2f}  {heavy}  {verdict}")
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus; ratio = best wall "
          "/ goal)")


if __name__ == "__main__":
    main()
