"""The end-of-soak comparisons of `bench/soak.py`, each returning its problems (empty = pass).

Kept apart from the process orchestration so the CI variant (tests/bench/test_soak.py) and
the full run judge a run by the same rules.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from monitor.domain.contract import Contract
from monitor.domain.measurements import Outage
from monitor.interchange import write_intervals
from monitor.service.checks import truth_frame, truth_gaps
from monitor.simulator import Scenario
from monitor.storage import Store

SLAMON = [sys.executable, "-c", "from monitor.cli import run; run()"]


@dataclass(frozen=True)
class Sample:
    """One worker slot's resources at the end of one simulated day (None: not running)."""

    pid: int
    rss_mb: float
    fds: int
    threads: int
    connections: int
    ready: bool = True  # its scheduler had started (a restarted worker may still import)


@dataclass(frozen=True)
class Bounds:
    """How much a worker may grow between its second sampled day and the last one."""

    rss_ratio: float = 1.10
    fds: int = 5
    connections: int = 2


def proc_sample(pid: int, connections: int, ready: bool = True) -> Sample | None:
    """RSS and threads from /proc/PID/status, open descriptors from /proc/PID/fd."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        fds = len(list(Path(f"/proc/{pid}/fd").iterdir()))
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    rss_kb = int(fields["VmRSS"].split()[0])
    return Sample(pid, rss_kb / 1024, fds, int(fields["Threads"]), connections, ready)


def interval_problems(store: Store, contract: Contract, scenario: Scenario,
                      start: datetime, end: datetime) -> tuple[Counter[str], list[str]]:
    """`truth_gaps` counted by kind (lost, extra, differs, doubled) and listed."""
    gaps = truth_gaps(store, contract, scenario, start, end)
    kinds: Counter[str] = Counter()
    for line in gaps:
        kinds["doubled" if "stored twice" in line else line.split(":")[0]] += 1
    return kinds, gaps


def _outage_key(o: Outage) -> tuple[str, str, str, str, bool]:
    end = o.end.isoformat() if o.end else "-"
    return (o.service, o.start.isoformat(), end, o.impact, o.excluded)


def outage_problems(store: Store, contract: Contract, scenario: Scenario,
                    start: datetime, end: datetime) -> list[str]:
    truth = Counter(_outage_key(o) for o in scenario.outages() + scenario.maintenances()
                    if start <= o.start < end)
    stored = Counter(_outage_key(o) for o in store.load_outages(contract.id, start, end))
    lost = truth - stored
    extra = stored - truth
    return ([f"outage lost: {k}" for k in lost.elements()]
            + [f"outage extra or doubled: {k}" for k in extra.elements()])


def write_truth_csv(contract: Contract, scenario: Scenario, end: datetime, folder: Path
                    ) -> tuple[Path, Path]:
    """The simulator's truth as the interchange CSVs `slamon evaluate` reads."""
    intervals = folder / "truth-intervals.csv"
    frame = truth_frame(contract, scenario, now=end)
    write_intervals(frame[frame["interval_start"] < end], intervals)
    outages = folder / "truth-outages.csv"
    lines = ["service,start,end,impact,excluded,ref"]
    seen: dict[str, int] = {}
    for o in scenario.outages() + scenario.maintenances():
        # One incident may have several phases (full, then degraded) under one ref; the
        # outage CSV wants one ref per row, so later phases get a suffix.
        ref = o.ref or ""
        if ref:
            seen[ref] = seen.get(ref, 0) + 1
            ref = ref if seen[ref] == 1 else f"{ref}#{seen[ref]}"
        lines.append(f"{o.service},{o.start.isoformat()},"
                     f"{o.end.isoformat() if o.end else ''},{o.impact},"
                     f"{'true' if o.excluded else 'false'},{ref}")
    outages.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return intervals, outages


def evaluate_from_truth(contract_file: Path, month: str, intervals: Path, outages: Path,
                        as_of: datetime) -> dict[str, Any]:
    """`slamon evaluate --json` of `month` from the truth files (no stored history: the
    soak's database holds no month before the first one either)."""
    out = subprocess.run(
        [*SLAMON, "evaluate", "--contract", str(contract_file), "--intervals", str(intervals),
         "--outages", str(outages), "--period", month, "--as-of", as_of.isoformat(),
         "--history", "0", "--json"], capture_output=True, text=True, check=False,
        timeout=300)
    if out.returncode != 0:
        raise RuntimeError(f"slamon evaluate failed: {out.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def month_problems(store: Store, contract: Contract, month: str, expected: Mapping[str, Any],
                   statuses_seen: Sequence[str | None]) -> list[str]:
    """The month that ended: seen provisional, final now, each SLA's figure, status and
    credit equal to `slamon evaluate` from the truth."""
    problems = []
    if "provisional" not in statuses_seen:
        problems.append(f"{month} was never seen provisional (daily: {list(statuses_seen)})")
    final = store.period_status(contract.id, month)
    if final != "final":
        problems.append(f"{month} is {final}, not final, after its claim deadline")
    stored = {r.sla_id: r for r in store.results_history(contract.id) if r.period == month}
    for sla in expected["slas"]:
        row = stored.get(sla["id"])
        if row is None:
            problems.append(f"{month} {sla['id']}: not evaluated")
            continue
        value = None if row.value is None else float(round(row.value, 6))
        credit = f"{row.credit if row.credit is not None else Decimal('0.00'):.2f}"
        got = (value, row.status, credit)
        want = (sla["value"], sla["status"], sla["credit"])
        if got != want:
            problems.append(f"{month} {sla['id']}: stored {got} != evaluate from truth {want}")
    return problems


def notification_problems(store: Store, contract: Contract, bodies: Sequence[Mapping[str, Any]],
                          must: Sequence[tuple[str, str, str]]) -> list[str]:
    """Every notification row sent (none stuck or failed), each event received exactly
    once by the webhook, every breach of an SLA that ended met followed by one recovery,
    and the `must` (kind, sla, period) events present."""
    problems = []
    rows = store.notifications(contract.id)
    for row in rows:
        if row.payload.get("status") != "sent":
            problems.append(f"notification {row.dedup_key} is {row.payload.get('status')}")
    received = Counter((b.get("kind"), b.get("sla"), b.get("period")) for b in bodies)
    for key, n in received.items():
        if n != 1:
            problems.append(f"notification {key} received {n} times")
    if len(rows) != len(received):
        problems.append(f"{len(rows)} notification rows but {len(received)} distinct events "
                        "received")
    final = {(r.sla_id, r.period): r.status for r in store.results_history(contract.id)}
    for kind, sla, period in list(received):
        if kind == "breach" and final.get((str(sla), str(period))) == "met" and \
                ("recovery", sla, period) not in received:
            problems.append(f"{sla} {period}: breach sent, met now, no recovery sent")
    for key in must:
        if key not in received:
            problems.append(f"expected notification {key} never received")
    return problems


def growth_problems(series: Mapping[str, Sequence[Sample | None]], bounds: Bounds
                    ) -> list[str]:
    """Per worker slot: its last sample against the second sample of the same process
    taken once it was running (a restarted worker is judged from its own second day)."""
    problems = []
    for name, samples in series.items():
        last = samples[-1] if samples else None
        if last is None:
            problems.append(f"{name}: not running at the end")
            continue
        if not last.ready:
            problems.append(f"{name}: its scheduler had not started by the last day")
            continue
        mine = [s for s in samples if s is not None and s.pid == last.pid and s.ready]
        if len(mine) < 2:
            continue  # restarted too late to have two running days: nothing to compare
        base = mine[1] if len(mine) > 2 else mine[0]
        if last.rss_mb > base.rss_mb * bounds.rss_ratio:
            problems.append(f"{name}: RSS {base.rss_mb:.1f} -> {last.rss_mb:.1f} MB "
                            f"(> {bounds.rss_ratio:.2f}x)")
        if last.fds > base.fds + bounds.fds:
            problems.append(f"{name}: fds {base.fds} -> {last.fds} (> +{bounds.fds})")
        if last.connections > base.connections + bounds.connections:
            problems.append(f"{name}: DB connections {base.connections} -> "
                            f"{last.connections} (> +{bounds.connections})")
    return problems
