"""What the case process tells people: breach notices, statements, overdue counts, JSON."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from monitor.cases.events import CaseEvent, EventKind, timeline_events
from monitor.cases.model import Action
from monitor.cases.repository import InMemoryCaseRepository, InMemorySentLog
from monitor.cases.service import deliver, statement_tick, tick
from monitor.cases.statements import StatementItem, statement_due, statement_event
from monitor.cases.views import case_json, overdue_counts, with_causes
from monitor.cases.workflow import transition
from monitor.domain.contract import Status
from monitor.domain.patterns import RecurringCause
from tests.test_cases_workflow import (
    BREACH_NOV,
    CONTRACT,
    evaluation,
    make_contract,
    ny,
    opened,
    result,
)


def test_the_breach_notice_goes_to_the_vendor_contact_with_the_evidence() -> None:
    (notice,) = timeline_events(opened(), CONTRACT)
    assert notice.kind is EventKind.BREACH_NOTICE
    assert notice.key == "acme/service-level-voice/2026-11#0:open"
    assert notice.to == ("tam@vendor.example", "vm@acme.example")
    assert notice.summary == "ACME voice: service-level-voice breached for 2026-11"
    assert notice.body.splitlines() == [
        "Contract: ACME voice (acme)",
        "SLA: service-level-voice  period: 2026-11",
        "Evidence: 72.50% against target at least 80.00% (breached)",
        "Case: acme/service-level-voice/2026-11",
    ]
    assert notice.labels == {"kind": "case_opened", "contract": "acme",
                             "sla": "service-level-voice", "period": "2026-11",
                             "case": "acme/service-level-voice/2026-11"}


def test_a_failed_send_is_retried_on_the_next_pass_and_then_sent_once() -> None:
    log = InMemorySentLog()
    events = timeline_events(opened(), CONTRACT)
    sent: list[str] = []

    def broken(event: object) -> None:
        raise ConnectionError("smtp down")

    with pytest.raises(ConnectionError):
        deliver(events, log, broken, ny(2026, 11, 25, 11))
    assert log.sent == {}
    for _ in range(2):
        deliver(events, log, lambda e: sent.append(e.key), ny(2026, 11, 25, 12))
    assert sent == ["acme/service-level-voice/2026-11#0:open"]
    assert log.sent == {"acme/service-level-voice/2026-11#0:open": ny(2026, 11, 25, 12)}


def test_re_running_a_pass_opens_no_second_case_and_sends_nothing_twice() -> None:
    repo, log = InMemoryCaseRepository(), InMemorySentLog()
    sent: list[str] = []
    for _ in range(3):
        tick(CONTRACT, repo, log, lambda e: sent.append(e.key), ny(2026, 11, 25, 12),
             [BREACH_NOV])
    assert [c.id for c in repo.list()] == ["acme/service-level-voice/2026-11"]
    assert sent == ["acme/service-level-voice/2026-11#0:open"]


def test_a_manual_transition_is_notified_once_on_the_next_pass() -> None:
    repo, log = InMemoryCaseRepository([opened()]), InMemorySentLog()
    sent: list[str] = []
    tick(CONTRACT, repo, log, lambda e: sent.append(e.kind.value), ny(2026, 11, 25, 12))
    repo.save([transition(opened(), Action.ACKNOWLEDGE, "tam", ny(2026, 11, 25, 13), "ok")])
    for _ in range(2):
        tick(CONTRACT, repo, log, lambda e: sent.append(e.kind.value), ny(2026, 11, 25, 14))
    assert sent == ["case_opened", "case_acknowledged"]


# --- statements -------------------------------------------------------------------------

NOV_FINAL = evaluation("2026-11", ny(2026, 12, 2, 6), "final",
                       result("service-level-voice", Status.BREACHED, "0.71"),
                       result("asa", Status.MET, "21"))


def test_the_statement_deadline_counts_business_days_after_the_period() -> None:
    """November ends Monday 30th; 5 business days: 1-4 and 7 December -> due 8 Dec 00:00."""
    assert statement_due(CONTRACT, "2026-11") == ny(2026, 12, 8)
    elapsed = make_contract(False)
    assert statement_due(elapsed, "2026-11") == ny(2026, 12, 6)


def test_the_statement_waits_for_closed_figures_then_goes_out_with_them() -> None:
    items = [StatementItem(CONTRACT, BREACH_NOV)]
    assert statement_event("amazon-connect", "2026-11", items, [], [], ny(2026, 11, 30)) is None
    assert statement_event("amazon-connect", "2026-11", items, [], [], ny(2026, 12, 2)) is None
    case = opened()
    cause = RecurringCause("time_band", "service-level-voice", "Mon 08:00-10:00",
                           ("2026-09", "2026-10", "2026-11"),
                           (Decimal("0.01"), Decimal("0.01"), Decimal("0.02")))
    event = statement_event("amazon-connect", "2026-11", [StatementItem(CONTRACT, NOV_FINAL)],
                            [case], [cause], ny(2026, 12, 2, 7))
    assert event is not None
    assert (event.kind, event.key, event.at) == (
        EventKind.STATEMENT, "statement/amazon-connect/2026-11", ny(2026, 12, 2, 7))
    assert event.to == ("tam@vendor.example", "vm@acme.example")
    assert event.body.splitlines() == [
        "Performance statement for amazon-connect, 2026-11",
        "Contract ACME voice (acme):",
        "  service-level-voice: 71.00% against target at least 80.00% (breached)",
        "  asa: 21.00s against target at most 30.00s (met)",
        "Open performance issues:",
        "  acme/service-level-voice/2026-11: open since 2026-11-25T10:00:00-05:00",
        "Recurring causes (by attainment cost):",
        "  service-level-voice: Mon 08:00-10:00 fails in 2026-09, 2026-10, 2026-11; "
        "costs 1.33 points a period",
    ]


def test_at_the_deadline_the_statement_goes_out_even_without_figures() -> None:
    items = [StatementItem(CONTRACT, None)]
    assert statement_event("amazon-connect", "2026-11", items, [], [],
                           ny(2026, 12, 7, 23)) is None
    event = statement_event("amazon-connect", "2026-11", items, [], [], ny(2026, 12, 8))
    assert event is not None
    assert "  figures not available by the reporting deadline" in event.body.splitlines()


def test_a_statement_is_recorded_as_sent_once() -> None:
    log, sent = InMemorySentLog(), list[CaseEvent]()
    for hour in (7, 8, 9):
        event = statement_event("amazon-connect", "2026-11",
                                [StatementItem(CONTRACT, NOV_FINAL)], [], [],
                                ny(2026, 12, 2, hour))
        assert event is not None
        deliver([event], log, sent.append, ny(2026, 12, 2, hour))
    assert [e.key for e in sent] == ["statement/amazon-connect/2026-11"]
    assert log.sent == {"statement/amazon-connect/2026-11": ny(2026, 12, 2, 7)}


# --- views ------------------------------------------------------------------------------

def test_overdue_counts_feed_the_gauge_per_contract() -> None:
    other = make_contract()
    other = replace(other, id="beta")
    late = opened()
    resolved = transition(replace(opened(), sla_id="asa"), Action.RESOLVE, "vm",
                          ny(2026, 11, 26))
    fresh = replace(opened(), sla_id="x", opened_at=ny(2026, 11, 27, 12))
    counts = overdue_counts([late, resolved, fresh], {"acme": CONTRACT, "beta": other},
                            ny(2026, 11, 28, 1))
    assert counts == {"acme": 1, "beta": 0}


def test_case_json_carries_deadlines_overdue_and_the_timeline() -> None:
    case = transition(opened(), Action.ACKNOWLEDGE, "tam", ny(2026, 11, 30, 9), "late")
    data = case_json(case, CONTRACT, datetime(2026, 12, 5, tzinfo=UTC))
    assert data["deadlines"] == {"acknowledge_by": "2026-11-28T00:00:00-05:00",
                                 "rca_by": "2026-12-04T00:00:00-05:00",
                                 "escalate_at": "2026-12-11T00:00:00-05:00"}
    assert data["overdue"] == ["case_rca_overdue"]
    assert data["evidence"]["value"] == "0.725"
    assert [(r["action"], r["from"], r["to"], r["who"], r["note"]) for r in data["timeline"]] == [
        ("open", "", "open", "slamon",
         "breach_certain: 72.50% against target at least 80.00% (breached)"),
        ("acknowledge", "open", "acknowledged", "tam", "late"),
    ]


def test_recurring_causes_attach_to_the_case_of_their_sla_ranked_and_only_once() -> None:
    small = RecurringCause("queue", "service-level-voice", "q-den", ("2026-11",),
                           (Decimal("0.005"),))
    big = RecurringCause("time_band", "service-level-voice", "Mon 08:00-10:00",
                         ("2026-11",), (Decimal("0.02"),))
    elsewhere = RecurringCause("queue", "asa", "q-den", ("2026-11",), (Decimal("0.5"),))
    case = with_causes(opened(), [small, elsewhere, big])
    assert case.causes == (
        "service-level-voice: Mon 08:00-10:00 fails in 2026-11; costs 2.00 points a period",
        "service-level-voice: q-den queue fails in 2026-11; costs 0.50 points a period",
    )
    assert case.version == 2
    assert with_causes(case, [big, small]) is case


def test_elapsed_deadlines_run_in_real_hours() -> None:
    contract = make_contract(False)
    case = replace(opened(), opened_at=ny(2026, 11, 25, 10))
    data = case_json(case, contract, ny(2026, 11, 26, 10) + timedelta(seconds=1))
    assert data["overdue"] == ["case_acknowledge_overdue"]


def test_a_pass_attaches_the_recurring_causes_to_open_cases_once() -> None:
    cause = RecurringCause("time_band", "service-level-voice", "Mon 08:00-10:00",
                           ("2026-11",), (Decimal("0.02"),))
    repo, log = InMemoryCaseRepository([opened()]), InMemorySentLog()
    for _ in range(2):
        tick(CONTRACT, repo, log, lambda e: None, ny(2026, 11, 25, 12), causes=[cause])
    (case,) = repo.list()
    assert (case.causes, case.version) == ((cause.describe(),), 2)


def test_the_statement_pass_sends_last_months_statement_once_per_vendor() -> None:
    """ACME's November figures are final on 2 December 06:00: its statement goes at the
    next pass; Beta has none, so its statement goes at the deadline, 8 December 00:00."""
    beta = replace(make_contract(), id="beta", name="Beta", vendor="genesys-cloud")
    log, sent = InMemorySentLog(), list[CaseEvent]()
    for now in (ny(2026, 12, 1, 6), ny(2026, 12, 2, 7), ny(2026, 12, 2, 8), ny(2026, 12, 8)):
        known = [NOV_FINAL] if now >= NOV_FINAL.as_of else []
        statement_tick([CONTRACT, beta], known, [], [], log, sent.append, now)
    assert [(e.key, e.at) for e in sent] == [
        ("statement/amazon-connect/2026-11", ny(2026, 12, 2, 7)),
        ("statement/genesys-cloud/2026-11", ny(2026, 12, 8)),
    ]
