"""Claims at the scale of a large procurement team: reading them at scrape time, the
ledger, a transition, and matching an invoice file.

    python bench/claims.py [--claims 2000] [--lines 500] [--db sqlite|postgresql]

Drafts `--claims` claims (50 contracts x 40 monthly periods), submits half with a reference,
then times: `ClaimRepository.list()` plus every ledger and the exporter's open-claims read
(`StoreSource`'s `_claims`, done on every scrape), one `apply` (median of 50), and matching
`--lines` invoice credit lines (half by reference, half by amount and period) against all
claims. Yardsticks: the scrape budget of bench/scrape.py (100 ms for the whole scrape) and
1 s per 1,000 invoice lines for an interactive import.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bench.common import contract, drop_schema, fresh_store
from monitor.domain.claims import ledgers
from monitor.domain.invoices import InvoiceLine, match_lines
from monitor.exporter.store_source import _claims
from monitor.storage import Store
from monitor.storage.claims_repository import ClaimRepository

AT = datetime(2027, 6, 1, tzinfo=UTC)
SCRAPE_BUDGET = 0.100
MATCH_BUDGET_PER_1000 = 1.0


SCHEMA = "bench_claims"


def _store(kind: str, tmp: Path) -> Store:
    if kind == "postgresql":
        return fresh_store(SCHEMA)
    store = Store.open(f"sqlite:///{tmp / 'claims.db'}", check_revision=False)
    store.upgrade()
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=500)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = _store(args.db, Path(tmp))
        repo = ClaimRepository(store)
        contracts = [replace(contract(1), id=f"c{i:02d}", vendor=f"v{i % 10}")
                     for i in range(50)]
        periods = [f"{2024 + m // 12}-{m % 12 + 1:02d}" for m in range(40)]
        started = time.perf_counter()
        n = 0
        for c in contracts:
            for p in periods:
                if n == args.claims:
                    break
                repo.draft_for_period(c, p, Decimal(100 + n) / 4, date(2027, 12, 31), AT)
                if n % 2 == 0:
                    repo.apply(f"{c.id}/{p}", "submit", by="bench", at=AT, reference=f"R-{n}")
                n += 1
        drafting = time.perf_counter() - started
        started = time.perf_counter()
        claims = repo.list()
        rows = ledgers(claims, AT.date())
        listing = time.perf_counter() - started
        known = {c.id: c for c in contracts}
        started = time.perf_counter()
        open_, ledger_rows = _claims(store, known, AT)
        scrape = time.perf_counter() - started
        submitted = [c for c in claims if c.reference]
        lines = []
        for i, c in enumerate(submitted[:args.lines]):
            text = (f"credit {c.reference}" if i % 2 == 0
                    else f"service credit {c.period_label}")
            lines.append(InvoiceLine(f"inv.csv:{i + 2}", "INV", date(2027, 6, 1), c.vendor,
                                     text, -c.owed))
        started = time.perf_counter()
        matches = match_lines(lines, claims, by="bench", at=AT)
        matching = time.perf_counter() - started
        draft_ids = [c.id for c in claims if not c.reference][:50]
        times = []
        for i, cid in enumerate(draft_ids):
            t0 = time.perf_counter()
            repo.apply(cid, "submit", by="bench", at=AT + timedelta(seconds=i), reference="X")
            times.append(time.perf_counter() - t0)
        store.close()
        if args.db == "postgresql":
            drop_schema(SCHEMA)
    matched = sum(1 for m in matches if m.claim_id)
    print(f"database: {args.db}; claims: {len(claims)} ({len(submitted)} submitted), "
          f"ledger rows: {len(rows)}, open claims on /metrics: {len(open_)}")
    print(f"drafting + submitting: {drafting:.2f} s ({drafting / len(claims) * 1000:.2f} ms "
          "per claim)")
    print(f"list + ledgers: {listing * 1000:.1f} ms")
    print(f"scrape-time claims read: {scrape * 1000:.1f} ms = "
          f"{scrape / SCRAPE_BUDGET:.2f} x the 100 ms scrape budget "
          f"({len(ledger_rows)} ledger rows)")
    print(f"apply (submit), median of {len(times)}: {statistics.median(times) * 1000:.2f} ms")
    budget = MATCH_BUDGET_PER_1000 * len(lines) / 1000
    print(f"matching {len(lines)} lines against {len(claims)} claims: {matching * 1000:.0f} ms "
          f"({matched} matched) = {matching / budget:.2f} x the {budget:.2f} s budget")


if __name__ == "__main__":
    main()
