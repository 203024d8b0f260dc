"""Vendor-reported vs observed downtime for one SLA and month, worked by hand.

October 2026 in Europe/London has 44,700 minutes (31 days plus the hour BST gives back on
25 October). The vendor reported INC-1 (10 min), INC-2 (10 min, in a probe gap) and INC-3
(5 min, probes saw it up); the probes saw 25 min around INC-1 and 30 min nobody reported.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from monitor.domain.contract import (
    Contract,
    DownRule,
    IndependentSource,
    Metric,
    Record,
    Sources,
    Tier,
)
from monitor.domain.contract import CreditSpec as Credits
from monitor.domain.evaluate import evaluate
from monitor.domain.measurements import Measurements, ObservedSpan, Outage
from monitor.domain.periods import period_for
from monitor.domain.results import Evaluation, SlaResult
from tests.factories import contract, sla

LONDON = ZoneInfo("Europe/London")
AS_OF = datetime(2026, 11, 2, tzinfo=UTC)
DESKTOP = "agent-desktop"


def z(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def vendor_outages() -> tuple[Outage, ...]:
    return (
        Outage(DESKTOP, z("2026-10-05T10:00"), z("2026-10-05T10:10"), "full", ref="INC-1"),
        Outage(DESKTOP, z("2026-10-12T00:20"), z("2026-10-12T00:30"), "full", ref="INC-2"),
        Outage(DESKTOP, z("2026-10-15T12:00"), z("2026-10-15T12:05"), "full", ref="INC-3"),
        Outage("reporting", z("2026-10-16T12:00"), z("2026-10-16T14:00"), "full", ref="INC-4"),
    )


def observed() -> tuple[ObservedSpan, ...]:
    def span(a: str, b: str, state: str) -> ObservedSpan:
        return ObservedSpan(DESKTOP, z(a), z(b), state, "blackbox", "probe_success", ("lon",))
    return (
        span("2026-09-30T23:00", "2026-10-12T00:00", "up"),  # gap 00:00-01:00 on the 12th
        span("2026-10-12T01:00", "2026-11-01T00:00", "up"),
        span("2026-10-05T10:00", "2026-10-05T10:25", "down"),
        span("2026-10-20T08:00", "2026-10-20T08:30", "down"),
    )


def evidence_contract(record: Record) -> Contract:
    source = IndependentSource("prometheus", "blackbox", {DESKTOP: "probe_success"},
                               DownRule(), "http://prom")
    tiers = (Tier(Decimal("0.10"), below=Decimal("0.9995"), at_least=Decimal("0.999")),
             Tier(Decimal("0.25"), below=Decimal("0.999")))
    one = sla("desktop", Metric.AVAILABILITY, "0.9995", components=(DESKTOP,),
              credits=Credits(base="fees.monthly", tiers=tiers))
    return replace(contract([one], tz=LONDON),
                   sources=Sources(measurement_of_record=record, independent=(source,)))


def october(record: Record) -> Evaluation:
    c = evidence_contract(record)
    m = Measurements(Measurements.empty().intervals, vendor_outages(), observed())
    return evaluate(c, m, period_for(c, "2026-10"), AS_OF)


def run(record: Record) -> SlaResult:
    return october(record).results[0]


def test_reconciliation_counts_unreported_unobserved_and_unknown_minutes() -> None:
    r = run(Record.VENDOR)
    rec = r.reconciliation
    assert rec is not None
    assert (rec.vendor_minutes, rec.observed_minutes, rec.record_minutes) == (25, 55, 25)
    assert (rec.unreported_minutes, rec.unobserved_minutes, rec.unknown_minutes) == (45, 15, 60)
    first, second = rec.observed
    assert (first.start.isoformat(), first.end.isoformat()) == (
        "2026-10-05T11:00:00+01:00", "2026-10-05T11:25:00+01:00")  # contract zone, BST
    assert (first.minutes, first.unreported_minutes, first.vendor_ref) == (25, 15, "INC-1")
    assert first.note == "reported shorter by the vendor"
    assert first.locations == ("lon",)
    assert (second.start.isoformat(), second.minutes, second.unreported_minutes,
            second.vendor_ref) == ("2026-10-20T09:00:00+01:00", 30, 30, None)
    assert [(n.vendor_ref, n.minutes, n.note) for n in rec.unobserved] == [
        ("INC-2", 10, "no probe data"), ("INC-3", 5, "probes saw it up")]
    assert r.value == Decimal(44700 - 25) / Decimal(44700)


@pytest.mark.parametrize(("record", "down"), [
    # observed 55 + the vendor's INC-2, which fell in the probe gap
    (Record.INDEPENDENT, 65),
    # every minute either counts: 10:00-10:25, INC-2, INC-3, 08:00-08:30
    (Record.WORST_OF, 70),
])
def test_the_record_decides_the_downtime_and_a_probe_gap_never_becomes_up(
        record: Record, down: int) -> None:
    r = run(record)
    assert r.reconciliation is not None
    assert r.reconciliation.record_minutes == down
    assert r.evidence.details["measurement_of_record"] == str(record)
    assert r.value == Decimal(44700 - down) / Decimal(44700)


def test_the_claim_names_every_outage_the_record_counts_with_its_source() -> None:
    rec = run(Record.INDEPENDENT).reconciliation
    assert rec is not None
    # the observed spans, and the vendor's INC-2 where the probes had no data
    assert [(n.start.isoformat(), n.minutes, n.vendor_ref, n.note) for n in rec.counted] == [
        ("2026-10-05T11:00:00+01:00", 25, None, "independent checks"),
        ("2026-10-12T01:20:00+01:00", 10, "INC-2", "vendor"),
        ("2026-10-20T09:00:00+01:00", 30, None, "independent checks")]


def test_nothing_observed_is_all_unknown_and_the_vendors_figure_stands() -> None:
    source = IndependentSource("prometheus", "blackbox", {DESKTOP: "probe_success"})
    one = sla("desktop", Metric.AVAILABILITY, "0.9995", components=(DESKTOP,))
    c = replace(contract([one], tz=LONDON), sources=Sources(
        measurement_of_record=Record.INDEPENDENT, independent=(source,)))
    m = Measurements(Measurements.empty().intervals, vendor_outages())
    r = evaluate(c, m, period_for(c, "2026-10"), AS_OF).results[0]
    assert r.reconciliation is not None
    assert r.reconciliation.unknown_minutes == 44700
    assert r.reconciliation.observed_minutes == 0
    assert r.reconciliation.record_minutes == r.reconciliation.vendor_minutes == 25
    assert [n.note for n in r.reconciliation.unobserved] == ["no probe data"] * 3


def test_contract_without_independent_sources_has_no_reconciliation() -> None:
    one = sla("desktop", Metric.AVAILABILITY, "0.9995", components=(DESKTOP,))
    c = contract([one], tz=LONDON)
    m = Measurements(Measurements.empty().intervals, vendor_outages(), observed())
    r = evaluate(c, m, period_for(c, "2026-10"), AS_OF).results[0]
    assert r.reconciliation is None
    assert r.evidence.details["downtime_minutes"] == "25"
