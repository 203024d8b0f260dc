"""`slamon validate [PATHS...]`: check contract files and report every problem.

Each problem goes to stdout as `contracts/acme.yaml:14: slas[1].target: reason` (warnings
carry `warning:`), then a one-line summary goes to stderr. Exit 1 when any file has an
error, 0 otherwise (warnings alone pass). `--json` prints one JSON document instead.
With no paths, the contracts directory (`--contracts-dir`, `SLAMON_CONTRACTS`, `contracts/`)
is checked.
"""

from __future__ import annotations

import argparse
import json
import sys

from monitor import config
from monitor.errors import Problem
from monitor.spec import load_all

HELP = "Check contract files and report every problem; exit 1 if any has an error."


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="contract files or directories (default: the contracts directory)")
    parser.add_argument("--contracts-dir", "--contracts", dest="contracts_dir", default=None,
                        help="directory used when no PATH is given")
    parser.add_argument("--json", action="store_true", help="machine-readable output on stdout")


def run(args: argparse.Namespace) -> int:
    paths = args.paths or [str(config.contracts_dir(args.contracts_dir))]
    loaded, extra = load_all(paths)
    if not loaded and not extra:
        extra = [Problem(", ".join(paths), None, "", "no contract files (*.yaml, *.yml) found")]
    problems = [p for one in loaded for p in one.problems] + extra
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    bad_files = {p.file for p in problems if p.severity == "error"}
    if args.json:
        document = {
            "valid": errors == 0,
            "files": [
                {"file": one.file, "contract_id": one.contract_id,
                 "valid": one.file not in bad_files}
                for one in loaded
            ],
            "problems": [
                {"file": p.file, "line": p.line, "path": p.path, "message": p.message,
                 "severity": p.severity}
                for p in problems
            ],
            "errors": errors,
            "warnings": warnings,
        }
        print(json.dumps(document, indent=2))
    else:
        for problem in problems:
            print(problem)
    files = len({one.file for one in loaded} | bad_files)  # a missing path counts as one
    noun = "file" if files == 1 else "files"
    if errors:
        summary = (f"{errors} {_plural(errors, 'error')} and {warnings} "
                   f"{_plural(warnings, 'warning')} in {len(bad_files)} of {files} {noun}")
    else:
        summary = f"{files} {noun} valid" + (
            f", {warnings} {_plural(warnings, 'warning')}" if warnings else ""
        )
    print(summary, file=sys.stderr)
    return 1 if errors else 0


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"
