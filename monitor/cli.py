"""`slamon` command line: `main(argv) -> int`. Data goes to stdout, messages to stderr.

Each subcommand lives in `monitor/commands/<name>.py` and exposes `HELP`,
`configure(parser)` and `run(args) -> int`. Exit codes: 0 ok, 1 invalid input or a
compliance failure asked for, 2 usage, 3 breach with `--fail-on-breach`.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from importlib import metadata
from types import ModuleType

from monitor.errors import SlamonError

# The explicit registry: subcommand name -> module under monitor.commands.
COMMANDS: dict[str, str] = {
    "validate": "validate",
    "evaluate": "evaluate",
    "report": "report",
    "import": "import_data",
    "db": "db",
    "run": "run",
    "demo": "demo",
    "serve-metrics": "serve_metrics",
    "alerts": "alerts",
    "notifications": "notifications",
    "cases": "cases",
    "close": "close",
    "openslo": "openslo",
}


def _load(module: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"monitor.commands.{module}")
    except ModuleNotFoundError as exc:
        if exc.name == f"monitor.commands.{module}":
            return None
        raise


def _version() -> str:
    try:
        return metadata.version("slamon")
    except metadata.PackageNotFoundError:  # running from a source tree that was not installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="slamon", description="Vendor-SLA monitoring and compliance."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    parser.add_argument("--version", action="version", version=f"slamon {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, module_name in COMMANDS.items():
        module = _load(module_name)
        if module is None:
            continue
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.configure(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    if not args.verbose:  # its per-connection "Context impl" lines are noise on every command
        logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        return int(args._run(args))
    except SlamonError as exc:
        print(f"slamon: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `slamon ... | head`: the reader left; no traceback
        _silence_stdout()
        return 1


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (captured in tests)
        pass


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
