"""Reports say what a passed claim deadline means, and why a status and its money
disagree (issue: tell the truth at every moment of the month)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from monitor.domain.contract import Status
from monitor.domain.results import CreditLine, PeriodCredits
from monitor.reports.html import build_view
from monitor.reports.json_report import report_to_json
from tests.test_report_model import acme_october, october_credits


def test_a_report_prepared_after_the_claim_deadline_says_so_in_every_format() -> None:
    # October's claims close on 30 November (30 days); prepared on 3 December: 3 days late.
    data = acme_october(generated_at=datetime(2026, 12, 3, 15, 0, tzinfo=UTC))
    assert data.deadline_passed
    note = data.deadline_note
    assert note.startswith("The claim deadline (2026-11-30) passed 3 days before this report")
    assert build_view(data)["deadline_note"] == note
    doc = report_to_json(data)
    assert (doc["claim_deadline_passed"], doc["claim_deadline_note"]) == (True, note)


def test_a_report_prepared_on_the_deadline_day_is_in_time() -> None:
    data = acme_october(generated_at=datetime(2026, 11, 30, 23, 0, tzinfo=UTC))  # 18:00 NY
    assert not data.deadline_passed
    assert data.deadline_note == ""


def test_a_breached_sla_whose_credit_is_held_for_earn_back_says_why_it_shows_zero() -> None:
    base = october_credits()
    breached = next(r for r in acme_october().evaluation.results
                    if r.status is Status.BREACHED)
    held = CreditLine(breached.sla_id, "2026-10", "USD", Decimal("0.00"), Decimal("1440.00"),
                      "allocation", "held", held=Decimal("1440.00"),
                      explanation="held: earn-back if the next 3 months are met")
    others = [line for line in base.lines if line.sla_id != breached.sla_id]
    credits = PeriodCredits(base.period, base.currency, (*others, held), base.total,
                            base.cap, base.chronic)
    data = acme_october(credits=credits)
    assert data.note(breached) == "no credit: held for earn-back"
    row = next(r for r in build_view(data)["summary"] if r["sla"] == breached.sla_id)
    assert row["note"] == "no credit: held for earn-back"


def test_a_met_sla_that_carries_a_credit_says_why() -> None:
    # A continuous-improvement target stricter than the contract's: met against the
    # contract, missed against the improved level, so money is due although it shows met.
    base = october_credits()
    met = next(r for r in acme_october().evaluation.results if r.status is Status.MET)
    line = CreditLine(met.sla_id, "2026-10", "USD", Decimal("500.00"), Decimal("500.00"),
                      "tier", "issued",
                      explanation="missed (99.95 % vs improved target 99.97 %); tier 5 %")
    credits = PeriodCredits(base.period, base.currency, (*base.lines, line), base.total,
                            base.cap, base.chronic)
    data = acme_october(credits=credits)
    assert data.note(met) == ("credit although met: missed (99.95 % vs improved target "
                              "99.97 %); tier 5 %")
