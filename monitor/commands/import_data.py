"""`slamon import`: bring interval and outage files into the database.

    slamon import intervals FILE.csv --contract ID [--db URL] [--contracts-dir DIR]
    slamon import outages FILE.csv (--contract ID | --all-contracts) [--db URL]
    slamon import probes FILE.csv --contract ID [--source NAME] [--db URL]
    slamon import prometheus --contract ID --from ISO --to ISO [--source NAME] [--db URL]
    slamon import invoices FILE.csv [--db URL] [--json]   (see import_invoices.py; exit 4
                                                          when credit lines are unmatched)

Each file is all-or-nothing: the whole file is checked before anything is written (a bad
row is named by file, line and column and nothing is imported), then written in one
transaction. Re-importing a file changes nothing; a corrected file updates exactly the
changed intervals and records the corrections. Prints a summary (new / updated / unchanged);
large files show a progress bar on a terminal. An outage file names the vendor whose
services went down, so it is imported for one contract (`--contract`); `--all-contracts`
is the explicit choice for a shared component (a carrier, an SSO provider), and each
contract still counts only the services its availability SLAs name.
`probes` and `prometheus` store independent observations (docs/evidence.md): each replaces
the spans it decided for its window, so re-importing changes nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from monitor.commands import import_invoices
from monitor.config import contracts_dir, database_url
from monitor.interchange import read_intervals, read_outages
from monitor.storage import Store
from monitor.storage.outages import ANY_CONTRACT

HELP = "Import interval, outage or invoice CSV files into the database (idempotent)."
BATCH = 200_000


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="kind", metavar="KIND")
    sub.required = True
    for kind, text in (("intervals", "interval CSV (interchange format) for one contract"),
                       ("outages", "outage CSV (interchange format)")):
        p = sub.add_parser(kind, help=text, description=text)
        p.add_argument("file", type=Path, metavar="FILE.csv")
        p.add_argument("--contract", required=kind == "intervals", metavar="ID|FILE",
                       help="contract id (looked up in --contracts-dir) or contract file")
        if kind == "outages":
            p.add_argument("--all-contracts", action="store_true",
                           help="apply the outages to every contract (each counts only the "
                           "services its SLAs name); otherwise --contract is required")
        p.add_argument("--contracts-dir", "--contracts", dest="contracts_dir", type=Path,
                       default=None,
                       help="where contract ids are looked up (default: SLAMON_CONTRACTS "
                       "or contracts)")
        p.add_argument("--db", metavar="URL", help="database URL (default: "
                       "SLAMON_DATABASE_URL or sqlite:///slamon.db)")
    p = sub.add_parser("invoices", help="vendor invoice CSV: credit lines matched to claims",
                       description="vendor invoice CSV: credit lines matched to claims "
                       "(exit 4 when some are left for review)")
    p.add_argument("file", type=Path, metavar="FILE.csv")
    p.add_argument("--db", metavar="URL", help="database URL (default: "
                   "SLAMON_DATABASE_URL or sqlite:///slamon.db)")
    import_invoices.configure(p)
    from monitor.commands.import_evidence import configure_evidence

    configure_evidence(sub)


def run(args: argparse.Namespace) -> int:
    from monitor.spec import find_contract

    if args.kind == "invoices":
        return import_invoices.run(args)
    if args.kind in ("probes", "prometheus"):
        from monitor.commands.import_evidence import run_evidence

        return run_evidence(args)

    if args.kind == "outages" and bool(args.contract) == bool(args.all_contracts):
        print("slamon import outages: give --contract ID (the contract whose vendor had the "
              "outages) or --all-contracts (one shared component), not "
              + ("both" if args.contract else "neither"), file=sys.stderr)
        return 2

    contract = (find_contract(args.contract, contracts_dir(args.contracts_dir))
                if args.contract else None)
    store = Store.open(database_url(args.db))
    try:
        if args.kind == "intervals":
            assert contract is not None
            frame = read_intervals(args.file, contract)
            with tqdm(total=len(frame), unit="rows", disable=None, file=sys.stderr,
                      desc=args.file.name, leave=False) as bar:
                summary = store.ingest_intervals(contract, frame, source=str(args.file),
                                                 batch_size=BATCH, progress=bar.update)
            rows, what = len(frame), f"contract {contract.id}"
        else:
            outages = read_outages(args.file)
            cid = contract.id if contract else ANY_CONTRACT
            summary = store.ingest_outages(cid, outages)
            rows = len(outages)
            what = f"contract {cid}" if contract else "every contract"
    finally:
        store.close()
    print(f"{args.file}: {rows} {args.kind} for {what}: {summary.new} new, "
          f"{summary.updated} updated, {summary.unchanged} unchanged")
    if summary.corrections:
        print(f"{len(summary.corrections)} corrections recorded")
    return 0
