"""The SLA state badge: the engine's stored standing, with what an open period needs."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from monitor.console.states import sla_state
from monitor.domain.contract import Metric
from monitor.storage import StoredResult
from tests.factories import contract, sla

NOW = datetime(2026, 10, 12, 12, tzinfo=UTC)
C = contract(slas=[sla("sl", Metric.SERVICE_LEVEL, "0.80")])


def stored(status: str, details: dict[str, Any]) -> StoredResult:
    return StoredResult(
        "c", "2026-10", "month", NOW, NOW, "open", "sl", "service_level", Decimal("0.78"),
        Decimal("0.78"), Decimal("0.80"), "min", status, NOW, {"details": details})


@pytest.mark.parametrize(("status", "details", "label", "tone", "needs"), [
    ("breached", {"standing": "at_risk", "period_open": True, "needed": "0.8312",
                  "remaining_days": "19.5", "remaining_minutes": "28080"},
     "at risk", "warn", "needs 83.1 % for the remaining 20 days"),
    ("breached", {"standing": "breach_certain", "period_open": True, "needed": "1.2",
                  "remaining_days": "1.5"},
     "breach certain", "bad", "cannot meet target in the remaining 36 hours"),
    ("met", {"standing": "on_track", "period_open": True, "needed": "0.70",
             "remaining_days": "3"}, "on track", "ok", "needs 70.0 % for the remaining 3 days"),
    ("breached", {"standing": "breached", "period_open": False}, "breached", "bad", ""),
    ("breached", {}, "breached", "bad", ""),
    ("insufficient_data", {}, "no data", "none", ""),
    ("something_new", {}, "something new", "none", ""),
], ids=["open and missing but recoverable", "open and beyond recovery", "open and meeting",
        "ended and missed", "stored before standings existed", "nothing measured",
        "a status this version does not know"])
def test_the_state_is_the_stored_standing(status: str, details: dict[str, Any], label: str,
                                          tone: str, needs: str) -> None:
    state = sla_state(stored(status, details), C, NOW)
    assert (state.label, state.tone, state.needs) == (label, tone, needs)


def test_the_sla_evidence_splits_off_the_reconciliation_and_the_standing() -> None:
    from monitor.console.pages_vendors import evidence_rows

    result = stored("breached", {
        "standing": "breached", "period_open": False, "downtime_minutes": "35",
        "vendor_downtime_minutes": "35", "observed_downtime_minutes": "52",
        "unreported_downtime_minutes": "17"})
    rows, reconciled = evidence_rows(result)
    assert rows == [("downtime minutes", "35")]
    assert reconciled == [("vendor downtime minutes", "35"),
                          ("observed downtime minutes", "52"),
                          ("unreported downtime minutes", "17")]
