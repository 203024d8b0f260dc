"""`slamon close`: a person makes a period final.

    slamon close --contract ID --period 2026-10 --by "j.doe" [--db URL]

A final period is never overwritten: a later re-evaluation with changed data records a
restatement (old and new figures) that reports show. Periods also become final by
themselves once the contract's claim deadline has passed (`slamon run`). A final period
that owes a credit gets its claim drafted (`slamon claims`, docs/claims.md).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from monitor.config import contracts_dir, database_url
from monitor.domain.close import close_period
from monitor.domain.contract import Contract
from monitor.domain.periods import period_for
from monitor.domain.results import Period
from monitor.errors import InputError
from monitor.service.claims import draft_claims
from monitor.spec import find_contract
from monitor.storage import Store

HELP = "Make a period final (closed by a person); later changes become restatements."


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--contract", required=True, metavar="ID|FILE")
    parser.add_argument("--contracts-dir", "--contracts", dest="contracts_dir", type=Path,
                        help="where contract ids are looked up (default: contracts)")
    parser.add_argument("--period", required=True, help="2026-10, 2026-Q4 or 2026")
    parser.add_argument("--by", required=True, help="who closes it (kept with the period)")
    parser.add_argument("--db", metavar="URL",
                        help="database URL (default: SLAMON_DATABASE_URL or sqlite:///slamon.db)")


def run(args: argparse.Namespace) -> int:
    contract = find_contract(args.contract, contracts_dir(
        str(args.contracts_dir) if args.contracts_dir else None))
    period = period_for(contract, args.period)
    now = datetime.now(UTC)
    closure = close_period(period.end, args.by, now)  # refuses a period not yet ended
    store = Store.open(database_url(args.db))
    try:
        if store.period_status(contract.id, period.label) is None:
            raise InputError(f"period {period.label} of contract {contract.id} has no stored "
                             "evaluation; run `slamon run`, or `slamon evaluate --save` "
                             "from the database, first", column="--period")
        closed = store.close_period(contract.id, period.label, closure.by, closure.at)
        opened = _open_cases(store, contract, period, now) if closed else []
        drafted = draft_claims(store, contract, now)
    finally:
        store.close()
    if closed:
        print(f"{contract.id} {period.label} is final (closed by {closure.by})")
    else:
        print(f"{contract.id} {period.label} was already final")
    if opened:
        print(f"performance-issue cases open: {', '.join(opened)} (see `slamon cases list`)")
    for claim in drafted:
        print(f"claim {claim.id} drafted: {claim.owed} {claim.currency} owed by "
              f"{claim.vendor}, to submit by {claim.deadline} (`slamon claims submit`)")
    return 0


def _open_cases(store: Store, contract: Contract, period: Period, now: datetime) -> list[str]:
    """A breach made final opens its performance-issue case (docs/cases.md)."""
    from monitor.commands.case_opening import open_cases
    from monitor.storage.history import stored_evaluations

    stored = stored_evaluations(store, contract, count=10_000, kind=period.kind)
    final = [e for e in stored if e.period.label == period.label]
    return open_cases(store, contract, final[0], None, now) if final else []
