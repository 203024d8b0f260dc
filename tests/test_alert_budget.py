"""Hand-worked error budget and projection figures (monitor/domain/budget.py)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from monitor.domain.budget import burn_rate_threshold, project
from monitor.domain.contract import Direction


def test_service_level_a_third_into_the_month_projects_best_case_and_required_rate() -> None:
    # 700 of 1000 within threshold after 10 of 30 days: 3000 contacts expected, 2000 to come.
    p = project(D(700), D(1000), D("0.80"), Direction.MIN, ratio=True,
                elapsed_minutes=D(14400), total_minutes=D(43200))
    assert p is not None
    assert p.projected == D("0.7")
    assert p.best_case == D("0.9")  # (700 + 2000) / 3000
    assert p.required == D("0.85")  # (0.8 * 3000 - 700) / 2000
    assert p.budget == D("0.20")
    assert p.budget_remaining == D("0.5")  # 300 bad of 600 allowed
    assert (p.good_events, p.valid_events) == (D(700), D(1000))


def test_a_hopeless_service_level_needs_more_than_every_remaining_contact() -> None:
    # 100 of 1000 after 20 of 30 days: even 500 perfect contacts end at 600/1500 = 40 %.
    p = project(D(100), D(1000), D("0.80"), Direction.MIN, ratio=True,
                elapsed_minutes=D(20), total_minutes=D(30))
    assert p is not None
    assert p.best_case == D("0.4")
    assert p.required == D("2.2")  # (1200 - 100) / 500
    assert p.budget_remaining is not None
    assert p.budget_remaining < 0


def test_abandon_rate_is_a_max_ratio_whose_good_events_are_the_non_abandoned() -> None:
    # 30 abandons of 1000 offered at half-period; 5 % allowed of 2000 expected = 100.
    p = project(D(30), D(1000), D("0.05"), Direction.MAX, ratio=True,
                elapsed_minutes=D(15), total_minutes=D(30))
    assert p is not None
    assert p.best_case == D("0.015")  # 30 / 2000 with no more abandons
    assert p.required == D("0.07")  # (100 - 30) / 1000
    assert p.budget == D("0.05")
    assert p.budget_remaining == D("0.7")
    assert p.good_events == D(970)


def test_asa_in_seconds_has_a_best_case_but_no_error_budget() -> None:
    # 40,000 s of waiting over 1000 answered (40 s) halfway through a quarter, target 30 s.
    p = project(D(40000), D(1000), D(30), Direction.MAX, ratio=False,
                elapsed_minutes=D(45), total_minutes=D(90))
    assert p is not None
    assert p.projected == D(40)
    assert p.best_case == D(20)
    assert p.required == D(20)  # (30 * 2000 - 40000) / 1000
    assert p.budget is None
    assert p.budget_remaining is None
    assert p.good_events is None


def test_availability_thirty_minutes_down_in_ten_days_leaves_thirty_percent_of_budget() -> None:
    p = project(D(14370), D(14400), D("0.999"), Direction.MIN, ratio=True,
                elapsed_minutes=D(14400), total_minutes=D(43200))
    assert p is not None
    assert p.best_case == D(43170) / D(43200)
    assert p.required == D("28786.8") / D(28800)
    assert p.budget_remaining == 1 - D(30) / D("43.2")


@pytest.mark.parametrize(
    ("numerator", "denominator", "elapsed"),
    [
        pytest.param(D(0), D(0), D(10), id="no contacts yet gives no projection"),
        pytest.param(D(5), D(10), D(0), id="no elapsed time gives no projection"),
    ],
)
def test_nothing_measured_gives_no_projection(numerator: D, denominator: D, elapsed: D) -> None:
    assert project(numerator, denominator, D("0.8"), Direction.MIN, ratio=True,
                   elapsed_minutes=elapsed, total_minutes=D(100)) is None


def test_a_finished_period_needs_nothing_more() -> None:
    p = project(D(90), D(100), D("0.8"), Direction.MIN, ratio=True,
                elapsed_minutes=D(100), total_minutes=D(100))
    assert p is not None
    assert p.required is None
    assert p.best_case == D("0.9")


@pytest.mark.parametrize(
    ("fraction", "window", "expected"),
    [
        pytest.param(D("0.02"), D(1), D("14.4"), id="2 % of a 720 h month in 1 h is 14.4x"),
        pytest.param(D("0.05"), D(6), D(6), id="5 % in 6 h is 6x"),
        pytest.param(D("0.10"), D(24), D(3), id="10 % in a day is 3x"),
        pytest.param(D("0.10"), D(72), D(1), id="10 % in three days is 1x"),
    ],
)
def test_workbook_burn_rates(fraction: D, window: D, expected: D) -> None:
    assert burn_rate_threshold(fraction, D(720), window) == expected
