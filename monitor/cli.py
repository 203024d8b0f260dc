"""`slamon` command line: `main(argv) -> int`. Data goes to stdout, messages to stderr.

Each subcommand lives in `monitor/commands/<name>.py` and exposes `HELP`,
`configure(parser)` and `run(args) -> int`. Exit codes: 0 ok, 1 invalid input or a
compliance failure asked for, 2 usage, 3 breach with `--fail-on-breach`, 4 invoice lines
left unmatched by `slamon import invoices`.

Start-up is kept short (`bench/startup.py`): only the module of the command being run is
imported, so `slamon --help` imports none and `slamon validate` never loads pandas or
SQLAlchemy. The one-line summaries below are what `slamon --help` lists without importing
the modules; `tests/test_cli_startup.py` keeps each equal to its module's `HELP`.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType
from typing import TextIO

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
    "claims": "claims",
    "console": "console",
    "users": "users",
}

SUMMARIES: dict[str, str] = {
    "validate": "Check contract files and report every problem; exit 1 if any has an error.",
    "evaluate": "Evaluate a contract's SLAs for one period from interval and outage files.",
    "report": "Write a procurement report (xlsx, csv, html, pdf, json) for one contract and "
              "period.",
    "import": "Import interval, outage or invoice CSV files into the database (idempotent).",
    "db": "Create or upgrade the database schema (Alembic migrations).",
    "run": "run the service: poll vendors on a schedule, store, evaluate, serve /metrics",
    "demo": "run a simulated month end to end and leave a populated ./slamon.db",
    "serve-metrics": "serve the Prometheus /metrics endpoint from stored results",
    "alerts": "generate Prometheus alert rules and their promtool tests from the contracts",
    "notifications": "list the notifications sent, and those that could not be delivered",
    "cases": "List, show, acknowledge, record RCAs for, resolve and escalate performance "
             "cases.",
    "close": "Make a period final (closed by a person); later changes become restatements.",
    "openslo": "export contracts as OpenSLO v1 documents, or import OpenSLO SLOs as a "
               "contract draft",
    "claims": "Service-credit claims: list, show, submit, dispute, accept, credit, close, ledger.",
    "console": "Serve the web console (vendors, SLAs, cases, claims, reports) on 127.0.0.1.",
    "users": "Add, disable and set passwords of web console users.",
}
LOG_FORMATS = ("kv", "json")


def _load(module: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"monitor.commands.{module}")
    except ModuleNotFoundError as exc:
        if exc.name == f"monitor.commands.{module}":
            return None
        raise


class _Version(argparse.Action):
    """`--version`, looking the installed version up only when asked (importlib.metadata
    scans every installed distribution)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        from importlib import metadata

        try:
            version = metadata.version("slamon")
        except metadata.PackageNotFoundError:  # a source tree that was not installed
            version = "unknown"
        print(f"slamon {version}")  # on stdout, as argparse's own version action does
        parser.exit()


def chosen(argv: Sequence[str]) -> str | None:
    """The subcommand named on the command line (the first word that is one), if any."""
    return next((word for word in argv if word in COMMANDS), None)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with `argv`, only the command it names is configured (imported), the
    others are listed by their summary alone."""
    parser = argparse.ArgumentParser(
        prog="slamon", description="Vendor-SLA monitoring and compliance."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    parser.add_argument("--log-format", choices=LOG_FORMATS, default="kv",
                        help="log lines on stderr as key=value (default) or JSON objects")
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    wanted = None if argv is None else chosen(argv)
    for name, module_name in COMMANDS.items():
        if argv is not None and name != wanted and name in SUMMARIES:
            sub.add_parser(name, help=SUMMARIES[name], description=SUMMARIES[name])
            continue
        module = _load(module_name)
        if module is None:
            continue
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.configure(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if not hasattr(args, "_run"):  # a command word that was also an option's value
        parser.error(f"choose a command: {', '.join(COMMANDS)}")
    from monitor.service.logs import configure_logging

    configure_logging(args.log_format == "json", args.verbose,
                      add_handler=not logging.getLogger().handlers)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return int(args._run(args))
    except SlamonError as exc:
        print(f"slamon: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `slamon ... | head`: the reader left; no traceback
        _silence_stdout()
        return 1
    except Exception as exc:
        message = _database_problem(exc)
        if message is None:
            raise
        print(f"slamon: {message}", file=sys.stderr)
        return 1


def _database_problem(exc: Exception) -> str | None:
    """One line for a database the command cannot use (read-only, full, gone), instead of
    a traceback; None for anything else, which stays a bug with its traceback."""
    from sqlalchemy.exc import OperationalError

    if not isinstance(exc, OperationalError):
        return None
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    if "readonly" in reason:
        return ("the database is read-only: commands that only read work, this one writes "
                f"({reason})")
    return f"database error: {reason}"


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: TextIO | None = None, line: str | None = None) -> None:
    """A warning is one line for the user; the default display adds the Python source line
    that raised it (a duplicated CSV header printed `warnings.warn(...)`)."""
    print(f"slamon: warning: {message}", file=sys.stderr)


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
