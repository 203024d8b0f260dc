"""Sample contracts and snapshots shared by the exporter, alert and Grafana tests."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from monitor.domain.contract import Contract
from monitor.exporter.snapshot import (
    CalendarSnapshot,
    ChronicSnapshot,
    ClaimSnapshot,
    CollectorSnapshot,
    ContractSnapshot,
    ExclusionSnapshot,
    LedgerSnapshot,
    MetricsSnapshot,
    NotificationSnapshot,
    SlaSnapshot,
    SpreadSnapshot,
)
from monitor.spec import load_contract

CONTRACT_YAML = """\
apiVersion: slamon/v1
kind: VendorContract
metadata:
  id: acme-2026
  name: "ACME contact centre"
  vendor: genesys-cloud
  currency: USD
  timezone: America/New_York
  effective: {from: 2026-01-01, to: 2027-12-31}
fees:
  monthly: "10000.00"
calendars:
  business-hours:
    weekly:
      mon-fri: ["08:00-20:00"]
at_risk:
  percent_of_fees: 10%
exclusions:
  - id: sunday-maintenance
    rrule: "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0"
    duration: 2h
    applies_to: [availability]
    reason: "announced maintenance"
sources:
  region: us_east_1
  queues:
    - {id: q1, name: Billing, channel: voice}
slas:
  - id: availability
    metric: availability
    calendar: 24x7
    target: 99.9%
    credits:
      base: fees.monthly
      tiers:
        - {below: 99.9%, credit: 5%}
  - id: service-level
    metric: service_level
    channel: voice
    threshold: 20s
    calendar: business-hours
    target: 80%
    credits: {allocation: 50%}
  - id: abandon-rate
    metric: abandon_rate
    calendar: business-hours
    target: {max: 5%}
  - id: asa
    metric: asa
    calendar: business-hours
    period: quarter
    target: {max: 30s}
chronic_failure:
  - {sla: any, misses: 2, within_months: 2, consequence: termination_right}
"""

NOW = datetime(2026, 11, 11, 15, 0, tzinfo=UTC)  # Wednesday 10:00 in New York


def sample_contract(tmp: Path) -> Contract:
    path = tmp / "acme.yaml"
    path.write_text(CONTRACT_YAML)
    return load_contract(path)


def sla(name: str, **kw: object) -> SlaSnapshot:
    base: dict[str, object] = dict(
        vendor="genesys-cloud", contract="acme-2026", sla=name, metric="service_level",
        unit="ratio", direction="min", calendar="business-hours", period="2026-11",
        period_kind="month", target=0.8, currency="USD",
    )
    base.update(kw)
    return SlaSnapshot(**base)  # type: ignore[arg-type]


def small_snapshot() -> MetricsSnapshot:
    """Two SLAs (a ratio and a seconds one), one calendar, one poller, one chronic rule."""
    return MetricsSnapshot(
        taken_at=datetime(2026, 11, 11, 14, 59, tzinfo=UTC),
        slas=(
            sla("service-level", attainment=0.7, raw_attainment=0.65, projected=0.7,
                best_case=0.9, required=0.85, error_budget=0.2, budget_remaining=0.5,
                elapsed_ratio=0.25, good_events=700.0, valid_events=1000.0, standing="at_risk",
                credit_accrued=Decimal("500.00"),  # 0.7 so far, best case 0.9: repairable
                # Independent-evidence families (availability SLAs have them; exposition is
                # the same for any SLA): the vendor reported 3 of the 8 minutes probes saw.
                evidence={"vendor_downtime_minutes": 180.0, "observed_downtime_minutes": 480.0,
                          "unreported_downtime_minutes": 300.0,
                          "unobserved_downtime_minutes": 0.0, "unknown_evidence_minutes": 60.0}),
            sla("asa", metric="asa", unit="seconds", direction="max", period="2026-Q4",
                period_kind="quarter", target=30.0, attainment=40.0, raw_attainment=40.0,
                projected=40.0, best_case=20.0, required=20.0, elapsed_ratio=0.5,
                standing="at_risk"),
        ),
        contracts=(ContractSnapshot(
            vendor="genesys-cloud", contract="acme-2026", period="2026-11", currency="USD",
            at_risk=Decimal("1000.00"), cases_overdue=1,
            last_measurement=datetime(2026, 11, 11, 14, 45, tzinfo=UTC)),),
        calendars=(CalendarSnapshot("genesys-cloud", "acme-2026", "business-hours", True),),
        collectors=(CollectorSnapshot(
            "genesys-cloud", "acme-2026", "genesys-cloud", up=True,
            last_success=datetime(2026, 11, 11, 14, 55, tzinfo=UTC), errors_total=3,
            requests_total=10, request_seconds_total=2.5),),
        exclusions=(ExclusionSnapshot("genesys-cloud", "acme-2026", "sunday-maintenance",
                                      False),),
        chronic=(ChronicSnapshot("genesys-cloud", "acme-2026", "any", "termination_right",
                                 False),),
        claims=(ClaimSnapshot("genesys-cloud", "acme-2026", "2026-10", "draft",
                              datetime(2026, 12, 1, 5, tzinfo=UTC), overdue=False),
                ClaimSnapshot("genesys-cloud", "acme-2026", "2026-09", "accepted")),
        ledgers=(LedgerSnapshot("genesys-cloud", "acme-2026", "2026", "USD", Decimal("1125.00"),
                                Decimal("500.00"), Decimal("400.00"), Decimal("400.00"),
                                Decimal("100.00"), Decimal("625.00")),),
        notifications=(NotificationSnapshot("genesys-cloud", "acme-2026", "email", 2),
                       NotificationSnapshot("genesys-cloud", "acme-2026", "webhook", 0)),
        spreads=(SpreadSnapshot("genesys-cloud", "acme-2026", "service-level", "2026-11",
                                "queue", "ratio", 0.25),
                 SpreadSnapshot("genesys-cloud", "acme-2026", "asa", "2026-Q4", "queue",
                                "seconds", 12.0)),
    )


def big_snapshot(n_slas: int) -> MetricsSnapshot:
    """`n_slas` ratio SLAs spread over contracts of 10 SLAs each (for the benchmark)."""
    slas = tuple(
        sla(f"sla-{i % 10}", contract=f"contract-{i // 10}", attainment=0.81, raw_attainment=0.8,
            projected=0.81, best_case=0.93, required=0.79, error_budget=0.2,
            budget_remaining=0.4, elapsed_ratio=0.5, good_events=810.0 + i,
            valid_events=1000.0 + i, credit_accrued=Decimal("12.50"))
        for i in range(n_slas)
    )
    return MetricsSnapshot(taken_at=NOW, slas=slas)
