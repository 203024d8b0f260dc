"""No breach notice for a month that can still be met; one as soon as the miss is certain."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.alerting.notifiers.base import BREACH
from monitor.alerting.notifiers.events import events_for
from monitor.alerting.notifiers.sentlog import MemorySentLog
from monitor.domain.evaluate import evaluate
from monitor.exporter.from_results import snapshot_from_evaluations
from tests.domain.test_outlook import FIRST_FIVE_DAYS, NY, OCTOBER, SL, measured, row


def test_day_six_at_risk_sends_nothing_and_exports_not_breached() -> None:
    ev = evaluate(SL, measured(FIRST_FIVE_DAYS), OCTOBER, datetime(2026, 10, 6, tzinfo=NY))
    assert events_for(SL, ev, MemorySentLog()) == []
    snap = snapshot_from_evaluations([SL], [ev], {}, datetime(2026, 10, 6, tzinfo=NY))
    (sla,) = snap.slas
    assert (sla.breached, sla.standing) == (False, "at_risk")


def test_a_certain_breach_is_sent_and_exported_before_the_month_ends() -> None:
    rows = [row(datetime(2026, 10, d, 12, tzinfo=NY), 100, 50) for d in range(1, 31)]
    ev = evaluate(SL, measured(rows), OCTOBER, datetime(2026, 10, 31, tzinfo=NY))
    assert [e.kind for e in events_for(SL, ev, MemorySentLog())] == [BREACH]
    snap = snapshot_from_evaluations([SL], [ev], {}, datetime(2026, 10, 31, tzinfo=UTC))
    assert (snap.slas[0].breached, snap.slas[0].standing) == (True, "breach_certain")
