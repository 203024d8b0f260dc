"""Period lifecycle (open → provisional → final) and restatements of final periods."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from monitor.domain.close import (
    FigureChange,
    PeriodState,
    close_period,
    period_state,
    restate,
    snapshot,
)
from monitor.domain.contract import AtRisk, Contract, CreditSpec
from monitor.domain.credits import credits_for
from monitor.domain.results import Evaluation, PeriodCredits
from monitor.errors import InputError
from tests.credit_factories import credit_contract, credit_sla, history, pct

D = Decimal
END = datetime(2026, 2, 1, tzinfo=UTC)  # January 2026 ends (exclusive)


@pytest.mark.parametrize(
    ("as_of", "days", "closed_at", "state"),
    [
        (END - timedelta(seconds=1), 30, None, PeriodState.OPEN),
        (END, 30, None, PeriodState.PROVISIONAL),
        (END + timedelta(days=29, hours=23), 30, None, PeriodState.PROVISIONAL),
        (END + timedelta(days=30), 30, None, PeriodState.FINAL),
        (END + timedelta(days=400), None, None, PeriodState.PROVISIONAL),
        (END + timedelta(days=5), 30, END + timedelta(days=4), PeriodState.FINAL),
        (END + timedelta(days=3), 30, END + timedelta(days=4), PeriodState.PROVISIONAL),
    ],
    ids=[
        "one second before the month ends it is open",
        "the instant it ends it is provisional",
        "just before the 30-day claim deadline it is still provisional",
        "at the claim deadline it is final",
        "without a claim deadline only a person can make it final",
        "closed by a person on day 4, it is final on day 5",
        "seen on day 3, a closure on day 4 has not happened yet",
    ],
)
def test_period_state(as_of: datetime, days: int | None, closed_at: datetime | None,
                      state: PeriodState) -> None:
    closure = None if closed_at is None else close_period(END, "ana@procurement", closed_at)
    assert period_state(END, as_of, days, closure) is state


def test_an_open_period_cannot_be_closed() -> None:
    with pytest.raises(InputError, match="can be closed only after it ends"):
        close_period(END, "ana", END - timedelta(hours=1))


def test_naive_instants_are_refused() -> None:
    with pytest.raises(InputError, match="as_of must be timezone-aware"):
        period_state(END, datetime(2026, 3, 1))


def contract() -> Contract:
    sl = credit_sla("sl", pct(80), credits=CreditSpec(allocation=pct(60)))
    csat = credit_sla("csat", pct(85), key_measurement=True)
    return credit_contract([sl, csat], monthly_fee="500000.00",
                           at_risk=AtRisk(percent_of_fees=pct(12)))


def january(sl: str, csat: str = "90") -> tuple[Evaluation, PeriodCredits]:
    c = contract()
    evaluations = history(c, "2026-01", [{"sl": pct(sl), "csat": pct(csat)}])
    return evaluations[0], credits_for(c, evaluations)


FINAL_AT = END + timedelta(days=30)
LATER = END + timedelta(days=45)


def test_a_late_correction_of_a_final_period_is_recorded_as_a_restatement() -> None:
    final = snapshot(*january("81"), at=FINAL_AT)
    evaluation, credits = january("79")
    restatement = restate(final, evaluation, credits, "late interval data from vendor", LATER)
    assert restatement is not None
    assert (restatement.old_total, restatement.new_total, restatement.delta) == (
        D(0), D("36000.00"), D("36000.00"))
    assert restatement.changes == (
        FigureChange("sl", "value", pct(81), pct(79)),
        FigureChange("sl", "status", "met", "breached"),
        FigureChange("sl", "amount", D(0), D("36000.00")),
    )
    assert (restatement.reason, restatement.at, restatement.period) == (
        "late interval data from vendor", LATER, "2026-01")
    assert restatement.previous is final  # the final figures are kept, not overwritten


def test_a_change_in_a_key_measurement_alone_is_restated_without_money() -> None:
    final = snapshot(*january("81", csat="90"), at=FINAL_AT)
    restatement = restate(final, *january("81", csat="80"), reason="survey reload", at=LATER)
    assert restatement is not None
    assert restatement.delta == D(0)
    assert [(c.sla_id, c.field) for c in restatement.changes] == [
        ("csat", "value"), ("csat", "status")]


def test_re_evaluating_with_the_same_data_restates_nothing() -> None:
    final = snapshot(*january("79"), at=FINAL_AT)
    assert restate(final, *january("79"), reason="re-run", at=LATER) is None


@pytest.mark.parametrize(
    ("reason", "message"),
    [(" ", "needs a reason")],
    ids=["a restatement without a reason is refused"],
)
def test_restatement_input_is_checked(reason: str, message: str) -> None:
    final = snapshot(*january("79"), at=FINAL_AT)
    with pytest.raises(InputError, match=message):
        restate(final, *january("81"), reason=reason, at=LATER)


def test_a_restatement_must_be_for_the_same_period() -> None:
    c = contract()
    evaluations = history(c, "2026-01", [{"sl": pct(79)}, {"sl": pct(79)}])
    final = snapshot(evaluations[0], credits_for(c, evaluations[:1]), at=FINAL_AT)
    with pytest.raises(InputError, match="cannot restate 2026-01 with an evaluation of 2026-02"):
        restate(final, evaluations[1], credits_for(c, evaluations), "wrong month", LATER)
