"""`slamon alerts generate`: Prometheus rules and promtool tests from the contracts."""

from __future__ import annotations

import argparse
from pathlib import Path

from monitor import conventions as C
from monitor.alerting.generate import generate
from monitor.alerting.model import Links
from monitor.errors import ContractError, InputError
from monitor.spec import load_contracts

HELP = "generate Prometheus alert rules and their promtool tests from the contracts"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    gen = sub.add_parser("generate", help=HELP, description=HELP)
    gen.add_argument("--contracts", "--contracts-dir", dest="contracts", type=Path, nargs="+",
                     default=[Path("contracts")],
                     help="contract files or directories (default: contracts)")
    gen.add_argument("--out", type=Path, default=Path("alerts"),
                     help="output directory (default: alerts)")
    gen.add_argument("--grafana-url", default=C.DEFAULT_GRAFANA_URL,
                     help=f"base of dashboard_url links (default {C.DEFAULT_GRAFANA_URL})")
    gen.add_argument("--runbook-url", default=C.DEFAULT_RUNBOOK_URL,
                     help="base of runbook_url links (default: the repository path "
                     f"{C.DEFAULT_RUNBOOK_URL}; give the URL of a published copy)")


def run(args: argparse.Namespace) -> int:
    contracts, problems = load_contracts(args.contracts)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ContractError(errors)  # nothing written
    if args.out.exists() and not args.out.is_dir():
        raise InputError(f"{str(args.out)!r} is a file, not a directory", column="--out")
    try:
        written = generate(contracts, args.out, Links(args.grafana_url, args.runbook_url))
    except OSError as exc:
        raise InputError(f"cannot write alert rules under {str(args.out)!r}: "
                         f"{exc.strerror or exc}", column="--out") from None
    for path in written:
        print(path)
    return 0
