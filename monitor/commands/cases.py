"""`slamon cases`: list, show and move performance-issue cases.

    slamon cases list [--contract ID] [--state open ...] [--json]
    slamon cases show CASE [--json]
    slamon cases ack|rca|resolve|escalate CASE --by WHO [--note TEXT] [--at ISO]

CASE is the case id `<contract>/<sla>/<period>`. Cases are opened and escalated by the
scheduler; people acknowledge, record the RCA, resolve or escalate by hand here. A refused
transition (a resolved case, an acknowledgement already recorded) exits 1 and changes
nothing. With `--contracts-dir`, `show` and `list --json` add the deadlines and what is
overdue. The database comes from --db, else SLAMON_DATABASE_URL, else sqlite:///slamon.db.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from monitor.cases.model import Action, Case, CaseState
from monitor.cases.repository import CaseRepository
from monitor.cases.service import act
from monitor.cases.views import case_json, timeline_rows
from monitor.commands.common import parse_instant
from monitor.config import database_url
from monitor.domain.contract import Contract
from monitor.errors import InputError

HELP = "List, show, acknowledge, record RCAs for, resolve and escalate performance cases."
log = logging.getLogger(__name__)

VERBS: dict[str, tuple[Action, str]] = {
    "ack": (Action.ACKNOWLEDGE, "record the vendor's acknowledgement"),
    "rca": (Action.RECEIVE_RCA, "record that the root-cause analysis was received"),
    "resolve": (Action.RESOLVE, "resolve the case"),
    "escalate": (Action.ESCALATE, "escalate the case by hand"),
}


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="URL", help="database URL (default: SLAMON_DATABASE_URL "
                   "or sqlite:///slamon.db)")
    p.add_argument("--json", action="store_true", help="print JSON on stdout")
    p.add_argument("--contracts-dir", "--contracts", dest="contracts_dir", type=Path, metavar="DIR",
                   help="contracts directory, to show deadlines and what is overdue")


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="cases_command", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("list", help="list cases", description="list cases, oldest first")
    _common(p)
    p.add_argument("--contract", help="only this contract id")
    p.add_argument("--state", action="append", choices=[s.value for s in CaseState],
                   help="only cases in this state (repeatable)")
    p = sub.add_parser("show", help="one case with its timeline", description="one case")
    _common(p)
    p.add_argument("case", help="case id <contract>/<sla>/<period>")
    for verb, (_, text) in VERBS.items():
        p = sub.add_parser(verb, help=text, description=text)
        _common(p)
        p.add_argument("case", help="case id <contract>/<sla>/<period>")
        p.add_argument("--by", required=True, metavar="WHO", help="who did it")
        p.add_argument("--note", default="", help="why, or a reference (RCA document id)")
        p.add_argument("--at", metavar="ISO", help="when it happened (ISO 8601 with offset; "
                       "default now)")


def _contracts(args: argparse.Namespace) -> dict[str, Contract]:
    if args.contracts_dir is None:
        return {}
    from monitor.spec import load_contracts

    contracts, problems = load_contracts([args.contracts_dir])
    for problem in problems:  # unset vendor credentials do not matter for cases
        log.log(logging.WARNING if problem.severity == "error" else logging.DEBUG,
                "event=contract_problem severity=%s problem=%s", problem.severity, problem)
    return {c.id: c for c in contracts}


@contextmanager
def open_repository(args: argparse.Namespace) -> Iterator[CaseRepository]:
    """The database-backed repository (`monitor.storage.cases_repository`)."""
    from monitor.storage import Store
    from monitor.storage.cases_repository import StoreCaseRepository

    store = Store.open(database_url(args.db))
    try:
        yield StoreCaseRepository(store)
    finally:
        store.close()


def _print_case(case: Case, contract: Contract | None, now: datetime) -> None:
    data = case_json(case, contract, now)
    print(f"{case.id}  [{case.state.value}]  {case.trigger.value}, opened "
          f"{case.opened_at.isoformat()}")
    print(f"  evidence: {case.evidence.describe()}")
    for chronic in case.chronic:
        print(f"  chronic:  {chronic.describe()}")
    if "deadlines" in data:
        d = data["deadlines"]
        print(f"  due:      acknowledge {d['acknowledge_by']}, RCA {d['rca_by']}, "
              f"escalation {d['escalate_at']}")
        if data.get("overdue"):
            print(f"  overdue:  {', '.join(data['overdue'])}")
    for cause in case.causes:
        print(f"  cause:    {cause}")
    for row in timeline_rows(case, contract.tz if contract else None):
        note = f"  ({row['note']})" if row["note"] else ""
        print(f"  {row['at']}  {row['action']:<11} {row['from'] or '-':>12} -> "
              f"{row['to']:<12} by {row['who']}{note}")


def run(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    contracts = _contracts(args)
    with open_repository(args) as repo:
        command = args.cases_command
        if command == "list":
            states = None if not args.state else [CaseState(s) for s in args.state]
            cases = repo.list(args.contract, states)
            if args.json:
                json.dump([case_json(c, contracts.get(c.contract_id), now) for c in cases],
                          sys.stdout, indent=2)
                print()
            else:
                for c in cases:
                    print(f"{c.id}\t{c.state.value}\t{c.trigger.value}\t"
                          f"{c.history[-1].at.isoformat()}")
            return 0
        case = repo.get(args.case)
        if case is None:
            raise InputError(f"no case {args.case!r}", column="case")
        if command != "show":
            action, _ = VERBS[command]
            at = parse_instant(args.at, "--at") if args.at else now
            case = act(repo, args.case, action, args.by, at, args.note)
        if args.json:
            json.dump(case_json(case, contracts.get(case.contract_id), now), sys.stdout,
                      indent=2)
            print()
        else:
            _print_case(case, contracts.get(case.contract_id), now)
    return 0
