"""Case notices through the real notifiers: e-mail over a real SMTP conversation."""

from __future__ import annotations

from dataclasses import replace
from email.message import Message

from monitor.alerting.notifiers import MemorySentLog, RetryPolicy
from monitor.cases.model import Action
from monitor.cases.notify import CaseSender
from monitor.cases.repository import InMemoryCaseRepository, InMemorySentLog
from monitor.cases.service import tick
from monitor.cases.workflow import transition
from tests.smtp_sink import SmtpSink
from tests.test_cases_workflow import BREACH_NOV, CONTRACT, ny, opened

NO_WAIT = RetryPolicy(attempts=2, sleep=lambda s: None)


def subject(msg: Message) -> str:
    """The Subject header unfolded (long ones are folded over lines on the wire)."""
    return " ".join(str(msg["Subject"]).split())


def test_the_breach_notice_is_mailed_to_both_contacts_with_the_evidence() -> None:
    repo, log = InMemoryCaseRepository(), InMemorySentLog()
    with SmtpSink() as sink:
        send = CaseSender(CONTRACT, MemorySentLog(),
                          {"SLAMON_SMTP_URL": f"smtp://127.0.0.1:{sink.port}",
                           "SLAMON_SMTP_FROM": "slamon@acme.example"}, NO_WAIT)
        for _ in range(2):
            tick(CONTRACT, repo, log, send, ny(2026, 11, 25, 12), [BREACH_NOV])
    ((sender, rcpts, msg),) = sink.messages
    assert (sender, rcpts) == ("slamon@acme.example", ["tam@vendor.example", "vm@acme.example"])
    assert subject(msg) == ("[slamon] amazon-connect / acme / service-level-voice "
                              "case opened (2026-11)")
    body = str(msg.get_payload())
    assert "Evidence: 72.50% against target at least 80.00% (breached)" in body
    assert "Case: acme/service-level-voice/2026-11" in body


def test_an_unreachable_mail_server_leaves_the_notice_for_the_next_pass() -> None:
    repo, log = InMemoryCaseRepository([opened()]), InMemorySentLog()
    wall = [ny(2026, 11, 25, 12)]
    with SmtpSink(reject_with=451) as sink:
        send = CaseSender(CONTRACT, MemorySentLog(wall=lambda: wall[0]),
                          {"SLAMON_SMTP_URL": f"smtp://127.0.0.1:{sink.port}"}, NO_WAIT)
        assert tick(CONTRACT, repo, log, send, ny(2026, 11, 25, 12)) == []
    assert log.sent == {}
    wall[0] = ny(2026, 11, 25, 13)  # past the first retry's backoff (1 min)
    with SmtpSink() as sink:
        send = replace(send, environ={"SLAMON_SMTP_URL": f"smtp://127.0.0.1:{sink.port}"})
        sent = tick(CONTRACT, repo, log, send, ny(2026, 11, 25, 13))
    assert [e.key for e in sent] == ["acme/service-level-voice/2026-11#0:open"]
    assert len(sink.messages) == 1


def test_each_transition_is_mailed_once() -> None:
    repo, log = InMemoryCaseRepository([opened()]), InMemorySentLog()
    with SmtpSink() as sink:
        send = CaseSender(CONTRACT, MemorySentLog(),
                          {"SLAMON_SMTP_URL": f"smtp://127.0.0.1:{sink.port}"}, NO_WAIT)
        tick(CONTRACT, repo, log, send, ny(2026, 11, 25, 12))
        repo.save([transition(opened(), Action.ACKNOWLEDGE, "tam", ny(2026, 11, 26, 9))])
        for _ in range(3):
            tick(CONTRACT, repo, log, send, ny(2026, 11, 26, 10))
    assert [subject(m).rsplit(" / ", 1)[1] for _, _, m in sink.messages] == [
        "service-level-voice case opened (2026-11)",
        "service-level-voice case acknowledged (2026-11)",
    ]
