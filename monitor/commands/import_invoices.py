"""`slamon import invoices FILE.csv`: credit lines of vendor invoices, matched to claims.

    slamon import invoices FILE.csv [--by WHO] [--db URL] [--json]

The file is checked whole first (`monitor/invoices.py`: a bad row exits 1, nothing is
imported). Each credit line is then matched to a claim (`monitor/domain/invoices.py`: by
the claim's reference in the line text, else by amount and period); a matched claim moves
to `credited` (accepted first if the vendor had not said so) and its line is stored with it
in one transaction. Unmatched credit lines are stored for review (`slamon claims invoices
--unmatched`) and listed on stdout with the reason. Re-importing a file stores and credits
nothing twice.

Exit codes: 0 every credit line matched (or was imported before); 4 the file was imported
but some credit lines are unmatched and wait for review; 1 a bad file (nothing imported).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

from monitor.config import database_url
from monitor.domain.invoices import match_lines
from monitor.invoices import read_invoice_lines
from monitor.storage import Store
from monitor.storage.claims_repository import ClaimRepository

EXIT_UNMATCHED = 4


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--by", default="invoice import", metavar="WHO",
                   help="who the claim events are recorded as (default: invoice import)")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")


def run(args: argparse.Namespace) -> int:
    lines = read_invoice_lines(args.file)
    now = datetime.now(UTC)
    store = Store.open(database_url(args.db))
    try:
        repo = ClaimRepository(store)
        stored = repo.stored_invoice_keys()
        fresh = [x for x in lines
                 if (x.vendor, x.invoice_number, x.text, str(x.amount)) not in stored]
        matches = match_lines(fresh, repo.list(), by=args.by, at=now)
        for m in matches:
            x = m.line
            repo.record_invoice_line(x.vendor, x.invoice_number, x.invoice_date, x.text,
                                     x.amount, x.source, now, claim_id=m.claim_id,
                                     matched_by=m.matched_by, steps=m.steps, by=args.by)
    finally:
        store.close()
    matched = [m for m in matches if m.claim_id]
    unmatched = [m for m in matches if not m.claim_id]
    if args.json:
        json.dump({"file": str(args.file), "lines": len(lines),
                   "already_imported": len(lines) - len(fresh),
                   "not_credit_lines": len(fresh) - len(matches),
                   "matched": [{"source": m.line.source, "claim": m.claim_id,
                                "by": m.matched_by, "amount": str(m.line.amount)}
                               for m in matched],
                   "unmatched": [{"source": m.line.source, "vendor": m.line.vendor,
                                  "invoice_number": m.line.invoice_number,
                                  "text": m.line.text, "amount": str(m.line.amount),
                                  "reason": m.reason} for m in unmatched]},
                  sys.stdout, indent=2)
        print()
    else:
        other = len(fresh) - len(matches)
        print(f"{args.file}: {len(lines)} lines, {len(lines) - len(fresh)} imported before, "
              f"{other} not credit lines, {len(matched)} credit line(s) matched, "
              f"{len(unmatched)} left for review")
        for m in matched:
            print(f"  {m.line.source}: {m.line.amount} -> claim {m.claim_id} credited "
                  f"(by {m.matched_by})")
        for m in unmatched:
            print(f"  {m.line.source}: UNMATCHED {m.line.vendor} {m.line.invoice_number} "
                  f"{m.line.amount} {m.line.text!r}: {m.reason}")
    return EXIT_UNMATCHED if unmatched else 0
