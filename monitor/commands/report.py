"""`slamon report`: the procurement report for one contract and period, in one of five formats.

    slamon report --contract acme-connect-2026 --period 2026-10 --format pdf --out claim.pdf \\
        --intervals acme-intervals.csv --outages acme-outages.csv
    slamon report --contract acme-connect-2026 --period 2026-10 --format xlsx --out oct.xlsx --db

Data comes from interchange files (`--intervals`, `--outages`) or the database (`--db`, which
also supplies restatements and the contract's performance-issue cases with their timelines,
those of the reported period and of the history periods). Up to `--history` earlier periods
with data are evaluated too, for the credit history (earn-back, chronic failure) and the
scorecard. The report is rendered in memory and written through a temporary file and a
rename: on any error (unknown contract, a period outside the contract's dates, a period with
no data) the command exits 1 with the reason and writes no file.
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from monitor.commands.common import parse_instant
from monitor.errors import InputError
from monitor.reports.render import FORMATS

HELP = "Write a procurement report (xlsx, csv, html, pdf, json) for one contract and period."
log = logging.getLogger(__name__)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--contract", required=True, metavar="ID|FILE",
                        help="contract file, or a contract id in --contracts-dir")
    parser.add_argument("--contracts-dir", "--contracts", dest="contracts_dir", default=None,
                        metavar="DIR",
                        help="where contract ids are looked up (default: $SLAMON_CONTRACTS"
                             " or contracts)")
    parser.add_argument("--period", required=True, help="2026-10, 2026-Q4 or 2026")
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="report format (default: from the --out suffix)")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE",
                        help="file to write; replaced only when the report is complete")
    parser.add_argument("--intervals", type=Path, metavar="CSV",
                        help="interval CSV in the interchange format")
    parser.add_argument("--outages", type=Path, metavar="CSV",
                        help="outage CSV; without it availability SLAs have no data")
    parser.add_argument("--db", nargs="?", const="", default=None, metavar="URL",
                        help="read measurements and restatements from the database"
                             " (default URL: $SLAMON_DATABASE_URL)")
    parser.add_argument("--history", type=int, default=12, metavar="N",
                        help="earlier periods to evaluate for credits and the scorecard"
                             " (default 12)")
    parser.add_argument("--as-of", dest="as_of", metavar="ISO",
                        help="evaluate as of this instant (ISO 8601 with offset; default now)")


def _format(args: argparse.Namespace) -> str:
    suffix = args.out.suffix.lower().lstrip(".")
    if args.format:
        if suffix in FORMATS and suffix != args.format:
            # An XLSX named claim.pdf opens in nothing a procurement analyst has.
            raise InputError(f"--format {args.format} but --out {args.out.name!r} names a "
                             f"{suffix} file; make them agree", column="--format")
        return str(args.format)
    if suffix in FORMATS:
        return suffix
    raise InputError(f"cannot tell the format from {args.out.name!r}; give --format "
                     f"({', '.join(FORMATS)})", column="--format")


def run(args: argparse.Namespace) -> int:
    from monitor.config import contracts_dir, database_url
    from monitor.reports.gather import gather
    from monitor.reports.render import write_report
    from monitor.sources import FileSource, Source, StoreSource
    from monitor.spec import find_contract

    fmt = _format(args)
    if args.db is not None and (args.intervals or args.outages):
        print("slamon report: give --db or --intervals/--outages, not both", file=sys.stderr)
        return 2
    if args.db is None and args.intervals is None and args.outages is None:
        print("slamon report: give --intervals/--outages files or --db", file=sys.stderr)
        return 2
    if args.history < 0:
        print("slamon report: --history must be 0 or more", file=sys.stderr)
        return 2
    if not args.out.parent.is_dir():
        raise InputError(f"directory {str(args.out.parent)!r} does not exist", column="--out")
    if args.out.is_dir():
        raise InputError(f"{str(args.out)!r} is a directory; name the report file",
                         column="--out")
    now = datetime.now(UTC)
    as_of = parse_instant(args.as_of, "--as-of") if args.as_of else now
    contract = find_contract(args.contract, contracts_dir(args.contracts_dir))
    store = None
    source: Source
    cases = None
    if args.db is not None:
        from monitor.storage import Store
        from monitor.storage.cases_repository import StoreCaseRepository

        store = Store.open(database_url(args.db or None))
        source = StoreSource(store)
    else:
        source = FileSource.read(contract, args.intervals, args.outages)
    try:
        if store is not None:
            cases = StoreCaseRepository(store).list(contract.id)
        data = gather(contract, args.period, source, as_of, generated_at=now,
                      history=args.history, cases=cases)
        if store is not None:
            from monitor.domain.claims import claim_id
            from monitor.storage.claims_repository import ClaimRepository

            data = replace(data, claim=ClaimRepository(store).get(
                claim_id(contract.id, data.period)))
        try:
            size = write_report(data, fmt, args.out)
        except OSError as exc:  # write_report leaves no partial file behind
            raise InputError(f"cannot write {str(args.out)!r}: {exc.strerror or exc}",
                             column="--out") from None
    finally:
        if store is not None:
            store.close()
    log.info("event=report_written format=%s contract=%s period=%s bytes=%d path=%s", fmt,
             contract.id, data.period, size, args.out)
    print(args.out)
    return 0
