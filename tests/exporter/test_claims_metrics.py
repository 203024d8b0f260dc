"""The claims on /metrics, read from the database at scrape time: the ledger per vendor
and year, open claims per state, overdue drafts and each draft's window end."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from prometheus_client import generate_latest

from monitor.domain.claims import OPEN_STATES
from monitor.exporter import metrics
from monitor.exporter.server import build_registry
from monitor.exporter.snapshot import StaticSource
from monitor.exporter.store_source import StoreSource
from monitor.storage import Store
from monitor.storage.claims_repository import ClaimRepository
from tests.metrics_samples import small_snapshot
from tests.storage.test_claims_storage import CONTRACT, drafted

LEDGER = '{contract="acme-connect-2026",currency="EUR",vendor="acme",year="2026"}'


def test_the_ledger_and_open_claims_are_exposed(store: Store) -> None:
    repo = ClaimRepository(store)
    drafted(repo)  # 2026-10, 1250.00 EUR, window ends 30 November
    drafted(repo, "80.00", "2026-11")
    at = datetime(2026, 12, 1, 12, tzinfo=UTC)
    repo.apply("acme-connect-2026/2026-11", "submit", by="a", at=at, reference="R")
    repo.apply("acme-connect-2026/2026-11", "accept", by="a", at=at, amount="60.00")
    repo.apply("acme-connect-2026/2026-11", "credit", by="a", at=at, invoice_number="I",
               amount="60.00")
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)  # 1 December 07:00 in New York
    snap = StoreSource(store, [CONTRACT]).snapshot(now)
    (draft,) = [c for c in snap.claims if c.state == "draft"]
    # 30 November ends at midnight New York time (EST, UTC-5): 1 December 05:00 UTC
    assert draft.deadline == datetime(2026, 12, 1, 5, tzinfo=UTC)
    assert draft.overdue
    text = generate_latest(build_registry(StoreSource(store, [CONTRACT]),
                                          clock=lambda: now)).decode()
    for line in (
        f"slamon_claims_owed{LEDGER} 1330.0",
        f"slamon_claims_claimed{LEDGER} 80.0",
        f"slamon_claims_credited{LEDGER} 60.0",
        f"slamon_claims_outstanding{LEDGER} 1270.0",
        'slamon_claims_open{contract="acme-connect-2026",state="draft",vendor="acme"} 1.0',
        'slamon_claims_overdue{contract="acme-connect-2026",vendor="acme"} 1.0',
        'slamon_claims_deadline_timestamp_seconds{contract="acme-connect-2026",'
        'period="2026-10",vendor="acme"} 1.7961012e+09',
    ):
        assert line + "\n" in text, line
    assert 'state="credited"' not in text  # credited is not open: no open-claims series


def test_a_contract_without_claims_shows_a_zero_ledger_and_no_open_claims(
        store: Store) -> None:
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    store.save_contract(CONTRACT)
    text = generate_latest(build_registry(StoreSource(store, [CONTRACT]),
                                          clock=lambda: now)).decode()
    # nothing stored yet: a zero ledger for the year of the scrape
    assert f"slamon_claims_owed{LEDGER} 0.0\n" in text
    snap = replace(small_snapshot(), claims=(), ledgers=())
    text = generate_latest(build_registry(StaticSource(snap), clock=lambda: now)).decode()
    zero = '{contract="acme-2026",currency="USD",vendor="genesys-cloud",year="2026"} 0.0'
    assert f"slamon_claims_owed{zero}\n" in text
    assert f"slamon_claims_outstanding{zero}\n" in text
    assert ('slamon_claims_open{contract="acme-2026",state="draft",vendor="genesys-cloud"} '
            "0.0\n") in text
    assert 'slamon_claims_overdue{contract="acme-2026",vendor="genesys-cloud"} 0.0\n' in text


def test_the_exporter_names_the_open_states_of_the_domain() -> None:
    assert set(metrics.OPEN_STATES) == {s.value for s in OPEN_STATES}
