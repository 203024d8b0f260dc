"""`slamon demo`: a simulated month, end to end, on a fresh machine with no configuration.

Starts the vendor simulator in-process on an ephemeral port (Genesys-shaped API and status
page, seeded), writes the demo contract to `slamon-demo/contracts/demo-genesys.yaml` (the
real loader reads it back, so it is a valid example to copy), and runs the real service
core against it: the simulated clock jumps a day at a time, each jump collects the new
data (collect → store → watermark) and evaluates the month so far (evaluate → credits →
save). The database (default `./slamon.db`) is then a normal slamon database: every other
command finds it by default, and the contract is found with
`--contracts-dir slamon-demo/contracts` (kept out of `./contracts`, which holds real
contracts). The month's evaluation is printed and, when the report renderer is
installed, a report file is written beside the database.

The demo contract has a `performance_issue:` section, so the case process runs after every
evaluation as in `slamon run` (`monitor.cases.hook.CaseHook`): missed SLAs open cases that
nobody acknowledges, so they go overdue and escalate on simulated days. Their notices are
not mailed: each is one JSON line in `slamon-demo/outbox.jsonl` (`Outbox`).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from monitor.alerting.notifiers.store_log import StoreSentLog
from monitor.cases.events import CaseEvent
from monitor.cases.hook import CaseHook
from monitor.collectors.http import HttpClient
from monitor.collectors.platforms import UNREPORTED
from monitor.domain.contract import Contract
from monitor.domain.results import Evaluation, PeriodCredits
from monitor.service.checks import truth_gaps
from monitor.service.demo_sources import sources_yaml, vendor_contact, vendor_name, vendor_yaml
from monitor.service.pipeline import CollectPolicy
from monitor.service.runtime import retarget
from monitor.service.scheduler import Service
from monitor.simulator import SIM_ENV, FaultInjector, Scenario, Simulator
from monitor.storage import StorageError, Store
from monitor.storage.cases_repository import CaseStoreSentLog, StoreCaseRepository

DEMO_ID = "demo-genesys"
DEMO_TZ = "America/New_York"
DEMO_DIR = Path("slamon-demo")
OUTBOX = "outbox.jsonl"


def demo_id(vendor: str) -> str:
    return DEMO_ID if vendor == "genesys-cloud" else f"demo-{vendor}"


def demo_contract_yaml(scenario: Scenario, month: str, vendor: str = "genesys-cloud") -> str:
    """The demo contract: `vendor` (Genesys Cloud by default), the simulator's queues, four
    credited SLAs."""
    queues = "\n".join(f"    - {{id: {q.id}, name: {q.name}, channel: {q.channel}}}"
                       for q in scenario.queues)
    year = int(month[:4])
    return f"""\
# slamon demo contract: {vendor_name(vendor)} served by the built-in simulator (`slamon demo`).
# Copy it as a starting point for a real one: point sources at your account and queues.
apiVersion: slamon/v1
kind: VendorContract
metadata:
  id: {demo_id(vendor)}
  name: "Demo Corp - {vendor_name(vendor)} (simulated)"
{vendor_yaml(vendor)}
  currency: USD
  timezone: {DEMO_TZ}
  effective: {{from: {year}-01-01, to: {year + 2}-12-31}}
  rounding: {{places: 2, mode: ROUND_HALF_UP}}

fees:
  monthly: "20000.00"

calendars: {{}}

{sources_yaml(vendor, queues)}

at_risk:
  percent_of_fees: 12%
  pool: 250%
  monthly_cap: at_risk_amount

slas:
  - id: service-level-voice
    description: "80 % of voice calls answered within 20 s; hang-ups within 5 s do not count"
    metric: service_level
    channel: voice
    threshold: 20s
    abandons: short_as_success
    short_abandon: 5s
    calendar: 24x7
    period: month
    target: 80%
    credits: {{allocation: 60%}}

  - id: abandon-rate
    metric: abandon_rate
    short_abandon: 5s
    calendar: 24x7
    period: month
    target: {{max: 5%}}
    credits: {{allocation: 50%}}

  - id: asa
    metric: asa
    calendar: 24x7
    period: month
    target: {{max: 30s}}
    credits: {{allocation: 40%}}

  - id: availability
    description: "Voice platform availability, four nines"
    metric: availability
    formula: plain
    components: [Voice]
    calendar: 24x7
    period: month
    target: 99.99%
    credits:
      base: fees.monthly
      tiers:
        - {{below: 99.99%, at_least: 99.0%, credit: 5%}}
        - {{below: 99.0%, credit: 15%}}

performance_issue:                # after a miss: acknowledge, root-cause analysis, escalation
  acknowledge_within: 1d
  rca_due_within: 5d
  escalate_after: 10d
  contacts: {{vendor: "{vendor_contact(vendor)}", ours: "vendor-management@demo.example"}}
"""


@dataclass(frozen=True)
class Outbox:
    """A `CaseHook.sender` that appends each case notice to a JSON-lines file instead of
    mailing it: one line per notice with its kind, dedup key, time, addressees and text.
    The case sent-log still decides what goes out, so a re-run of the demo over the same
    database adds no line twice."""

    path: Path

    def __call__(self, contract: Contract) -> Callable[[CaseEvent], None]:
        def send(event: CaseEvent) -> None:
            line = {"kind": event.kind.value, "key": event.key, "contract": contract.id,
                    "at": event.at.isoformat(), "to": list(event.to),
                    "summary": event.summary, "body": event.body}
            with self.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")

        return send


@dataclass(frozen=True)
class DemoResult:
    contract: Contract
    contract_file: Path
    db_url: str
    evaluation: Evaluation
    credits: PeriodCredits | None
    report: Path | None
    intervals: int
    requests: int
    cases: tuple[str, ...] = ()  # ids of the contract's performance-issue cases
    outbox: Path | None = None
    truth_gaps: tuple[str, ...] = ()  # stored intervals against the simulator's truth
    faults: int = 0  # vendor requests the simulator failed on purpose


def month_bounds(month: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The month's first and last-plus-one instants (UTC), midnights in the contract zone
    (so a month with a DST change is 743 or 745 hours long)."""
    from monitor.errors import InputError

    try:
        year, number = (int(part) for part in month.split("-"))
        first = datetime(year, number, 1, tzinfo=tz)
    except ValueError:
        raise InputError(f"{month!r} is not a month like 2026-10", column="--month") from None
    after = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=tz)
    return first.astimezone(UTC), after.astimezone(UTC)


@contextlib.contextmanager
def sim_environment() -> Iterator[None]:
    """The simulator's made-up credentials in the environment, for the run only."""
    saved = {k: os.environ.get(k) for k in SIM_ENV}
    os.environ.update(SIM_ENV)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_demo(db_url: str, workdir: Path, month: str = "2026-10", seed: int = 7,
             fault_rate: float = 0.0, step: timedelta = timedelta(days=1),
             progress: Callable[[str], None] | None = None,
             keep: Callable[[Simulator, Service, DemoResult], None] | None = None,
             vendor: str = "genesys-cloud",
             http: Callable[[], HttpClient] | None = None) -> DemoResult:
    """Run the simulated month into `db_url`; `keep(sim, service, result)` is called at
    the end while the simulator still runs (`--serve` blocks there). `http` makes each
    pass's client (tests pass one that does not sleep between retries)."""
    from monitor.spec import load_contract

    start, end = month_bounds(month, ZoneInfo(DEMO_TZ))
    days = math.ceil((end - start) / timedelta(days=1))
    scenario = Scenario(seed=seed, start=start, days=days, bad_day=days // 2)
    scenario.clock.frozen_at = start
    faults = FaultInjector(rate=fault_rate, seed=seed, retry_after="0", timeout_delay=0.2)
    folder = workdir / DEMO_DIR / "contracts"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{demo_id(vendor)}.yaml"
    path.write_text(demo_contract_yaml(scenario, month, vendor), encoding="utf-8")
    contract = load_contract(path)
    store = Store.open(db_url, check_revision=False)
    try:
        store.upgrade()
        store.save_contract(contract)
        outbox = workdir / DEMO_DIR / OUTBOX
        cases = StoreCaseRepository(store)
        with sim_environment(), Simulator(scenario, faults) as sim:
            target = retarget(contract, sim.url)
            hook = CaseHook([target], cases, CaseStoreSentLog(store), StoreSentLog(store),
                            os.environ, scenario.clock.now, sender=Outbox(outbox))
            service = Service(store, [target], clock=scenario.clock.now,
                              policy=CollectPolicy(since=start),
                              http=http or (lambda: HttpClient(timeout=5.0, backoff=0.05)),
                              backoff_clock=scenario.clock.now,
                              on_evaluated=hook)
            now = start
            while now < end:
                now = min(now + step, end)
                scenario.clock.frozen_at = now
                outcomes = service.run_once()
                if progress is not None:
                    rows = sum(o.rows for o in outcomes)
                    progress(f"{now.astimezone(contract.tz):%Y-%m-%d}: {rows} intervals")
            import_demo_probes(store, contract, scenario, workdir / DEMO_DIR)
            # once more as of the month's end: on a re-run every tick found nothing new
            outcome = service.evaluate_contract(service.contracts[0])
            if outcome is None:
                raise StorageError(f"the demo month could not be evaluated from {db_url}")
            evaluation = next(e for e in outcome.evaluations if e.period.label == month)
            index = outcome.evaluations.index(evaluation)
            credits = outcome.credits[index] if outcome.credits else None
            report = write_demo_report(store, contract, month, end, workdir)
            stats = sim.stats()
            result = DemoResult(contract, path, db_url, evaluation, credits, report,
                                len(store.load_intervals(contract.id, start, end)),
                                sum(stats["requests"].values()),
                                tuple(c.id for c in cases.list(contract.id)),
                                outbox if outbox.exists() else None,
                                tuple(truth_gaps(store, contract, scenario, start, end)),
                                sum(stats["faults"].values()))
            if keep is not None:
                keep(sim, service, result)
    finally:
        store.close()
    return result


def import_demo_probes(store: Store, contract: Contract, scenario: Scenario,
                       folder: Path) -> Path:
    """A month of synthetic test calls, every 5 minutes from two sites, as a test-call tool
    exports them (`test-calls.csv`), imported like `slamon import probes`. They fail for the
    whole voice outage: longer than the status page's "major outage" (the vendor calls its
    last 15 minutes degraded), so the evaluation shows what the vendor did not report."""
    from monitor.collectors.evidence import read_probes
    from monitor.storage.observations import save_all

    down_from, down_to = scenario.outage_window()
    lines = ["time,component,location,passed,answer_seconds,reason"]
    t = scenario.start
    while t < scenario.end:
        ok = not down_from <= t < down_to
        for i, site in enumerate(("nyc-office", "chicago-office")):
            at = (t + timedelta(seconds=30 + 7 * i)).isoformat()
            lines.append(f"{at},voice-ivr,{site},{str(ok).lower()},"
                         + ("3.1," if ok else ",no answer"))
        t += timedelta(minutes=5)
    path = folder / "test-calls.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (source,) = contract.independent
    save_all(store, contract.id, source.name, read_probes(path, source))
    return path


def write_demo_report(store: Store, contract: Contract, month: str, as_of: datetime,
                      workdir: Path) -> Path | None:
    """`slamon-demo-<month>.html` from the database, when the report package is there."""
    try:
        from monitor.reports.gather import gather
        from monitor.reports.render import write_report
        from monitor.sources import StoreSource
    except ImportError:
        return None
    out = workdir / f"slamon-demo-{month}.html"
    from monitor.storage.cases_repository import StoreCaseRepository

    data = gather(contract, month, StoreSource(store), as_of, generated_at=as_of, history=0,
                  cases=StoreCaseRepository(store).list(contract.id))
    write_report(data, "html", out)
    return out


def truth_line(result: DemoResult) -> str:
    """Whether the collector stored exactly what the simulator served: the check a user
    runs the demo with `--fault-rate` for."""
    unreported = UNREPORTED.get(result.contract.platform, ())
    note = (f" ({', '.join(unreported)}: not reported by "
            f"{vendor_name(result.contract.platform)}'s API)" if unreported else "")
    if not result.truth_gaps:
        return f"Stored intervals equal the simulator's truth, column by column{note}."
    shown = "; ".join(result.truth_gaps[:5])
    more = f" and {len(result.truth_gaps) - 5} more" if len(result.truth_gaps) > 5 else ""
    return (f"Stored intervals DIFFER from the simulator's truth in "
            f"{len(result.truth_gaps)} places{note}: {shown}{more}.")


def print_summary(result: DemoResult, out: TextIO, db_arg: str | None) -> None:
    from monitor.commands.evaluate import print_table

    print_table(result.contract, result.evaluation, result.credits, out)
    db = f" --db {db_arg}" if db_arg else ""
    rel = DEMO_DIR / "contracts"
    label = result.evaluation.period.label
    failed = f", {result.faults} of them failed on purpose" if result.faults else ""
    out.write(f"\n{result.intervals} intervals stored in {result.db_url} "
              f"({result.requests} simulator requests{failed}).\n")
    out.write(truth_line(result) + "\n")
    if result.report is not None:
        out.write(f"Report: {result.report}\n")
    if result.cases:
        out.write(f"Performance cases: {', '.join(result.cases)}"
                  + (f"; their notices are in {result.outbox}" if result.outbox else "")
                  + "\n")
    db_flag = f" --db {db_arg}" if db_arg else " --db"
    show = (f"  slamon cases show {result.cases[0]} --contracts-dir {rel}{db}\n"
            if result.cases else "")
    out.write("\nNext steps:\n"
              f"  slamon evaluate --contract {result.contract.id} --contracts-dir {rel} "
              f"--period {label}{db}\n"
              f"  slamon report --contract {result.contract.id} --contracts-dir {rel} "
              f"--period {label}"
              f"{db_flag} --out claim-{label}.pdf\n"
              f"  slamon cases list{db}\n"
              f"{show}"
              f"  slamon serve-metrics --contracts {rel}\n"
              "  slamon demo --serve   (keeps the simulator, service and /metrics running)\n")
