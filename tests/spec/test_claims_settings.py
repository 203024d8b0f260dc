"""`claims.notice_days_before_deadline`: the lead time of the claim-deadline notice and
alert, read from the contract (default 7 days), with a clear error when it is not a
number of days."""

from __future__ import annotations

import pytest

from monitor.spec.loader import load_text
from tests.conftest import CONTRACTS

SHIPPED = (CONTRACTS / "acme-connect-2026.yaml").read_text()
WINDOW = "  deadline_days_after_period: 30\n"


def loaded(extra: str) -> tuple[int | None, list[str]]:
    assert WINDOW in SHIPPED
    result = load_text(SHIPPED.replace(WINDOW, WINDOW + extra), "acme.yaml", environ={})
    errors = [f"{p.path}: {p.message}" for p in result.problems if p.severity == "error"]
    return (None if result.contract is None else result.contract.claim_notice_days), errors


def test_the_lead_time_defaults_to_a_week() -> None:
    assert loaded("") == (7, [])


def test_the_lead_time_is_read_from_the_claims_section() -> None:
    assert loaded("  notice_days_before_deadline: 10\n") == (10, [])


@pytest.mark.parametrize("value", ["-1", "two weeks", "400"])
def test_a_lead_time_that_is_not_a_number_of_days_is_refused(value: str) -> None:
    days, errors = loaded(f"  notice_days_before_deadline: {value}\n")
    assert days is None
    assert any(e.startswith("claims.notice_days_before_deadline:") for e in errors), errors
