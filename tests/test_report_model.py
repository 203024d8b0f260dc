"""ReportData, built by hand with worked numbers, and what it derives for every format.

The builder `acme_october()` is shared by the other report tests. The story, for ACME's
Amazon Connect contract (USD, monthly fee 20,000.00, at-risk 12 % = 2,400.00 cap):

October 2026 (31 days, 44,640 minutes in America/New_York):
- availability: 150 counted minutes down -> 44,490 / 44,640 = 99.664 %, target 99.99 %:
  breached, tier "below 99.99 %, at least 99 %" -> 5 % of 20,000.00 = 1,000.00.
- service-level-voice: 7,850 of 10,000 within 20 s over 8 intervals = 78.5 %, target
  80 %: breached (above the 75 % minimum) -> 60 % of 2,400.00 = 1,440.00.
- abandon-rate: 420 / 10,000 = 4.2 %, at most 5 %: met, no credit.
- asa: 191,880 s / 7,800 answered = 24.6 s, at most 30 s: met.
- csat: 830 / 1,000 = 83 %, target 85 %: a key measurement, missed, never credited.
Lines add to 2,440.00; the monthly cap of 2,400.00 makes the total claimed 2,400.00.
Service level also missed in September, so "any SLA missed 2 months running" raises the
termination right. The claim deadline is 31 October + 30 days = 30 November 2026.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pandas as pd

from monitor.domain.contract import (
    AtRisk,
    ChronicRule,
    Contract,
    CreditSpec,
    Direction,
    Metric,
    PeriodKind,
    Rounding,
    Sla,
    Sources,
    Status,
    Target,
    Tier,
)
from monitor.domain.results import (
    AppliedExclusion,
    ChronicFailure,
    CreditLine,
    Evaluation,
    Evidence,
    Period,
    PeriodCredits,
    SlaResult,
)
from monitor.reports.model import CaseRef, HistoryEntry, ReportData, Restatement

NY = ZoneInfo("America/New_York")
D = Decimal

# Per-interval successes out of 1,250 offered each: 7,850 of 10,000 in all.
SL_SUCCESSES = (1100, 1000, 900, 1050, 1000, 950, 900, 950)


def acme_contract() -> Contract:
    return Contract(
        id="acme-connect-2026",
        name="Amazon Connect for ACME Corp - MSA Schedule 3",
        vendor="amazon-connect",
        currency="USD",
        tz=NY,
        effective_from=date(2026, 1, 1),
        effective_to=date(2028, 12, 31),
        rounding=Rounding(),
        fees={"monthly": D("20000.00")},
        calendars={},
        exclusions=(),
        sources=Sources(),
        slas=(
            Sla(id="availability", metric=Metric.AVAILABILITY, target=Target(D("0.9999")),
                credits=CreditSpec(base="fees.monthly", tiers=(
                    Tier(credit=D("0.05"), below=D("0.9999"), at_least=D("0.99")),))),
            Sla(id="service-level-voice", metric=Metric.SERVICE_LEVEL,
                target=Target(D("0.80")), minimum=D("0.75"),
                threshold=timedelta(seconds=20),
                description="Voice calls answered within 20 seconds, business hours",
                credits=CreditSpec(allocation=D("0.60"))),
            Sla(id="abandon-rate", metric=Metric.ABANDON_RATE,
                target=Target(D("0.05"), Direction.MAX)),
            Sla(id="asa", metric=Metric.ASA, target=Target(D("30"), Direction.MAX),
                period=PeriodKind.QUARTER),
            Sla(id="csat", metric=Metric.CSAT, target=Target(D("0.85")), key_measurement=True),
        ),
        at_risk=AtRisk(percent_of_fees=D("0.12"), pool=D("2.5")),
        chronic_failure=(ChronicRule(sla="any", misses=2, within_months=2,
                                     consequence="termination_right", consecutive=True),),
        claim_deadline_days=30,
    )


def month(year: int, m: int) -> Period:
    start = datetime(year, m, 1, tzinfo=NY)
    end = datetime(year + (m == 12), m % 12 + 1, 1, tzinfo=NY)
    return Period(label=f"{year}-{m:02d}", kind=PeriodKind.MONTH, start=start, end=end,
                  full_start=start, full_end=end)


def sl_intervals() -> pd.DataFrame:
    starts = [datetime(2026, 10, 1, 12, 0, tzinfo=UTC) + timedelta(minutes=30 * i)
              for i in range(len(SL_SUCCESSES))]
    return pd.DataFrame({
        "interval_start": pd.to_datetime(starts, utc=True),
        "offered": [1250] * len(SL_SUCCESSES),
        "numerator": list(SL_SUCCESSES),
        "denominator": [1250] * len(SL_SUCCESSES),
        "value": [s / 1250 for s in SL_SUCCESSES],
    })


def result(sla_id: str, metric: str, value: str | None, target: Target, status: Status,
           num: str, den: str, **evidence: object) -> SlaResult:
    v = None if value is None else D(value)
    return SlaResult(
        sla_id=sla_id, metric=metric, value=v, raw_value=evidence.pop("raw", v),  # type: ignore[arg-type]
        target=target, status=status,
        evidence=Evidence(numerator=D(num), denominator=D(den),
                          intervals=int(evidence.pop("intervals", 0)),  # type: ignore[call-overload]
                          excluded_minutes=D(str(evidence.pop("excluded", 0))),
                          formula=str(evidence.pop("formula", "numerator / denominator")),
                          **evidence),  # type: ignore[arg-type]
        key_measurement=metric == "csat",
    )


def october_evaluation() -> Evaluation:
    storm = AppliedExclusion(
        exclusion_id="storm-2026-10",
        reason="Force majeure, approved by procurement on 2026-10-20",
        start=datetime(2026, 10, 14, 9, 0, tzinfo=NY),
        end=datetime(2026, 10, 14, 11, 30, tzinfo=NY), minutes=D(150))
    maint = AppliedExclusion(
        exclusion_id="sunday-maintenance", reason="Schedule 3 s4.2 announced maintenance",
        start=datetime(2026, 10, 11, 2, 0, tzinfo=NY),
        end=datetime(2026, 10, 11, 4, 0, tzinfo=NY), minutes=D(30))
    return Evaluation(
        contract_id="acme-connect-2026", period=month(2026, 10),
        as_of=datetime(2026, 11, 2, 6, 0, tzinfo=UTC), status="final",
        results=(
            result("availability", "availability", "0.996640", Target(D("0.9999")),
                   Status.BREACHED, "44490", "44640", raw=D("0.995968"), excluded=30,
                   formula="(minutes - downtime) / minutes", tier="5%",
                   exclusions=(maint,), measured_minutes=D(44640)),
            result("service-level-voice", "service_level", "0.785", Target(D("0.80")),
                   Status.BREACHED, "7850", "10000", intervals=8, excluded=150,
                   formula="answered within 20s + abandoned within 20s / offered (F1)",
                   exclusions=(storm,), per_interval=sl_intervals()),
            result("abandon-rate", "abandon_rate", "0.042", Target(D("0.05"), Direction.MAX),
                   Status.MET, "420", "10000", intervals=8),
            result("asa", "asa", "24.6", Target(D("30"), Direction.MAX), Status.MET,
                   "191880", "7800", intervals=8),
            result("csat", "csat", "0.83", Target(D("0.85")), Status.KEY_MEASUREMENT_MISSED,
                   "830", "1000"),
        ),
    )


TERMINATION = ChronicFailure(rule_sla="any", consequence="termination_right",
                             periods=("2026-09", "2026-10"), raised_in="2026-10")


def october_credits() -> PeriodCredits:
    return PeriodCredits(
        period="2026-10", currency="USD",
        lines=(
            CreditLine("availability", "2026-10", "USD", D("1000.00"), D("1000.00"), "tier",
                       "issued", tier="5%", explanation="5% of 20,000.00 = 1,000.00"),
            CreditLine("service-level-voice", "2026-10", "USD", D("1440.00"), D("1440.00"),
                       "allocation", "issued",
                       explanation="60% of the at-risk amount 2,400.00 = 1,440.00"),
            CreditLine("abandon-rate", "2026-10", "USD", D("0.00"), D("0.00"), "allocation",
                       "none"),
        ),
        total=D("2400.00"), cap=D("2400.00"), chronic=(TERMINATION,),
    )


def past_month(m: int, availability: str, sl: str, sl_status: Status,
               sl_credit: str) -> HistoryEntry:
    ev = Evaluation(
        contract_id="acme-connect-2026", period=month(2026, m),
        as_of=datetime(2026, m + 1, 2, tzinfo=UTC), status="final",
        results=(
            result("availability", "availability", availability, Target(D("0.9999")),
                   Status.MET, "0", "0"),
            result("service-level-voice", "service_level", sl, Target(D("0.80")), sl_status,
                   "0", "0"),
        ))
    credits = PeriodCredits(f"2026-{m:02d}", "USD", (
        CreditLine("service-level-voice", f"2026-{m:02d}", "USD", D(sl_credit), D(sl_credit),
                   "allocation", "issued"),), total=D(sl_credit), cap=D("2400.00"))
    return HistoryEntry(ev, credits)


def acme_october(**changes: object) -> ReportData:
    fields: dict[str, object] = {
        "contract": acme_contract(),
        "period": "2026-10",
        "evaluation": october_evaluation(),
        "credits": october_credits(),
        "generated_at": datetime(2026, 11, 3, 14, 0, tzinfo=UTC),
        "history": (
            past_month(8, "1.0", "0.812", Status.MET, "0.00"),
            past_month(9, "0.9999", "0.795", Status.BREACHED, "1440.00"),
        ),
        "restatements": (
            Restatement(period="2026-09", sla_id="service-level-voice",
                        restated_at=datetime(2026, 10, 5, 13, 0, tzinfo=UTC),
                        reason="Late interval data for 29-30 September",
                        old_value=D("0.801"), new_value=D("0.795"),
                        old_credit=D("0.00"), new_credit=D("1440.00")),
        ),
        "cases": (CaseRef("PI-2026-014", "service-level-voice", "2026-10", "rca_due",
                          "Service level below 80% in October"),),
    }
    fields.update(changes)
    return ReportData(**fields)  # type: ignore[arg-type]


# --- what ReportData derives ----------------------------------------------------------------


def test_claim_deadline_is_the_last_day_of_the_period_plus_the_contract_days() -> None:
    assert acme_october().claim_deadline == date(2026, 11, 30)


def test_a_contract_without_a_claim_window_has_no_deadline() -> None:
    from dataclasses import replace

    data = acme_october(contract=replace(acme_contract(), claim_deadline_days=None))
    assert data.claim_deadline is None


def test_total_claimed_is_the_capped_total_not_the_sum_of_lines() -> None:
    data = acme_october()
    assert data.credits is not None
    assert sum(line.amount for line in data.credits.lines) == D("2440.00")
    assert data.total_claimed == D("2400.00")


def test_breaches_are_breached_slas_and_missed_key_measurements() -> None:
    assert [r.sla_id for r in acme_october().breaches()] == [
        "availability", "service-level-voice", "csat"]


def test_chronic_failures_from_credits_and_from_the_store_are_listed_once() -> None:
    data = acme_october(chronic_failures=(TERMINATION,))
    assert data.open_chronic() == [TERMINATION]


def test_history_ends_with_the_reported_period_and_drops_later_ones() -> None:
    later = past_month(11, "1.0", "0.9", Status.MET, "0.00")
    data = acme_october(history=(*acme_october().history, later))
    assert [h.evaluation.period.label for h in data.history_with_current()] == [
        "2026-08", "2026-09", "2026-10"]
