"""Direct notifiers: payloads, retries, sent-once, e-mail over real SMTP, the listing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest
import responses

from monitor.alerting.notifiers import (
    BREACH,
    RECOVERY,
    JsonlSentLog,
    MemorySentLog,
    NotificationEvent,
    RetryPolicy,
    dispatch,
    notifiers_for,
)
from monitor.alerting.notifiers.events import events_for
from monitor.alerting.notifiers.mail import EmailNotifier
from monitor.alerting.notifiers.pagerduty import EVENTS_URL, PagerDutyNotifier
from monitor.alerting.notifiers.slack import SlackNotifier
from monitor.alerting.notifiers.webhook import WebhookNotifier
from monitor.commands.notifications import listing
from monitor.domain.contract import Notifier as NotifierSpec
from monitor.domain.contract import Status, Target
from monitor.domain.periods import period_for
from monitor.domain.results import Evaluation, Evidence, SlaResult
from monitor.errors import InputError
from tests.metrics_samples import sample_contract
from tests.smtp_sink import SmtpSink

AT = datetime(2026, 11, 11, 15, 0, tzinfo=UTC)
HOOK = "http://127.0.0.1:9/hooks/secret-token"


def event(kind: str = BREACH) -> NotificationEvent:
    return NotificationEvent(kind=kind, vendor="genesys-cloud", contract="acme-2026",
                             sla="service-level", period="2026-11", at=AT,
                             summary="service level 70% against 80%", value=0.7, target=0.8,
                             dashboard_url="http://grafana/d/x", runbook_url="http://rb/y")


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def test_the_dedup_key_is_stable_per_contract_sla_and_period() -> None:
    assert event(BREACH).dedup_key == event(RECOVERY).dedup_key
    assert event().dedup_key == "slamon-" + __import__("hashlib").sha256(
        b"slamon/acme-2026/service-level/2026-11").hexdigest()[:32]


@responses.activate
def test_webhook_posts_the_event_as_json() -> None:
    responses.post(HOOK, status=204)
    WebhookNotifier(HOOK).send(event())
    body = json.loads(responses.calls[0].request.body)  # type: ignore[arg-type]
    assert body["kind"] == "breach"
    assert body["sla"] == "service-level"
    assert body["at"] == "2026-11-11T15:00:00+00:00"
    assert body["dedup_key"] == event().dedup_key


@responses.activate
def test_slack_message_names_the_sla_and_links_dashboard_and_runbook() -> None:
    responses.post(HOOK, body="ok")
    SlackNotifier(HOOK).send(event())
    body = json.loads(responses.calls[0].request.body)  # type: ignore[arg-type]
    assert body["text"] == (":red_circle: BREACH: genesys-cloud / acme-2026 / service-level\n"
                            "service level 70% against 80%")
    attachment = body["attachments"][0]
    assert attachment["color"] == "danger"
    assert attachment["fields"][1]["value"] == "0.7 / 0.8"
    assert attachment["footer"] == "<http://grafana/d/x|dashboard> | <http://rb/y|runbook>"


@responses.activate
def test_pagerduty_triggers_then_resolves_the_same_incident() -> None:
    responses.post(EVENTS_URL, status=202, json={"status": "success"})
    notifier = PagerDutyNotifier("routing-key-1")
    notifier.send(event(BREACH))
    notifier.send(event(RECOVERY))
    trigger, resolve = (json.loads(c.request.body) for c in responses.calls)  # type: ignore[arg-type]
    assert trigger["event_action"] == "trigger"
    assert resolve["event_action"] == "resolve"
    assert trigger["dedup_key"] == resolve["dedup_key"] == event().dedup_key
    assert trigger["routing_key"] == "routing-key-1"
    assert trigger["payload"]["severity"] == "error"
    assert trigger["payload"]["source"] == "slamon/acme-2026"
    assert trigger["links"][0] == {"href": "http://grafana/d/x", "text": "dashboard"}
    assert "payload" not in resolve


@responses.activate
def test_a_transient_failure_is_retried_with_backoff_and_recorded_once() -> None:
    responses.post(HOOK, status=503)
    responses.post(HOOK, status=429, headers={"Retry-After": "7"})
    responses.post(HOOK, status=200)
    sleeps, log = Sleeps(), MemorySentLog()
    outcomes = dispatch(event(), [WebhookNotifier(HOOK)], log, RetryPolicy(sleep=sleeps))
    assert [(o.status, o.attempts) for o in outcomes] == [("sent", 3)]
    assert sleeps.calls == [1.0, 7.0]  # 1 s backoff, then the server's Retry-After
    again = dispatch(event(), [WebhookNotifier(HOOK)], log, RetryPolicy(sleep=sleeps))
    assert [(o.status, o.detail) for o in again] == [("skipped", "already sent")]
    assert len(responses.calls) == 3


@responses.activate
def test_a_permanent_failure_is_not_retried_and_may_be_tried_again_a_minute_later() -> None:
    responses.post(HOOK, status=404, body="no_service")
    now = [AT]
    sleeps, log = Sleeps(), MemorySentLog(wall=lambda: now[0])
    (outcome,) = dispatch(event(), [SlackNotifier(HOOK)], log, RetryPolicy(sleep=sleeps))
    assert (outcome.status, outcome.attempts, sleeps.calls) == ("failed", 1, [])
    assert outcome.detail == "HTTP 404: no_service"
    assert "secret-token" not in outcome.detail
    responses.replace(responses.POST, HOOK, body="ok")
    now[0] = AT + timedelta(seconds=59)
    (early,) = dispatch(event(), [SlackNotifier(HOOK)], log, RetryPolicy(sleep=sleeps))
    assert (early.status, early.detail) == ("waiting", "HTTP 404: no_service")
    now[0] = AT + timedelta(seconds=60)
    (retry,) = dispatch(event(), [SlackNotifier(HOOK)], log, RetryPolicy(sleep=sleeps))
    assert retry.status == "sent"
    assert len(responses.calls) == 2


@responses.activate
def test_giving_up_after_the_last_attempt() -> None:
    responses.post(HOOK, status=500)
    sleeps = Sleeps()
    (outcome,) = dispatch(event(), [WebhookNotifier(HOOK)], MemorySentLog(),
                          RetryPolicy(attempts=3, sleep=sleeps))
    assert (outcome.status, outcome.attempts, sleeps.calls) == ("failed", 3, [1.0, 2.0])


def test_email_goes_through_a_real_smtp_conversation() -> None:
    with SmtpSink() as sink:
        notifier = EmailNotifier(f"smtp://127.0.0.1:{sink.port}", ("vm@example.org",),
                                 sender="slamon@example.org")
        (outcome,) = dispatch(event(), [notifier], MemorySentLog(), RetryPolicy(sleep=Sleeps()))
    assert outcome.status == "sent"
    ((sender, rcpts, msg),) = sink.messages
    assert (sender, rcpts) == ("slamon@example.org", ["vm@example.org"])
    assert msg["Subject"] == "[slamon] genesys-cloud / acme-2026 / service-level breached (2026-11)"
    body = msg.get_payload()
    assert "Attainment: 0.7 (target 0.8)" in str(body)
    assert f"Reference: {event().dedup_key}" in str(body)


@pytest.mark.parametrize(
    ("code", "status", "attempts"),
    [
        pytest.param(451, "failed", 2, id="a 4xx SMTP reply is transient and retried"),
        pytest.param(550, "failed", 1, id="a 5xx SMTP reply is permanent"),
    ],
)
def test_smtp_errors_are_classified_by_reply_code(code: int, status: str, attempts: int) -> None:
    with SmtpSink(reject_with=code) as sink:
        notifier = EmailNotifier(f"smtp://127.0.0.1:{sink.port}", ("vm@example.org",))
        (outcome,) = dispatch(event(), [notifier], MemorySentLog(),
                              RetryPolicy(attempts=2, sleep=Sleeps()))
    assert (outcome.status, outcome.attempts, outcome.detail) == (status, attempts, f"SMTP {code}")


def test_events_breach_once_and_recover_only_after_a_sent_breach(tmp_path: Path) -> None:
    contract = sample_contract(tmp_path)
    period = period_for(contract, "2026-11")

    def evaluation(status: Status, value: str) -> Evaluation:
        result = SlaResult("service-level", "service_level", D(value), D(value),
                           Target(D("0.8")), status, Evidence(D(0), D(1), 1, D(0), "t"))
        return Evaluation(contract.id, period, AT, "open", (result,))

    log = MemorySentLog()
    assert events_for(contract, evaluation(Status.MET, "0.85"), log) == []
    (breach,) = events_for(contract, evaluation(Status.BREACHED, "0.7"), log)
    assert breach.kind == BREACH
    assert breach.value == 0.7
    assert breach.summary == ("genesys-cloud / acme-2026 / service-level is breached in 2026-11: "
                              "0.7 against 0.8 (min)")
    sent = Sleeps()
    with SmtpSink() as sink:
        notifier = EmailNotifier(f"smtp://127.0.0.1:{sink.port}", ("vm@example.org",))
        dispatch(breach, [notifier], log, RetryPolicy(sleep=sent))
        (recovery,) = events_for(contract, evaluation(Status.MET, "0.81"), log)
        dispatch(recovery, [notifier], log, RetryPolicy(sleep=sent))
        assert [m["Subject"].split()[-2] for _, _, m in sink.messages] == ["breached", "recovered"]


def test_notifiers_come_from_the_contract_and_the_environment(tmp_path: Path) -> None:
    contract = sample_contract(tmp_path)
    from dataclasses import replace
    contract = replace(contract, notifications=(
        NotifierSpec("slack", "ACME_SLACK_URL"),
        NotifierSpec("pagerduty", "ACME_PD_KEY", on=("breach",)),
    ))
    built = notifiers_for(contract, {"ACME_SLACK_URL": HOOK, "ACME_PD_KEY": "k"}, RECOVERY)
    assert [n.channel for n in built] == ["slack:ACME_SLACK_URL"]
    with pytest.raises(InputError, match="environment variable ACME_PD_KEY is not set"):
        notifiers_for(contract, {"ACME_SLACK_URL": HOOK})


@responses.activate
def test_the_listing_shows_each_send_and_survives_a_restart(tmp_path: Path) -> None:
    responses.post(HOOK, status=200)
    path = tmp_path / "sent.jsonl"
    dispatch(event(), [WebhookNotifier(HOOK, channel="webhook:ACME_HOOK")], JsonlSentLog(path),
             RetryPolicy(sleep=Sleeps()))
    reopened = JsonlSentLog(path)
    assert listing(reopened) == (
        "AT                         KIND    CONTRACT   SLA            PERIOD   CHANNEL"
        "            STATUS  TRIES\n"
        "2026-11-11T15:00:00+00:00  breach  acme-2026  service-level  2026-11  webhook:ACME_HOOK"
        "  sent    1\n"
    )
    row = json.loads(listing(reopened, as_json=True))
    assert (row["status"], row["dedup_key"]) == ("sent", event().dedup_key)
    assert listing(reopened, contract="other").count("\n") == 1  # the header only
