"""Soak: a simulated month of `slamon run` on PostgreSQL, checking that nothing drifts.

Three `slamon run` workers share one PostgreSQL schema and follow the vendor simulator's
clock at `--day-seconds` real seconds per simulated day, from 20 October 2026 (America/
New_York) for `--days` days: the October month end (1 Nov 04:00 UTC) and the end of
daylight saving time (1 Nov 06:00 UTC) are crossed on day 12. On the way:

- 10 % of vendor requests fail (`FaultInjector`: 429, 500, 503, slow answers past the
  client timeout, truncated JSON, revoked tokens; seeded);
- worker 0 is killed (SIGKILL) midway and restarted a quarter of a simulated day later;
- the vendor has one outage of a known length (6 simulated hours): the status page tells
  it, no voice contacts arrive, and every vendor request answers 503 meanwhile;
- October's last day is a bad day (long waits), so October's service level can end missed.

Once per simulated day every worker's RSS and threads (/proc/PID/status), open file
descriptors (/proc/PID/fd) and database connections (pg_stat_activity, by each worker's
`application_name`) are sampled and printed. At the end it compares the stored intervals
and outages with the simulator's truth (0 lost, 0 doubled, 0 different), checks that
October was seen provisional, is final after its claim deadline and equals `slamon
evaluate` from the truth as CSV, that each notification reached the webhook once (and a
breach of an SLA that ended met was followed by its recovery), that every worker's
`slamon_collector_up` is back to 1 after the outage, and that each worker's RSS, fds and
connections on the last day are within 10 % / +5 / +2 of its second day. Exit 1 on any
failure.

    python -m bench.soak [--days 30] [--day-seconds 20] [--workers 3]

Goal: 30 simulated days in <= 15 minutes wall time on the project's 2-core machine.
PostgreSQL: SLAMON_BENCH_PG_URL (default the test server); the run uses its own schema.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bench.soak_checks import (
    Bounds,
    Sample,
    evaluate_from_truth,
    growth_problems,
    interval_problems,
    month_problems,
    notification_problems,
    outage_problems,
    proc_sample,
    write_truth_csv,
)
from monitor.service.demo import demo_contract_yaml, month_bounds
from monitor.service.pipeline import source_key
from monitor.simulator import FaultInjector, Scenario, SimClock, Simulator
from monitor.spec import load_contract
from monitor.storage import Store
from tests.promstack import WebhookReceiver, free_port
from tests.test_service_support import slamon_run, wait_until

NY = ZoneInfo("America/New_York")
FULL_START = datetime(2026, 10, 20, tzinfo=NY)
# The soak contract: the demo one with a claim deadline and a webhook for direct
# notifications; without the performance-issue process (its notices are mail).
EXTRA = """
claims:
  deadline_days_after_period: {claim_days}

notifications:
  - {{kind: webhook, url_env: SOAK_WEBHOOK_URL}}
"""


@dataclass
class OutageFaults(FaultInjector):
    """The configured random faults, and a 503 for every vendor request while the
    simulated clock is inside `down` (the vendor's outage)."""

    down: tuple[datetime, datetime] | None = None
    clock: Callable[[], datetime] | None = None

    def pick(self, bearer: bool = True) -> str | None:
        if self.down is not None and self.clock is not None and \
                self.down[0] <= self.clock() < self.down[1]:
            with self._lock:
                self.injected["outage"] += 1
            return "503"
        return super().pick(bearer)


@dataclass(frozen=True)
class SoakConfig:
    days: int = 30
    day_seconds: float = 20.0
    workers: int = 3
    start: datetime = FULL_START
    seed: int = 7
    fault_rate: float = 0.10
    claim_days: int = 10
    outage_hours: float = 6.0
    poll_seconds: float = 2.0  # `slamon run --interval`: 2.4 simulated hours at 20 s a day
    lease_seconds: float = 10.0
    bounds: Bounds = field(default_factory=Bounds)

    @property
    def start_utc(self) -> datetime:
        return self.start.astimezone(UTC)

    @property
    def end(self) -> datetime:
        return self.start_utc + timedelta(days=self.days)

    @property
    def month(self) -> str:
        return f"{self.start:%Y-%m}"

    @property
    def kill_at(self) -> float:
        """Simulated days after the start when worker 0 is killed (restart: +0.25)."""
        return max(0.5, self.days / 2 - 1)

    @property
    def outage_day(self) -> int:
        return min(self.days - 1, self.days // 2 + max(1, self.days // 6))

    def scenario(self) -> Scenario:
        month_end = month_bounds(self.month, NY)[1]
        bad_day = max(0, (month_end - self.start_utc).days - 1)  # the month's last day
        at = timedelta(days=self.outage_day, hours=12)
        scenario = Scenario(seed=self.seed, start=self.start_utc, days=self.days,
                            bad_day=bad_day,
                            outage=(at, at + timedelta(hours=self.outage_hours)))
        scenario.clock.frozen_at = self.start_utc  # until `run` starts it
        return scenario

    def run(self, scenario: Scenario) -> None:
        """Start the scenario's clock: from now on a simulated day takes `day_seconds`."""
        scenario.clock = SimClock(self.start_utc, 86400 / self.day_seconds)


@dataclass
class DayRow:
    day: int
    date: str
    lag_hours: float
    intervals: int
    faults: int
    month_status: str | None
    samples: dict[str, Sample | None]


@dataclass
class SoakResult:
    config: SoakConfig
    rows: list[DayRow]
    problems: dict[str, list[str]]
    wall_seconds: float
    faults: dict[str, int]
    requests: int  # vendor requests (the workers' clock reads not counted)
    notifications: list[str]
    kinds: dict[str, int]

    @property
    def fault_share(self) -> float:
        random = sum(n for kind, n in self.faults.items() if kind != "outage")
        return random / max(1, self.requests - self.faults.get("outage", 0))

    @property
    def ok(self) -> bool:
        return not any(self.problems.values())


class Workers:
    """The `slamon run` processes, each with its own application_name and /metrics."""

    def __init__(self, n: int, db_url: str, args: list[str], folder: Path) -> None:
        self.tag = f"soak-{uuid.uuid4().hex[:8]}"
        self.db_url, self.args, self.folder = db_url, args, folder
        self.names = [f"w{i}" for i in range(n)]
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.ports: dict[str, int] = {}
        self.exits: list[int] = []
        self.starts: dict[str, int] = {}
        for name in self.names:
            self.start(name)

    def log(self, name: str) -> Path:
        return self.folder / f"{name}.log"

    def start(self, name: str) -> None:
        sep = "&" if "?" in self.db_url else "?"
        url = f"{self.db_url}{sep}application_name={self.tag}-{name}"
        self.ports[name] = free_port()
        self.starts[name] = self.starts.get(name, 0) + 1
        self.procs[name] = slamon_run(["--db", url, *self.args, "--metrics-port",
                                       str(self.ports[name])], self.folder, self.log(name))

    def ready(self, name: str) -> bool:
        """The slot's latest process has started its scheduler (logs append per start)."""
        return self.log(name).read_text().count("event=started") >= self.starts[name]

    def kill(self, name: str) -> None:
        proc = self.procs[name]
        proc.send_signal(signal.SIGKILL)
        self.exits.append(proc.wait(30))

    def connections(self, admin: sa.Engine) -> dict[str, int]:
        with admin.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT application_name, count(*) FROM pg_stat_activity "
                "WHERE application_name LIKE :tag GROUP BY application_name"),
                {"tag": f"{self.tag}-%"}).all()
        counts = {str(name).rsplit("-", 1)[-1]: int(n) for name, n in rows}
        return {name: counts.get(name, 0) for name in self.names}

    def collector_up(self) -> list[float]:
        values = []
        for port in self.ports.values():
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
                text = r.read().decode()
            values += [float(v) for v in re.findall(r"^slamon_collector_up\{[^}]*\} (\S+)$",
                                                    text, re.M)]
        return values

    def stop(self) -> list[int | None]:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        codes: list[int | None] = []
        for proc in self.procs.values():
            try:
                codes.append(proc.wait(60))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
                codes.append(None)
        return codes


def run_soak(config: SoakConfig, db_url: str, folder: Path,
             out: TextIO | None = None) -> SoakResult:
    """Run the soak into `db_url` (an empty PostgreSQL schema, migrated here)."""
    began = time.monotonic()
    store = Store.open(db_url, check_revision=False)
    store.upgrade()
    admin = sa.create_engine(db_url, pool_size=1, max_overflow=0)
    contracts = folder / "contracts"
    contracts.mkdir(parents=True, exist_ok=True)
    contract_file = contracts / "demo-genesys.yaml"
    scenario = config.scenario()
    contract_file.write_text(demo_contract_yaml(scenario, config.month).split(
        "\nperformance_issue:")[0] + EXTRA.format(claim_days=config.claim_days),
        encoding="utf-8")
    contract = load_contract(contract_file)
    keys = [source_key(contract.id, k) for k in ("genesys-cloud", "statuspage")]
    down = scenario.outage_window()
    faults = OutageFaults(rate=config.fault_rate, seed=config.seed, retry_after="1",
                          timeout_delay=3.0, down=down, clock=lambda: scenario.clock.now())
    rows: list[DayRow] = []
    problems: dict[str, list[str]] = {}
    statuses: list[str | None] = []
    workers: Workers | None = None
    try:
        with WebhookReceiver() as hook, Simulator(scenario, faults) as sim:
            os.environ["SOAK_WEBHOOK_URL"] = f"{hook.url}/direct"
            args = ["--contracts", str(contracts), "--vendor-url", sim.url, "--clock-url",
                    sim.url, "--since", config.start_utc.isoformat(), "--interval",
                    str(config.poll_seconds), "--lease-ttl", str(config.lease_seconds),
                    "--workers", "2", "--http-timeout", "1.5",
                    "--retry-backoff", "0.2"]
            workers = Workers(config.workers, db_url, args, folder)
            # A loaded machine takes many seconds to start Python processes: the simulated
            # month begins once every worker's scheduler runs, not during their imports.
            for name in workers.names:
                wait_until(lambda n=name: workers.ready(n), 180, f"worker {name} to start",
                           every=0.2, procs=[workers.procs[name]], log=workers.log(name))
            config.run(scenario)
            killed = restarted = False
            if out:
                _header(out, workers.names)
            for day in range(1, config.days + 1):
                due = config.start_utc + timedelta(days=day)
                while scenario.clock.now() < due:
                    elapsed = (scenario.clock.now() - config.start_utc) / timedelta(days=1)
                    if not killed and elapsed >= config.kill_at:
                        workers.kill("w0")
                        killed = True
                    if killed and not restarted and elapsed >= config.kill_at + 0.25:
                        workers.start("w0")
                        restarted = True
                    for name, proc in workers.procs.items():
                        if proc.poll() is not None and not (name == "w0" and killed
                                                            and not restarted):
                            raise RuntimeError(f"worker {name} exited {proc.returncode}:\n"
                                               + workers.log(name).read_text()[-3000:])
                    time.sleep(0.05)
                conns = workers.connections(admin)
                samples = {n: (None if p.poll() is not None else
                               proc_sample(p.pid, conns[n], workers.ready(n)))
                           for n, p in workers.procs.items()}
                marks = [store.get_watermark(k) for k in keys]
                lag = (due - min((m for m in marks if m), default=config.start_utc)) \
                    / timedelta(hours=1)
                statuses.append(store.period_status(contract.id, config.month))
                row = DayRow(day, f"{(due - timedelta(seconds=1)).astimezone(NY):%a %d %b}",
                             lag, len(store.load_intervals(contract.id, config.start_utc, due)),
                             sum(faults.injected.values()), statuses[-1], samples)
                if out:
                    _print_row(out, row, workers.names, rows[-1] if rows else None)
                rows.append(row)
            caught = config.end + timedelta(hours=1)

            def caught_up() -> bool:
                marks = [store.get_watermark(k) for k in keys]
                return all(m is not None and m >= caught for m in marks)

            wait_until(caught_up, 120, "the last day to be collected", every=0.2,
                       procs=list(workers.procs.values()), log=workers.log("w1"))
            evaluated = datetime.min.replace(tzinfo=UTC)

            def evaluated_to_end() -> bool:
                nonlocal evaluated
                latest = [r.as_of for r in store.latest_results(contract.id)]
                evaluated = max(latest, default=evaluated)
                return evaluated >= config.end

            wait_until(evaluated_to_end, 120, "the evaluation of the last day", every=0.2)
            up: list[float] = []

            def all_up() -> bool:
                nonlocal up
                up = workers.collector_up()
                return bool(up) and all(v == 1 for v in up)

            try:
                wait_until(all_up, 60, "every collector up after the outage", every=1)
            except AssertionError:
                problems["collectors up"] = [f"slamon_collector_up values {up}"]
            time.sleep(1)  # the hook's notifications of the last evaluation
            codes = workers.stop()
            bodies = hook.bodies("/direct")
            stats = sim.stats()
        if codes != [0] * len(codes):
            problems["clean exit"] = [f"exit codes after SIGTERM {codes}"]
        if workers.exits != [-signal.SIGKILL]:
            problems["kill"] = [f"killed worker exits {workers.exits}"]
        kinds, gaps = interval_problems(store, contract, scenario, config.start_utc,
                                        config.end)
        problems["intervals"] = gaps[:20] + ([f"... {len(gaps) - 20} more"]
                                             if len(gaps) > 20 else [])
        problems["outages"] = outage_problems(store, contract, scenario, config.start_utc,
                                              config.end)
        intervals_csv, outages_csv = write_truth_csv(contract, scenario, config.end, folder)
        month_end = month_bounds(config.month, NY)[1]
        if month_end < config.end:
            expected = evaluate_from_truth(contract_file, config.month, intervals_csv,
                                           outages_csv, config.end)
            problems["month end"] = month_problems(store, contract, config.month, expected,
                                                   statuses)
        outage_month = f"{scenario.outage_window()[0].astimezone(NY):%Y-%m}"
        problems["notifications"] = notification_problems(
            store, contract, bodies, [("breach", "availability", outage_month)])
        series = {n: [r.samples[n] for r in rows] for n in workers.names}
        problems["resources"] = growth_problems(series, config.bounds)
        requests = sum(n for route, n in stats["requests"].items()
                       if not route.split(" ")[-1].startswith("/_"))
        sent = [f"{b.get('kind')} {b.get('sla')} {b.get('period')}" for b in bodies]
        return SoakResult(config, rows, problems, time.monotonic() - began, stats["faults"],
                          requests, sent, dict(kinds))
    finally:
        if workers is not None:
            for proc in workers.procs.values():
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(10)
        os.environ.pop("SOAK_WEBHOOK_URL", None)
        admin.dispose()
        store.close()


def _header(out: TextIO, names: list[str]) -> None:
    per = "".join(f" | {n + ' RSS MB':>10} {'fds':>4} {'db':>3} {'thr':>4}" for n in names)
    out.write(f"{'day':>3} {'date (NY)':<10} {'lag h':>5} {'intervals':>9} {'faults':>6} "
              f"{'month':<11}{per}\n")
    out.flush()


def _print_row(out: TextIO, row: DayRow, names: list[str], before: DayRow | None) -> None:
    cells = ""
    for n in names:
        s = row.samples[n]
        was = before.samples[n] if before else None
        new = "*" if s and was and s.pid != was.pid else " "  # a restarted process
        cells += (f" | {new}{s.rss_mb:>9.1f} {s.fds:>4} {s.connections:>3} {s.threads:>4}"
                  if s else f" | {'(down)':>10} {'':>4} {'':>3} {'':>4}")
    out.write(f"{row.day:>3} {row.date:<10} {row.lag_hours:>5.1f} {row.intervals:>9} "
              f"{row.faults:>6} {row.month_status or '-':<11}{cells}\n")
    out.flush()


def print_verdict(result: SoakResult, out: TextIO) -> None:
    c = result.config
    out.write(f"\n{c.days} simulated days ({c.start:%Y-%m-%d} {c.start.tzinfo}, "
              f"{c.day_seconds:g} s each) with {c.workers} workers: {result.wall_seconds:.0f} s "
              "wall (goals: 30 days <= 900 s, the 3-day CI variant <= 180 s)\n")
    out.write(f"vendor requests: {result.requests}, {result.fault_share:.1%} failed at random "
              f"{result.faults}\n")
    out.write(f"notifications received: {', '.join(result.notifications) or 'none'}\n")
    for check, found in result.problems.items():
        out.write(f"  {'FAIL' if found else 'ok  '} {check}\n")
        for line in found:
            out.write(f"       {line}\n")
    out.write(f"verdict: {'PASS' if result.ok else 'FAIL'}\n")


def main(argv: list[str] | None = None) -> int:
    from bench.common import PG_URL, drop_schema

    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--day-seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the schema and logs")
    args = parser.parse_args(argv)
    if args.days < 3:
        parser.error("--days must be at least 3 (growth is judged from day 2)")
    config = SoakConfig(days=args.days, day_seconds=args.day_seconds, workers=args.workers)
    schema = f"soak_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    folder = Path(tempfile.mkdtemp(prefix="slamon-soak-"))
    try:
        result = run_soak(config, url, folder, sys.stdout)
    finally:
        if not args.keep:
            drop_schema(schema)
    print_verdict(result, sys.stdout)
    print(f"logs: {folder}" + (f", schema {schema}" if args.keep else ""))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())

