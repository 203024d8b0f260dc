"""`slamon import probes|prometheus`: store a contract's independent observations.

    slamon import probes tests.csv --contract ID [--source NAME]
    slamon import prometheus --contract ID --from ISO --to ISO [--source NAME]

The source is one of the contract's `sources.independent` checks (the only one of that kind
when --source is not given). Nothing is stored when a file row is bad or Prometheus cannot
be read: that time simply stays unknown.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from monitor.commands.common import parse_instant
from monitor.config import contracts_dir, database_url
from monitor.domain.contract import Contract, IndependentSource
from monitor.errors import InputError


def configure_evidence(sub: Any) -> None:
    for kind, text in (("probes", "synthetic-test CSV (docs/evidence.md) for one contract"),
                       ("prometheus", "read the contract's Prometheus check for a window")):
        p = sub.add_parser(kind, help=text, description=text)
        if kind == "probes":
            p.add_argument("file", type=Path, metavar="FILE.csv")
        else:
            p.add_argument("--from", dest="start", required=True, metavar="ISO",
                           help="window start (ISO 8601 with offset)")
            p.add_argument("--to", dest="end", required=True, metavar="ISO",
                           help="window end (ISO 8601 with offset)")
        p.add_argument("--contract", required=True, metavar="ID|FILE",
                       help="contract id (looked up in --contracts-dir) or contract file")
        p.add_argument("--source", metavar="NAME",
                       help="the sources.independent check (default: the only one of the kind)")
        p.add_argument("--contracts-dir", "--contracts", dest="contracts_dir", type=Path,
                       default=None, help="where contract ids are looked up")
        p.add_argument("--db", metavar="URL", help="database URL (default: "
                       "SLAMON_DATABASE_URL or sqlite:///slamon.db)")


def pick_source(contract: Contract, kind: str, name: str | None) -> IndependentSource:
    mine = [s for s in contract.independent if s.kind == kind]
    if name is not None:
        mine = [s for s in mine if s.name == name]
    if len(mine) != 1:
        have = ", ".join(f"{s.name} ({s.kind})" for s in contract.independent) or "none"
        what = f"{kind} check named {name!r}" if name else f"exactly one {kind} check"
        raise InputError(f"contract {contract.id} needs {what} in sources.independent "
                         f"(has: {have}); pick one with --source", column="--source")
    return mine[0]


def run_evidence(args: argparse.Namespace) -> int:
    from monitor.spec import find_contract
    from monitor.storage import Store
    from monitor.storage.observations import save_all

    contract = find_contract(args.contract, contracts_dir(args.contracts_dir))
    source = pick_source(contract, args.kind, args.source)
    if args.kind == "probes":
        from monitor.collectors.evidence import read_probes

        decided = read_probes(args.file, source)
        what = str(args.file)
    else:
        from monitor.collectors.evidence import PrometheusEvidence
        from monitor.collectors.http import HttpClient

        start, end = parse_instant(args.start, "--from"), parse_instant(args.end, "--to")
        if end <= start:
            raise InputError("must be after --from", column="--to")
        decided = PrometheusEvidence(source, HttpClient(timeout=10.0, max_retries=2)).read(
            start, end)
        what = f"{source.url} {start.isoformat()}..{end.isoformat()}"
    store = Store.open(database_url(args.db))
    try:
        new, removed, unchanged = save_all(store, contract.id, source.name, decided)
    finally:
        store.close()
    down = sum(1 for _, d in decided for s in d.spans if s.state == "down")
    print(f"{what}: {len(decided)} components, {down} down spans for contract {contract.id} "
          f"({source.name}): {new} new, {removed} replaced, {unchanged} unchanged")
    return 0
