"""`slamon notifications`: what was sent to whom (breaches and recoveries), oldest first.

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
    parser.add_argument("--json", action="store_true", help="one JSON object per line")


def render(records: list[SentRecord], as_json: bool) -> str:
    if as_json:
        return "".join(json.dumps({
            "at": r.claimed_at.isoformat(), "kind": r.kind, "contract": r.contract,
            "sla": r.sla, "period": r.period, "channel": r.channel, "status": r.status,
            "attempts": r.attempts, "dedup_key": r.dedup_key, "detail": r.detail,
        }) + "\n" for r in records)
    header = ("AT", "KIND", "CONTRACT", "SLA", "PERIOD", "CHANNEL", "STATUS", "TRIES")
    rows = [header] + [
        (r.claimed_at.isoformat(timespec="seconds"), r.kind, r.contract, r.sla, r.period,
         r.channel, r.status, str(r.attempts)) for r in records
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n"
                   for row in rows)


def listing(log: SentLog, contract: str | None = None, as_json: bool = False) -> str:
    records = [r for r in log.entries() if contract is None or r.contract == contract]
    return render(records, as_json)


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
    print(listing(log, args.contract, args.json), end="")
    return 0
