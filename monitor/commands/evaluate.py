"""`slamon evaluate`: one contract, one period, from interchange files or the database;
a table or JSON. Without --intervals the period is read from the database (--db URL).

    slamon evaluate --contract contracts/acme-connect-2026.yaml \\
        --intervals examples/acme-2026-10-intervals.csv \\
        --outages examples/acme-2026-10-outages.csv --period 2026-10 [--json]

Breaches are data (exit 0) unless `--fail-on-breach` (exit 3); bad input exits 1 with the
file, line and column. The command reads the clock only for the default `--as-of`; the
engine never does. `open_source` picks files or the database (`monitor.sources`).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from monitor.commands.common import parse_instant
from monitor.domain.contract import SECONDS_METRICS, Contract, Metric, Status
from monitor.domain.history import evaluate_history
from monitor.domain.outlook import MISSES, outlook_of, status_shown
from monitor.domain.periods import period_for
from monitor.domain.reasons import reason
from monitor.domain.results import Evaluation, PeriodCredits, SlaResult
from monitor.errors import InputError
from monitor.interchange import evaluation_to_json
from monitor.reports.evidence import line as evidence_line
from monitor.reports.evidence import reconciliations
from monitor.sources import FileSource, Source, StoreSource

HELP = "Evaluate a contract's SLAs for one period from interval and outage files."


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--contract", required=True, metavar="FILE|ID",
                        help="contract file, or a contract id in --contracts-dir")
    parser.add_argument("--contracts-dir", "--contracts", dest="contracts_dir",
                        default="contracts", type=Path,
                        help="where contract ids are looked up (default: contracts)")
    parser.add_argument("--intervals", type=Path, metavar="CSV",
                        help="interval CSV in the interchange format")
    parser.add_argument("--outages", type=Path, metavar="CSV",
                        help="outage CSV; without it availability SLAs have no data")
    parser.add_argument("--period", required=True, help="2026-10, 2026-Q4 or 2026")
    parser.add_argument("--as-of", dest="as_of", metavar="ISO",
                        help="evaluate as of this instant (ISO 8601 with offset; default now)")
    parser.add_argument("--json", action="store_true", help="print the interchange JSON")
    parser.add_argument("--fail-on-breach", action="store_true",
                        help="exit 3 when an SLA is breached or its breach is certain")
    parser.add_argument("--history", type=int, default=12, metavar="N",
                        help="earlier periods evaluated for earn-back and rolling defaults "
                        "(default 12)")
    parser.add_argument("--save", action="store_true",
                        help="with the database as source: store the evaluation and its "
                        "credits (a final period is kept; changes become restatements)")
    parser.add_argument("--db", metavar="URL",
                        help="without --intervals/--outages: read the period from this database "
                        "(default: SLAMON_DATABASE_URL or sqlite:///slamon.db)")


def load_contract_arg(args: argparse.Namespace) -> Contract:
    from monitor.spec import find_contract

    return find_contract(args.contract, args.contracts_dir)


def open_source(args: argparse.Namespace, contract: Contract) -> Source:
    """The files named on the command line, else the database (--db URL)."""
    if args.intervals is not None or args.outages is not None:  # outages alone are files too
        return FileSource.read(contract, args.intervals, args.outages)
    from monitor.config import database_url
    from monitor.storage import Store

    return StoreSource(Store.open(database_url(args.db)))


def run(args: argparse.Namespace) -> int:
    if args.history < 0:
        print("slamon evaluate: --history must be 0 or more", file=sys.stderr)
        return 2
    as_of = parse_instant(args.as_of, "--as-of") if args.as_of else datetime.now(UTC)
    contract = load_contract_arg(args)
    period = period_for(contract, args.period)
    source = open_source(args, contract)
    try:
        # Earlier periods are evaluated too: earn-back and rolling defaults need them.
        past = evaluate_history(
            contract, period, lambda start, end: source.measurements(contract, start, end),
            as_of, history=args.history, availability_data=source.has_outages,
            is_final=lambda label: source.closed(contract, label), require_data=False,
            source=source.describe())
        if args.save:
            if not isinstance(source, StoreSource):
                raise InputError("--save stores into the database; it needs the database "
                                 "as the source (no --intervals/--outages)", column="--save")
            from monitor.domain.consistency import consistency_of, with_consistency

            source.store.save_contract(contract)
            # The queue and site spreads travel in the stored details to /metrics.
            frame = source.measurements(contract, period.start, period.end).intervals
            saved = with_consistency(past.current,
                                     consistency_of(contract, past.current, frame))
            source.store.save_evaluation(saved, past.current_credits, at=as_of)
            from monitor.commands.case_opening import open_cases

            open_cases(source.store, contract, past.current, past.current_credits, as_of)
    finally:
        if isinstance(source, StoreSource):
            source.store.close()
    evaluation, credits = past.current, past.current_credits
    if args.json:
        lines = [line for line in (credits.lines if credits is not None else ())
                 if line.period == evaluation.period.label]
        notes = {r.sla_id: reason(contract.sla(r.sla_id), r, lines) for r in evaluation.results}
        doc = evaluation_to_json(evaluation, credits, currency=contract.currency, notes=notes)
        json.dump(doc, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print_table(contract, evaluation, credits, sys.stdout)
    breached = any(outlook_of(r).standing in MISSES for r in evaluation.results)
    return 3 if args.fail_on_breach and breached else 0


def format_value(metric: str, value: Decimal | None) -> str:
    if value is None:
        return "-"
    if Metric(metric) in SECONDS_METRICS:
        return f"{value:.2f} s"
    return f"{value * 100:.4f}%"


def _target(result: SlaResult) -> str:
    sign = ">=" if str(result.target.direction) == "min" else "<="
    target = f"{sign} {format_value(result.metric, result.target.value)}"
    share = result.evidence.details.get("share")
    if share is not None:  # interval compliance: the value is a share of intervals
        return f">= {Decimal(share) * 100:.4f}% of intervals {target}"
    return target


def _evidence(result: SlaResult) -> str:
    ev = result.evidence
    if result.status is Status.INSUFFICIENT_DATA and ev.denominator == 0:
        why = ev.details.get("missing") or "no volume in the period"
        return f"no data: {why}"
    if result.metric == Metric.AVAILABILITY:
        text = (f"{ev.details.get('downtime_minutes', '0')} min down of "
                f"{ev.measured_minutes} min")
    else:
        text = f"{ev.numerator}/{ev.denominator} over {ev.intervals} intervals"
    if ev.excluded_minutes:
        text += f", {ev.excluded_minutes} min excluded"
    own = ev.details.get("period")
    return f"{text} [{own}]" if own else text


def print_table(contract: Contract, evaluation: Evaluation, credits: PeriodCredits | None,
                out: TextIO) -> None:
    period = evaluation.period
    tty = out.isatty()
    lines = [line for line in (credits.lines if credits is not None else ())
             if line.period == period.label]
    amounts: dict[str, Decimal] = {}
    for credit in credits.lines if credits is not None else ():
        amounts[credit.sla_id] = amounts.get(credit.sla_id, Decimal(0)) + credit.amount
    out.write(f"{contract.id}  {period.label}  {period.start.isoformat()} .. "
              f"{period.end.isoformat()}  ({evaluation.status}, as of "
              f"{evaluation.as_of.isoformat()})\n")
    rows: list[list[str]] = [["SLA", "METRIC", "VALUE", "TARGET", "STATUS", "CREDIT", "NOTE",
                              "EVIDENCE"]]
    flags: list[bool] = [False]
    any_open = False
    for r in evaluation.results:
        o = outlook_of(r)
        any_open = any_open or o.open
        bad = o.standing in MISSES
        status = status_shown(r) + (" (below minimum)" if r.below_minimum else "")
        amount = f"{amounts.get(r.sla_id, Decimal('0')):.2f}"
        rows.append([r.sla_id, r.metric, format_value(r.metric, r.value), _target(r),
                     status.upper() if bad and not tty else status,
                     f"{amount} accruing" if o.open and amount != "0.00" else amount,
                     reason(contract.sla(r.sla_id), r, lines) or "-", _evidence(r)])
        flags.append(bad)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for cols, bad in zip(rows, flags, strict=True):
        cells = [c.ljust(w) for c, w in zip(cols[:-1], widths, strict=True)] + [cols[-1]]
        line = "  ".join(cells)
        if bad:
            line = f"\x1b[1;31m{line}\x1b[0m" if tty else f"{line}  <-- breach"
        out.write(line.rstrip() + "\n")
    total = credits.total if credits is not None else Decimal("0.00")
    if any_open:
        out.write(f"credit accruing if nothing changes: {total:.2f} {contract.currency} "
                  "(not owed: the period is still open)\n")
    else:
        out.write(f"credit total: {total:.2f} {contract.currency}\n")
    for rec in reconciliations(evaluation.results):
        out.write(f"independent evidence {evidence_line(rec)}\n")
    for problem in evaluation.problems:
        out.write(f"problem: {problem}\n")
