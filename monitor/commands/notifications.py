"""`slamon notifications`: what was sent to whom (breaches, recoveries, case notices), oldest
first; `--failed` lists only those that could not be delivered, with the reason and when
they are tried again.

Reads the database (--db, else SLAMON_DATABASE_URL, else sqlite:///slamon.db), or with
--log the JSON-lines sent-log of a setup without a database."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from monitor.alerting.notifiers.sentlog import JsonlSentLog, SentLog, SentRecord
from monitor.errors import InputError

HELP = "list the notifications sent, and those that could not be delivered"
DEFAULT_LOG = Path("slamon-notifications.jsonl")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", help="database URL (default: SLAMON_DATABASE_URL "
                        "or sqlite:///slamon.db)")
    parser.add_argument("--log", type=Path,
                        help=f"a JSON-lines sent-log instead of the database (e.g. {DEFAULT_LOG})")
    parser.add_argument("--contract", help="only this contract")
    parser.add_argument("--failed", action="store_true",
                        help="only the notifications that could not be delivered (with the "
                        "reason and the next try)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")


def render(records: list[SentRecord], as_json: bool, reasons: bool = False) -> str:
    if as_json:
        return "".join(json.dumps({
            "at": r.claimed_at.isoformat(), "kind": r.kind, "contract": r.contract,
            "sla": r.sla, "period": r.period, "channel": r.channel, "status": r.status,
            "attempts": r.attempts, "dedup_key": r.dedup_key, "detail": r.detail,
            "next_attempt_at": (None if r.next_attempt_at is None
                                else r.next_attempt_at.isoformat()),
        }) + "\n" for r in records)
    header: tuple[str, ...] = ("AT", "KIND", "CONTRACT", "SLA", "PERIOD", "CHANNEL", "STATUS",
                               "TRIES")
    rows: list[tuple[str, ...]] = [
        (r.claimed_at.isoformat(timespec="seconds"), r.kind, r.contract, r.sla, r.period,
         r.channel, r.status, str(r.attempts)) for r in records]
    if reasons:
        header += ("NEXT TRY", "REASON")
        rows = [(*row, "-" if r.next_attempt_at is None
                 else r.next_attempt_at.isoformat(timespec="seconds"), r.detail)
                for row, r in zip(rows, records, strict=True)]
    table = [header, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return "".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n"
                   for row in table)


def listing(log: SentLog, contract: str | None = None, as_json: bool = False,
            failed: bool = False) -> str:
    records = [r for r in log.entries() if (contract is None or r.contract == contract)
               and (not failed or r.status == "failed")]
    return render(records, as_json, reasons=failed)


def run(args: argparse.Namespace) -> int:
    log: SentLog
    if args.log is not None:
        if not args.log.is_file():
            raise InputError(f"{str(args.log)!r}: no such file", column="--log")
        log = JsonlSentLog(args.log)
    else:
        from monitor.alerting.notifiers.store_log import StoreSentLog
        from monitor.config import database_url
        from monitor.storage import Store

        log = StoreSentLog(Store.open(database_url(args.db)))
    print(listing(log, args.contract, args.json, args.failed), end="")
    return 0
