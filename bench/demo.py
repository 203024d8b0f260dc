"""`slamon demo` speed: the simulated month end to end (simulator, collect, store,
evaluate, credits, report) into a fresh SQLite file, as a fresh machine runs it.

Goal (issue 4): under 60 s on 2 cores; aim ~15 s. Prints the wall time of each run and
of the whole `slamon demo` process (imports included).

    python bench/demo.py [--runs 3] [--fault-rate 0]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    args = parser.parse_args()
    times = []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            started = time.monotonic()
            subprocess.run([sys.executable, "-c", "from monitor.cli import run; run()",
                            "demo", "--fault-rate", str(args.fault_rate)], cwd=folder,
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            took = time.monotonic() - started
            size = (Path(folder) / "slamon.db").stat().st_size
        times.append(took)
        print(f"run {run + 1}: slamon demo {took:.1f} s wall (database {size / 1e6:.1f} MB)")
    print(f"best {min(times):.1f} s, worst {max(times):.1f} s (goal < 60 s, aim ~15 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
