"""Claims in the service: drafted once when a period owing a credit becomes final (WE-10's
May default), with the deadline counted from the period's last day in the contract's zone;
one deadline notice per channel within the lead time."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import responses

from monitor.alerting.notifiers import RetryPolicy
from monitor.alerting.notifiers.store_log import StoreSentLog
from monitor.domain.claims import ClaimState
from monitor.domain.contract import Notifier
from monitor.exporter.store_source import StoreSource
from monitor.interchange import read_intervals
from monitor.service.claims import ClaimNotices
from monitor.service.pipeline import evaluate_once
from monitor.storage import Store
from monitor.storage.claims_repository import ClaimRepository
from tests.test_pipeline_history import CONTRACT, months_csv

HOOK = "https://hooks.example/claims"
WITH_WINDOW = replace(CONTRACT, claim_deadline_days=30, notifications=(
    Notifier(kind="webhook", target_env="CLAIMS_HOOK", on=("claims",)),
    Notifier(kind="webhook", target_env="BREACH_HOOK", on=("breach",))))


def six_months(store: Store, tmp_path: Path) -> None:
    store.save_contract(WITH_WINDOW)
    store.ingest_intervals(WITH_WINDOW, read_intervals(months_csv(tmp_path), WITH_WINDOW),
                           source="test")
    for month in range(2, 8):  # a pass early in each month, February to July
        evaluate_once(store, WITH_WINDOW, datetime(2026, month, 2, 12, tzinfo=UTC))


def test_a_final_period_owing_a_credit_gets_one_claim(store: Store, tmp_path: Path) -> None:
    six_months(store, tmp_path)
    repo = ClaimRepository(store)
    # January-April owe nothing; May owes WE-10's $36,000 default and became final on
    # 1 July 04:00 UTC (its end, 1 June 00:00 New York, + 30 days); June is provisional.
    (claim,) = repo.list()
    assert (claim.id, claim.vendor, claim.owed, claim.currency) == (
        "we10-we11/2026-05", "csv", Decimal("36000.00"), "USD")
    # May's last day in New York is 31 May (in UTC the period ends on 1 June): + 30 days
    assert claim.deadline == date(2026, 6, 30)
    assert claim.state is ClaimState.DRAFT
    evaluate_once(store, WITH_WINDOW, datetime(2026, 7, 2, 13, tzinfo=UTC))
    assert repo.list() == [claim]


@responses.activate
def test_the_deadline_notice_goes_once_within_the_lead_time(
        store: Store, tmp_path: Path) -> None:
    six_months(store, tmp_path)
    responses.post(HOOK, status=200)
    env = {"CLAIMS_HOOK": HOOK, "BREACH_HOOK": "https://hooks.example/breach"}
    now = [datetime(2026, 6, 23, 3, 59, tzinfo=UTC)]  # 22 June in New York: 8 days left
    hook = ClaimNotices(store, StoreSentLog(store), env, lambda: now[0],
                        RetryPolicy(sleep=lambda s: None))
    hook(WITH_WINDOW, None)
    assert len(responses.calls) == 0
    now[0] = datetime(2026, 6, 23, 4, 0, tzinfo=UTC)  # 23 June in New York: 7 days left
    hook(WITH_WINDOW, None)
    hook(WITH_WINDOW, None)
    ClaimNotices(store, StoreSentLog(store), env, lambda: now[0])(WITH_WINDOW, None)
    (call,) = responses.calls
    body = json.loads(call.request.body or b"")
    assert body["kind"] == "claim_deadline"
    assert body["summary"].startswith(
        "Claim we10-we11/2026-05: 36000.00 USD owed by csv for 2026-05 must be submitted by "
        "2026-06-30 (window closes in 7 days)")


@responses.activate
def test_a_provisional_period_owing_a_credit_is_announced_before_its_window_closes(
        store: Store, tmp_path: Path) -> None:
    # Nobody closed June: it owes $36,000 (74 % is under the 75 % minimum) and its window
    # ends 30 July (30 June + 30 days), when `slamon run` would make it final - too late.
    six_months(store, tmp_path)
    responses.post(HOOK, status=200)
    late_july = datetime(2026, 7, 23, 16, tzinfo=UTC)  # 23 July in New York: 7 days left
    ClaimNotices(store, StoreSentLog(store), {"CLAIMS_HOOK": HOOK, "BREACH_HOOK": "x"},
                 lambda: late_july)(WITH_WINDOW, None)
    (call,) = responses.calls
    summary = json.loads(call.request.body or b"")["summary"]
    assert summary.startswith("Claim we10-we11/2026-06: 36000.00 USD owed by csv for 2026-06 "
                              "must be submitted by 2026-07-30 (window closes in 7 days). "
                              "The period is not final yet: close it")
    assert [c.id for c in ClaimRepository(store).list()] == ["we10-we11/2026-05"]
    snap = StoreSource(store, [WITH_WINDOW]).snapshot(late_july)
    (june,) = [c for c in snap.claims if c.period == "2026-06"]
    # the window's last day ends at midnight New York time (EDT, UTC-4)
    assert (june.drafted, june.deadline) == (False, datetime(2026, 7, 31, 4, tzinfo=UTC))


@pytest.mark.parametrize("lead", [0, 3])
def test_the_lead_time_comes_from_the_contract(store: Store, tmp_path: Path,
                                               lead: int) -> None:
    six_months(store, tmp_path)
    contract = replace(WITH_WINDOW, claim_notice_days=lead)
    with responses.RequestsMock() as mock:
        mock.post(HOOK, status=200)
        sent = StoreSentLog(store)
        for day in range(23, 31):  # 23 to 30 June, noon in New York
            ClaimNotices(store, sent, {"CLAIMS_HOOK": HOOK, "BREACH_HOOK": "x"},
                         lambda d=day: datetime(2026, 6, d, 16, tzinfo=UTC))(contract, None)
        (call,) = mock.calls
    assert f"2026-06-30 (window closes {'today' if lead == 0 else 'in 3 days'})" in (
        json.loads(call.request.body or b"")["summary"])
