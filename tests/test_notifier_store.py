"""Sent-once over the real storage `Store` (SQLite), and the listing from the database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
import responses

from monitor.alerting.notifiers import RetryPolicy, notify_evaluation
from monitor.alerting.notifiers.store_log import StoreSentLog
from monitor.cli import main
from monitor.domain.contract import Contract, Status, Target
from monitor.domain.contract import Notifier as NotifierSpec
from monitor.domain.periods import period_for
from monitor.domain.results import Evaluation, Evidence, SlaResult
from monitor.storage import Store
from tests.metrics_samples import sample_contract

AT = datetime(2026, 11, 11, 15, 0, tzinfo=UTC)
HOOK = "http://127.0.0.1:9/hooks/acme"


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'slamon.db'}"


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    opened = Store.open(url, check_revision=False)
    opened.upgrade()
    yield opened
    opened.engine.dispose()


@pytest.fixture
def contract(tmp_path: Path) -> Contract:
    return replace(sample_contract(tmp_path), notifications=(
        NotifierSpec("webhook", "ACME_HOOK"),
    ))


def evaluation(contract: Contract, status: Status, value: str) -> Evaluation:
    result = SlaResult("service-level", "service_level", D(value), D(value), Target(D("0.8")),
                       status, Evidence(D(0), D(1), 1, D(0), "t"))
    return Evaluation(contract.id, period_for(contract, "2026-11"), AT, "open", (result,))


@responses.activate
def test_a_breach_and_its_recovery_each_go_out_once_across_restarts(
    store: Store, url: str, contract: Contract, capsys: pytest.CaptureFixture[str]
) -> None:
    responses.post(HOOK, status=200)
    env = {"ACME_HOOK": HOOK}
    policy = RetryPolicy(sleep=lambda s: None)
    breach = evaluation(contract, Status.BREACHED, "0.7")
    first = notify_evaluation(contract, breach, StoreSentLog(store), env, policy=policy)
    again = notify_evaluation(contract, breach, StoreSentLog(store), env, policy=policy)
    assert [o.status for o in first] == ["sent"]
    assert [o.status for o in again] == ["skipped"]
    recovered = evaluation(contract, Status.MET, "0.82")
    back = notify_evaluation(contract, recovered, StoreSentLog(store), env, policy=policy)
    assert [o.status for o in back] == ["sent"]
    assert len(responses.calls) == 2
    kinds = [r.kind for r in StoreSentLog(store).entries()]
    assert kinds == ["breach", "recovery"]
    assert main(["notifications", "--db", url, "--contract", "acme-2026"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["AT", "KIND", "CONTRACT", "SLA", "PERIOD", "CHANNEL", "STATUS",
                              "TRIES"]
    assert [line.split()[1:] for line in out[1:]] == [
        ["breach", "acme-2026", "service-level", "2026-11", "webhook:ACME_HOOK", "sent", "1"],
        ["recovery", "acme-2026", "service-level", "2026-11", "webhook:ACME_HOOK", "sent", "1"],
    ]


def test_a_met_sla_that_never_breached_sends_nothing(store: Store, contract: Contract) -> None:
    outcomes = notify_evaluation(contract, evaluation(contract, Status.MET, "0.9"),
                                 StoreSentLog(store), {"ACME_HOOK": HOOK})
    assert outcomes == []
