"""Direct notifications over the real Store (SQLite and PostgreSQL): a failed send is
retried on a later pass once its backoff has passed, of several workers exactly one
re-claims it, a send whose process died is taken over after `stale_after`, and
`slamon notifications` lists it all."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest
import responses

from monitor.alerting.notifiers import RetryPolicy, SentRecord, notify_evaluation
from monitor.alerting.notifiers.store_log import StoreSentLog
from monitor.commands.notifications import listing
from monitor.domain.contract import Contract, Status, Target
from monitor.domain.contract import Notifier as NotifierSpec
from monitor.domain.periods import period_for
from monitor.domain.results import Evaluation, Evidence, SlaResult
from monitor.storage import Store
from tests.metrics_samples import sample_contract

AT = datetime(2026, 11, 11, 15, 0, tzinfo=UTC)
HOOK = "http://127.0.0.1:9/hooks/acme"
ENV = {"ACME_HOOK": HOOK}
NO_SLEEP = RetryPolicy(attempts=2, sleep=lambda s: None)


@pytest.fixture
def contract(tmp_path: Path) -> Contract:
    return replace(sample_contract(tmp_path), notifications=(NotifierSpec("webhook", "ACME_HOOK"),))


def breached(contract: Contract) -> Evaluation:
    result = SlaResult("service-level", "service_level", D("0.7"), D("0.7"), Target(D("0.8")),
                       Status.BREACHED, Evidence(D(7), D(10), 1, D(0), "t"))
    return Evaluation(contract.id, period_for(contract, "2026-11"), AT, "open", (result,))


def record(channel: str = "webhook:ACME_HOOK") -> SentRecord:
    return SentRecord("slamon-abc", "breach", channel, "acme-2026", "service-level", "2026-11",
                      AT)


@responses.activate
def test_a_failed_send_is_retried_after_its_backoff_and_its_attempts_add_up(
        store: Store, contract: Contract) -> None:
    responses.post(HOOK, status=503)
    responses.post(HOOK, status=503)
    responses.post(HOOK, status=200)
    wall = [AT]

    def log() -> StoreSentLog:
        return StoreSentLog(store, wall=lambda: wall[0])

    first = notify_evaluation(contract, breached(contract), log(), ENV, policy=NO_SLEEP)
    assert [(o.status, o.attempts) for o in first] == [("failed", 2)]
    [row] = log().entries()
    assert (row.status, row.attempts, row.detail) == ("failed", 2, "HTTP 503")
    assert row.next_attempt_at == AT + timedelta(minutes=1)
    wall[0] = AT + timedelta(seconds=30)
    early = notify_evaluation(contract, breached(contract), log(), ENV, policy=NO_SLEEP)
    assert [(o.status, o.detail) for o in early] == [("waiting", "HTTP 503")]
    wall[0] = AT + timedelta(minutes=1)
    second = notify_evaluation(contract, breached(contract), log(), ENV, policy=NO_SLEEP)
    assert [(o.status, o.attempts) for o in second] == [("sent", 1)]
    third = notify_evaluation(contract, breached(contract), log(), ENV, policy=NO_SLEEP)
    assert [o.status for o in third] == ["skipped"]
    assert len(responses.calls) == 3
    [row] = log().entries()
    assert (row.status, row.attempts, row.detail, row.next_attempt_at) == ("sent", 3, "", None)
    lines = listing(log(), "acme-2026").splitlines()
    assert lines[1].split()[1:] == ["breach", "acme-2026", "service-level", "2026-11",
                                    "webhook:ACME_HOOK", "sent", "3"]


def test_of_several_workers_exactly_one_re_claims_a_failed_send(store: Store) -> None:
    log = StoreSentLog(store, wall=lambda: AT)
    assert log.claim(record())
    log.finish(record().key, "failed", 4, "HTTP 503")
    workers = 6
    barrier = threading.Barrier(workers)
    won: list[bool] = []

    def worker() -> None:
        mine = StoreSentLog(store, wall=lambda: AT + timedelta(minutes=1))
        barrier.wait()
        won.append(mine.claim(record()))

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(won) == [False] * (workers - 1) + [True]
    [row] = StoreSentLog(store).entries()
    assert (row.status, row.attempts, row.failures) == ("sending", 4, 1)


def test_a_send_whose_process_died_is_taken_over_only_once_it_is_stale(store: Store) -> None:
    wall = [AT]
    dead = StoreSentLog(store, stale_after=timedelta(minutes=15), wall=lambda: wall[0])
    assert dead.claim(record())  # ... and the process dies before `finish`
    other = StoreSentLog(store, stale_after=timedelta(minutes=15), wall=lambda: wall[0])
    wall[0] = AT + timedelta(minutes=15)
    assert not other.claim(record())
    wall[0] = AT + timedelta(minutes=15, seconds=1)
    assert other.claim(record())
    other.finish(record().key, "sent", 1, "")
    assert [(r.status, r.attempts) for r in StoreSentLog(store).entries()] == [("sent", 1)]


def test_the_store_lists_notifications_oldest_first_and_updates_only_the_expected_version(
        store: Store) -> None:
    assert store.record_notification("b", "breach", {"n": 1}, AT + timedelta(minutes=1), "x")
    assert store.record_notification("a", "breach", {"n": 2}, AT, "y")
    assert [(n.dedup_key, n.contract_id, n.payload) for n in store.notifications()] == [
        ("a", "y", {"n": 2}), ("b", "x", {"n": 1})]
    assert [n.dedup_key for n in store.notifications("x")] == ["b"]
    later = AT + timedelta(minutes=5)
    assert not store.update_notification("a", {"n": 3}, later, expect_at=later)
    assert store.update_notification("a", {"n": 3}, later, expect_at=AT)
    assert not store.update_notification("a", {"n": 4}, later + timedelta(1), expect_at=AT)
    got = store.notification("a")
    assert got is not None
    assert (got.payload, got.sent_at) == ({"n": 3}, later)
    assert store.notification("zz") is None
    assert not store.update_notification("zz", {}, later)
