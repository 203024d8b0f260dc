"""Notices that cannot be delivered: recorded once with the reason, retried with backoff,
listed by `slamon notifications --failed`, counted on /metrics, and logged once per notice.

The case of the issue: `slamon run` with `SLAMON_SMTP_URL` unset logged the same
undeliverable case notice on every pass (131 warnings in 40 s) and `slamon notifications`
did not list it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from monitor.alerting.notifiers import RetryPolicy
from monitor.alerting.notifiers.sentlog import retry_delay
from monitor.alerting.notifiers.store_log import StoreSentLog
from monitor.cases.hook import CaseHook
from monitor.cli import main
from monitor.domain.results import Evaluation, PeriodCredits
from monitor.exporter.metrics import SlamonMetrics
from monitor.exporter.store_source import StoreSource
from monitor.storage import Store
from monitor.storage.cases_repository import CaseStoreSentLog, StoreCaseRepository
from tests.smtp_sink import SmtpSink
from tests.test_cases_workflow import BREACH_NOV, CONTRACT, ny

OPENED = "acme/service-level-voice/2026-11"
MAIL = "email:tam@vendor.example,vm@acme.example"


@dataclass(frozen=True)
class Outcome:
    evaluations: tuple[Evaluation, ...]
    credits: tuple[PeriodCredits, ...] = ()


@pytest.mark.parametrize(("failures", "wait"), [
    pytest.param(1, timedelta(minutes=1), id="one minute after the first failed pass"),
    pytest.param(2, timedelta(minutes=2), id="then doubling"),
    pytest.param(9, timedelta(minutes=256), id="256 min after the ninth"),
    pytest.param(10, timedelta(hours=6), id="never more than 6 h apart"),
    pytest.param(10_000, timedelta(hours=6), id="however long it lasts"),
])
def test_the_backoff_between_passes(failures: int, wait: timedelta) -> None:
    assert retry_delay(failures) == wait


def passes(store: Store, env: dict[str, str], clock: list[datetime], minutes: range) -> None:
    """One hook call per minute of `minutes` after 12:00 (as `slamon run` after each
    evaluation); the data clock and the sent-log's wall clock move together."""
    hook = CaseHook([CONTRACT], StoreCaseRepository(store), CaseStoreSentLog(store),
                    StoreSentLog(store, wall=lambda: clock[0]), env, lambda: clock[0],
                    policy=RetryPolicy(sleep=lambda s: None))
    for minute in minutes:
        clock[0] = ny(2026, 11, 25, 12) + timedelta(minutes=minute)
        hook(CONTRACT, Outcome((BREACH_NOV,)))


def test_a_notice_without_an_smtp_server_is_recorded_once_and_logged_once(
        store: Store, store_url: str, caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str]) -> None:
    clock = [ny(2026, 11, 25, 12)]
    with caplog.at_level(logging.DEBUG):
        passes(store, {}, clock, range(40))  # 40 passes, one a minute
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    # Two notices are due (the case opening and October's vendor statement): one line each.
    assert len(warnings) == 2
    assert all(w.startswith("event=notification_undeliverable ") for w in warnings)
    assert all(w.endswith("error=e-mail needs an SMTP server: SLAMON_SMTP_URL is not set")
               for w in warnings)
    rows = {r.kind: r for r in StoreSentLog(store).entries()}
    opened = rows["case_opened"]
    # Tried at 12:00, then 1, 2, 4, 8 and 16 min after each failure: 12:01, :03, :07, :15, :31.
    assert (opened.channel, opened.status, opened.attempts, opened.failures) == (
        MAIL, "failed", 6, 6)
    assert opened.next_attempt_at == ny(2026, 11, 25, 12, 31) + timedelta(minutes=32)

    assert main(["notifications", "--db", store_url, "--failed", "--json"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(x["kind"], x["status"], x["detail"], x["next_attempt_at"]) for x in listed] == [
        ("case_opened", "failed", "e-mail needs an SMTP server: SLAMON_SMTP_URL is not set",
         "2026-11-25T13:03:00-05:00"),
        ("vendor_statement", "failed",
         "e-mail needs an SMTP server: SLAMON_SMTP_URL is not set",
         "2026-11-25T13:03:00-05:00"),
    ]
    assert main(["notifications", "--db", store_url, "--failed"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[-3:] == ["NEXT", "TRY", "REASON"]
    assert table[1].endswith("e-mail needs an SMTP server: SLAMON_SMTP_URL is not set")

    registry = CollectorRegistry()
    registry.register(SlamonMetrics(StoreSource(store, [CONTRACT]), clock=lambda: clock[0]))
    assert ('slamon_notifications_undelivered{channel="email",contract="acme",'
            'vendor="amazon-connect"} 2.0') in generate_latest(registry).decode()


def test_once_the_server_is_configured_the_waiting_notice_goes_out_once(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    clock = [ny(2026, 11, 25, 12)]
    passes(store, {}, clock, range(1))
    with SmtpSink() as sink, caplog.at_level(logging.INFO):
        env = {"SLAMON_SMTP_URL": f"smtp://127.0.0.1:{sink.port}"}
        passes(store, env, clock, range(0, 1))  # still waiting for its retry: nothing sent
        assert sink.messages == []
        passes(store, env, clock, range(1, 4))
    subjects = sorted(" ".join(str(m["Subject"]).split()) for _, _, m in sink.messages)
    assert subjects == [
        "[slamon] amazon-connect / acme / performance vendor statement (2026-10)",
        "[slamon] amazon-connect / acme / service-level-voice case opened (2026-11)"]
    rows = StoreSentLog(store).entries()
    assert {(r.channel, r.status, r.attempts, r.failures) for r in rows} == {
        (MAIL, "sent", 2, 1)}
    delivered = [r.getMessage() for r in caplog.records
                 if r.getMessage().startswith("event=notification_delivered")]
    assert len(delivered) == 2
    assert "kind=case_opened contract=acme sla=service-level-voice" in " ".join(delivered)
    assert [c.id for c in StoreCaseRepository(store).list()] == [OPENED]


def test_a_statement_for_two_contracts_counts_for_each_and_sent_ones_do_not_count() -> None:
    from dataclasses import replace as dc_replace

    from monitor.exporter.store_source import _undelivered
    from monitor.storage.state import StoredNotification

    other = dc_replace(CONTRACT, id="acme-2")
    at = ny(2026, 11, 25, 12)

    def row(contract: str, status: str) -> StoredNotification:
        return StoredNotification("k", "vendor_statement", contract, at, {
            "contract": contract, "channel": MAIL, "status": status})

    class Rows:
        def notifications(self) -> list[StoredNotification]:
            return [row("acme,acme-2", "failed"), row("acme", "sent"),
                    StoredNotification("case-key", "case", "acme", at, {"at": "x"})]

    counts = {(n.contract, n.channel): n.undelivered
              for n in _undelivered(Rows(), {"acme": CONTRACT, "acme-2": other})}  # type: ignore[arg-type]
    assert counts == {("acme", "email"): 1, ("acme-2", "email"): 1}
