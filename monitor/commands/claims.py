"""`slamon claims`: follow service-credit claims from draft to money recovered.

    slamon claims list [--vendor V] [--contract ID] [--state S] [--year Y] [--overdue] [--json]
    slamon claims show CLAIM [--json]
    slamon claims submit CLAIM --reference REF [--date D] --by WHO
    slamon claims acknowledge CLAIM --by WHO
    slamon claims dispute CLAIM --reason TEXT --by WHO
    slamon claims accept CLAIM --amount A --by WHO          (may be less than owed)
    slamon claims credit CLAIM --invoice N --amount A [--date D] --by WHO
    slamon claims close CLAIM --by WHO
    slamon claims writeoff CLAIM --reason TEXT --by WHO
    slamon claims ledger [--vendor V] [--year Y] [--json] [--out FILE.xlsx|FILE.json]
    slamon claims invoices [--unmatched] [--json]           (imported invoice lines)

CLAIM is `<contract>/<period>` (e.g. `acme-connect-2026/2026-10`). Claims are drafted when a
period owing a credit becomes final (`slamon close`, or `slamon run` once the claim window
has passed). Every step records who (`--by`), when (`--at`, default now) and an optional
`--note`; a step the claim's state does not allow, or a bad amount, exits 1 and changes
nothing. `--today` (default: today, UTC) decides what is overdue: a draft past its
deadline is shown OVERDUE. The database comes from --db, else SLAMON_DATABASE_URL, else
sqlite:///slamon.db.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from monitor.commands.common import parse_instant
from monitor.config import database_url
from monitor.domain.claims import Claim, ClaimAction, ClaimState
from monitor.errors import InputError
from monitor.reports.claims_view import LEDGER_COLUMNS, claim_json, ledger_json, status_text
from monitor.storage.claims_repository import ClaimRepository

HELP = "Service-credit claims: list, show, submit, dispute, accept, credit, close, ledger."

# verb -> (action, help, [(flag, field, required, help)])
VERBS: dict[str, tuple[ClaimAction, str, list[tuple[str, str, bool, str]]]] = {
    "submit": (ClaimAction.SUBMIT, "record that the claim was sent to the vendor", [
        ("--reference", "reference", True, "our claim reference (quoted on the invoice)"),
        ("--date", "date", False, "day it was sent (YYYY-MM-DD; default: today)")]),
    "acknowledge": (ClaimAction.ACKNOWLEDGE, "record the vendor's acknowledgement", []),
    "dispute": (ClaimAction.DISPUTE, "record that the vendor disputes the claim", [
        ("--reason", "reason", True, "the vendor's reason")]),
    "accept": (ClaimAction.ACCEPT, "record the amount the vendor accepted", [
        ("--amount", "amount", True, "accepted amount (may be less than owed)")]),
    "credit": (ClaimAction.CREDIT, "record the credit on a vendor invoice", [
        ("--invoice", "invoice_number", True, "invoice number"),
        ("--amount", "amount", True, "amount credited"),
        ("--date", "date", False, "invoice date (YYYY-MM-DD; default: today)")]),
    "close": (ClaimAction.CLOSE, "close a credited claim", []),
    "writeoff": (ClaimAction.WRITEOFF, "give the claim up", [
        ("--reason", "reason", True, "why it is written off")]),
}


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="URL", help="database URL (default: SLAMON_DATABASE_URL "
                   "or sqlite:///slamon.db)")
    p.add_argument("--json", action="store_true", help="print JSON on stdout")
    p.add_argument("--today", type=_day, metavar="YYYY-MM-DD",
                   help="the day overdue is judged on (default: today, UTC)")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="claims_command", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("list", help="list claims", description="claims, oldest period first")
    _common(p)
    p.add_argument("--vendor", help="only this vendor (company id)")
    p.add_argument("--contract", help="only this contract id")
    p.add_argument("--state", choices=[s.value for s in ClaimState], help="only this state")
    p.add_argument("--year", type=int, help="only periods of this year")
    p.add_argument("--overdue", action="store_true", help="only drafts past their deadline")
    p = sub.add_parser("show", help="one claim with its history", description="one claim")
    _common(p)
    p.add_argument("claim", help="claim id <contract>/<period>")
    for verb, (_, text, flags) in VERBS.items():
        p = sub.add_parser(verb, help=text, description=text)
        _common(p)
        p.add_argument("claim", help="claim id <contract>/<period>")
        for flag, dest, required, flag_help in flags:
            p.add_argument(flag, dest=f"field_{dest}", required=required, help=flag_help,
                           metavar=flag.removeprefix("--").upper())
        p.add_argument("--by", required=True, metavar="WHO", help="who records it")
        p.add_argument("--note", default="", help="anything worth keeping with the step")
        p.add_argument("--at", metavar="ISO", help="when it happened (ISO 8601 with offset; "
                       "default now)")
    p = sub.add_parser("ledger", help="owed, claimed, accepted, credited, written off and "
                       "outstanding per vendor and year", description="the claims ledger")
    _common(p)
    p.add_argument("--vendor", help="only this vendor (company id)")
    p.add_argument("--year", type=int, help="only this year")
    p.add_argument("--out", type=Path, metavar="FILE", help="write FILE.xlsx or FILE.json")
    p = sub.add_parser("invoices", help="imported invoice lines (`slamon import invoices`)",
                       description="imported invoice lines and the claims they credited")
    _common(p)
    p.add_argument("--unmatched", action="store_true", help="only lines left for review")


@contextmanager
def open_repository(db: str | None) -> Iterator[ClaimRepository]:
    from monitor.storage import Store

    store = Store.open(database_url(db))
    try:
        yield ClaimRepository(store)
    finally:
        store.close()


def _dump(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2)
    print()


def _print_claim(claim: Claim, today: date) -> None:
    print(f"{claim.id}  [{status_text(claim, today)}]  {claim.vendor}, {claim.period_label}")
    print(f"  owed:        {claim.owed} {claim.currency}, submit by {claim.deadline} "
          f"({_left(claim, today)})")
    for label, value in (("reference", claim.reference), ("submitted", claim.submitted_on),
                         ("disputed", claim.dispute_reason),
                         ("accepted", claim.accepted_amount),
                         ("credited", claim.credited_amount),
                         ("invoice", claim.invoice_number and
                          f"{claim.invoice_number} of {claim.invoice_date}"),
                         ("written off", claim.writeoff_reason)):
        if value is not None:
            print(f"  {label + ':':<12} {value}")
    print(f"  outstanding: {claim.outstanding} {claim.currency}")
    for e in claim.events:
        extra = ", ".join(f"{k}={v}" for k, v in e.fields.items())
        note = f"  ({e.note})" if e.note else ""
        print(f"  {e.at.isoformat()}  {e.action.value:<11} "
              f"{e.from_state.value if e.from_state else '-':>12} -> {e.to_state.value:<12} "
              f"by {e.by}{'  ' + extra if extra else ''}{note}")


def _left(claim: Claim, today: date) -> str:
    if claim.state is not ClaimState.DRAFT:
        return "submitted" if claim.submitted_on else claim.state.value
    days = claim.days_left(today)
    return f"OVERDUE by {-days} days" if days < 0 else f"{days} days left"


def _list(repo: ClaimRepository, args: argparse.Namespace, today: date) -> int:
    claims = repo.list(vendor=args.vendor, state=args.state, year=args.year,
                       contract_id=args.contract)
    if args.overdue:
        claims = [c for c in claims if c.is_overdue(today)]
    if args.json:
        _dump([claim_json(c, today) for c in claims])
        return 0
    for c in claims:
        print(f"{c.id}\t{status_text(c, today)}\t{c.owed} {c.currency}\t"
              f"due {c.deadline}\toutstanding {c.outstanding}")
    return 0


def _ledger(repo: ClaimRepository, args: argparse.Namespace, today: date) -> int:
    rows = [r for r in repo.ledgers(args.year, today)
            if args.vendor is None or r.vendor == args.vendor]
    if args.out is not None:
        from monitor.reports.ledger import write_ledger

        write_ledger(rows, args.out, today)
        print(f"wrote {args.out}", file=sys.stderr)
    if args.json:
        _dump([ledger_json(r) for r in rows])
        return 0
    head = ["vendor", "year", "cur", *LEDGER_COLUMNS, "overdue"]
    table = [[r.vendor, str(r.year), r.currency, *(str(getattr(r, k)) for k in LEDGER_COLUMNS),
              str(r.overdue)] for r in rows]
    widths = [max(len(x) for x in col) for col in zip(head, *table, strict=False)]
    for line in (head, *table):
        print("  ".join(x.ljust(w) if i < 3 else x.rjust(w)
                        for i, (x, w) in enumerate(zip(line, widths, strict=True))).rstrip())
    return 0


def _invoices(repo: ClaimRepository, args: argparse.Namespace) -> int:
    lines = repo.invoice_lines(unmatched=args.unmatched)
    if args.json:
        _dump([{"vendor": x.vendor, "invoice_number": x.invoice_number,
                "invoice_date": x.invoice_date.isoformat(), "text": x.text,
                "amount": str(x.amount), "source": x.source, "claim": x.claim_id,
                "matched_by": x.matched_by} for x in lines])
        return 0
    for x in lines:
        print(f"{x.source}\t{x.vendor}\t{x.invoice_number}\t{x.amount}\t{x.text}\t"
              f"{x.claim_id or 'UNMATCHED'}")
    return 0


def run(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    today = args.today or now.date()
    with open_repository(args.db) as repo:
        command = args.claims_command
        if command == "list":
            return _list(repo, args, today)
        if command == "ledger":
            return _ledger(repo, args, today)
        if command == "invoices":
            return _invoices(repo, args)
        if command == "show":
            claim = repo.get(args.claim)
            if claim is None:
                raise InputError(f"no claim {args.claim!r} (see `slamon claims list`)",
                                 column="claim")
        else:
            action = VERBS[command][0]
            at = parse_instant(args.at, "--at") if args.at else now
            fields = {k.removeprefix("field_"): v for k, v in vars(args).items()
                      if k.startswith("field_") and v is not None}
            claim = repo.apply(args.claim, action, by=args.by, at=at, note=args.note,
                               **fields)
    if args.json:
        _dump(claim_json(claim, today))
    else:
        _print_claim(claim, today)
    return 0
