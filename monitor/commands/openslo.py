"""`slamon openslo export|import`: contracts as OpenSLO v1, OpenSLO SLOs as contract drafts.

`export [--contract ID|FILE] [--out DIR]` writes one multi-document file per contract
(`<DIR>/<contract>.yaml`; stdout without --out), each checked against the OpenSLO v1 rules
before anything is written. `import FILES... --out contract.yaml` resolves references
across the files and writes a draft that `slamon validate` accepts; problems go to stderr
as `file:line: path: reason` (warnings included), and an error writes nothing (exit 1).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from monitor import config
from monitor.errors import ContractError, InputError, Problem
from monitor.openslo.codec import dump_block
from monitor.openslo.draft import import_documents
from monitor.openslo.export import DEFAULT_PROMETHEUS, export_contract
from monitor.openslo.reader import read_files
from monitor.openslo.rules import check_document
from monitor.spec import find_contract, load_contracts
from monitor.spec.yamlpos import load_document

HELP = "export contracts as OpenSLO v1 documents, or import OpenSLO SLOs as a contract draft"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    exp = sub.add_parser("export", help="write each contract's SLAs as OpenSLO v1 documents")
    exp.add_argument("--contract", default=None,
                     help="one contract id or file (default: every contract)")
    exp.add_argument("--contracts-dir", "--contracts", dest="contracts_dir", default=None,
                     help="directory of contract files (default: contracts/)")
    exp.add_argument("--out", type=Path, default=None,
                     help="directory for <contract>.yaml files (default: stdout)")
    exp.add_argument("--prometheus-url", default=DEFAULT_PROMETHEUS,
                     help=f"the Prometheus scraping slamon (default {DEFAULT_PROMETHEUS})")
    exp.set_defaults(_action=_export)
    imp = sub.add_parser("import", help="OpenSLO SLOs -> a slamon/v1 contract draft")
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE",
                     help="OpenSLO files or directories (references resolved across them)")
    imp.add_argument("--out", type=Path, required=True, help="the contract draft to write")
    imp.add_argument("--contract", default=None,
                     help="the contract to rebuild when the SLOs name several")
    imp.set_defaults(_action=_import)


def run(args: argparse.Namespace) -> int:
    return int(args._action(args))


def _export(args: argparse.Namespace) -> int:
    contracts_dir = config.contracts_dir(args.contracts_dir)
    if args.contract:
        contracts = [find_contract(args.contract, contracts_dir)]
    else:
        contracts, problems = load_contracts([contracts_dir])
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise ContractError(errors)
    outputs: dict[str, str] = {}
    for contract in sorted(contracts, key=lambda c: c.id):
        source = Path(contract.source_file or "")
        raw = load_document(source.read_text(encoding="utf-8"), str(source)).data
        docs = export_contract(contract, raw, args.prometheus_url)
        found = [Problem(f"{contract.id} (export)", None,
                         f"{d['kind']} {d['metadata']['name']}: {path}".rstrip(": "), message)
                 for d in docs for path, message in check_document(d)]
        if found:  # a bug or a contract value OpenSLO cannot hold: write nothing
            raise ContractError(found)
        outputs[contract.id] = "---\n".join(dump_block(d) for d in docs)
    if args.out is None:
        sys.stdout.write("---\n".join(outputs.values()))
        return 0
    if args.out.exists() and not args.out.is_dir():
        raise InputError(f"{str(args.out)!r} is a file, not a directory", column="--out")
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        for contract_id, text in outputs.items():
            path = args.out / f"{contract_id}.yaml"
            path.write_text(text, encoding="utf-8")
            print(path)
    except OSError as exc:
        raise InputError(f"cannot write under {str(args.out)!r}: {exc.strerror or exc}",
                         column="--out") from None
    return 0


def _import(args: argparse.Namespace) -> int:
    missing = [str(f) for f in args.files if not f.exists()]
    if missing:
        raise InputError("no such file: " + ", ".join(missing), column="FILE")
    docs, problems = read_files(args.files)
    draft = import_documents(docs, contract_id=args.contract, name=str(args.out))
    for problem in [*problems, *draft.problems]:
        print(problem, file=sys.stderr)
    if draft.text is None or draft.errors or problems:
        print(f"slamon: nothing written to {args.out}", file=sys.stderr)
        return 1
    try:
        args.out.write_text(draft.text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {str(args.out)!r}: {exc.strerror or exc}",
                         column="--out") from None
    print(args.out)
    return 0
