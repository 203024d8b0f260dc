"""What the exporter shows at one scrape: plain frozen values, already computed.

The exporter never reads storage or vendors itself; it asks a `SnapshotSource` for a
`MetricsSnapshot` and turns it into metric families. Every figure here is already a float
(what Prometheus stores) except money, kept as `Decimal` until exposition, so the scrape
does no arithmetic: the projection math runs once, when the snapshot is built
(`monitor/exporter/from_results.py`), not per scrape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from monitor.domain.outlook import MISSES


@dataclass(frozen=True)
class SlaSnapshot:
    """One SLA in its current period. Values are ratios (0-1) or seconds (see `unit`)."""

    vendor: str
    contract: str
    sla: str
    metric: str  # service_level, asa, ...
    unit: str  # ratio | seconds
    direction: str  # min | max
    calendar: str
    period: str  # "2026-11"
    period_kind: str  # month | quarter | year
    target: float
    attainment: float | None = None  # contractual (exclusions applied); None = no data
    raw_attainment: float | None = None
    projected: float | None = None
    best_case: float | None = None
    required: float | None = None
    error_budget: float | None = None  # allowed bad share (ratio SLAs)
    budget_remaining: float | None = None
    elapsed_ratio: float | None = None  # share of the period's (calendar) time gone
    good_events: float | None = None  # this period's, for burn-rate `rate()`
    valid_events: float | None = None
    standing: str = ""  # monitor.domain.outlook.Standing; "" = not measured
    credit_accrued: Decimal | None = None  # this period, in `currency`
    currency: str = ""
    # Independent evidence, seconds this period: conventions.EVIDENCE_FAMILIES detail -> value.
    evidence: Mapping[str, float] = field(default_factory=dict)

    @property
    def breached(self) -> bool:
        """Ended breached, or a breach already certain (`slamon_sla_breached`)."""
        return self.standing in MISSES


@dataclass(frozen=True)
class ContractSnapshot:
    vendor: str
    contract: str
    period: str
    currency: str
    at_risk: Decimal | None = None  # the amount at risk this period
    cases_overdue: int = 0
    last_measurement: datetime | None = None  # newest measurement stored for the contract


@dataclass(frozen=True)
class CalendarSnapshot:
    vendor: str
    contract: str
    calendar: str
    open: bool


@dataclass(frozen=True)
class CollectorSnapshot:
    """Health of one vendor poller for one contract (`source` is the poller kind)."""

    vendor: str
    contract: str
    source: str
    up: bool
    last_success: datetime | None = None
    errors_total: int = 0
    requests_total: int = 0
    request_seconds_total: float = 0.0
    paused: bool = False  # stopped as misconfigured (wrong credentials, unknown queue)


@dataclass(frozen=True)
class ChronicSnapshot:
    vendor: str
    contract: str
    rule: str  # the SLA id the rule watches, or "any"
    consequence: str
    raised: bool


@dataclass(frozen=True)
class ExclusionSnapshot:
    """A contract exclusion (maintenance, force majeure) and whether it is in force now."""

    vendor: str
    contract: str
    exclusion: str
    active: bool


@dataclass(frozen=True)
class ClaimSnapshot:
    """One open service-credit claim: its state and, for a draft, when its window closes."""

    vendor: str
    contract: str
    period: str
    state: str
    deadline: datetime | None = None  # end of the claim window (drafts only)
    overdue: bool = False  # a draft past its window
    drafted: bool = True  # False: a provisional period's credit, no claim yet (deadline only)


@dataclass(frozen=True)
class LedgerSnapshot:
    """The claims ledger of one contract, year and currency (`monitor.domain.claims`);
    `sum by (vendor, year, currency)` gives the vendor's ledger."""

    vendor: str
    contract: str
    year: str
    currency: str
    owed: Decimal
    claimed: Decimal
    accepted: Decimal
    credited: Decimal
    written_off: Decimal
    outstanding: Decimal


@dataclass(frozen=True)
class NotificationSnapshot:
    """Notices of one contract over one kind of channel that could not be delivered yet."""

    vendor: str
    contract: str
    channel: str  # the notifier kind: email, webhook, slack, pagerduty
    undelivered: int


@dataclass(frozen=True)
class SpreadSnapshot:
    """How far apart one SLA's queues (or sites) are this period: best minus worst
    attainment, in the SLA's unit (`monitor.domain.kpis` consistency)."""

    vendor: str
    contract: str
    sla: str
    period: str
    dimension: str  # queue | site
    unit: str  # ratio | seconds
    spread: float


@dataclass(frozen=True)
class MetricsSnapshot:
    taken_at: datetime
    slas: tuple[SlaSnapshot, ...] = ()
    contracts: tuple[ContractSnapshot, ...] = ()
    calendars: tuple[CalendarSnapshot, ...] = ()
    collectors: tuple[CollectorSnapshot, ...] = ()
    chronic: tuple[ChronicSnapshot, ...] = ()
    exclusions: tuple[ExclusionSnapshot, ...] = ()
    claims: tuple[ClaimSnapshot, ...] = ()
    ledgers: tuple[LedgerSnapshot, ...] = ()
    notifications: tuple[NotificationSnapshot, ...] = ()
    spreads: tuple[SpreadSnapshot, ...] = ()


class SnapshotSource(Protocol):
    """Produces the snapshot for a scrape at `now` (tz-aware). Must not call vendors."""

    def snapshot(self, now: datetime) -> MetricsSnapshot: ...


@dataclass(frozen=True)
class StaticSource:
    """Always the same snapshot: for tests, the benchmark and `serve-metrics --snapshot`."""

    value: MetricsSnapshot

    def snapshot(self, now: datetime) -> MetricsSnapshot:
        return self.value
