"""What the engine returns: periods, per-SLA results with their evidence, credit lines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from monitor.domain.contract import PeriodKind, Status, Target


@dataclass(frozen=True)
class Period:
    """A measurement period cut in the contract's zone.

    `start`/`end` are the part the contract covers (pro-rated at the contract's start and
    end); `full_start`/`full_end` the calendar period around it. All four are tz-aware in
    the contract zone; `end` is exclusive. Minutes are real elapsed minutes.
    """

    label: str  # "2026-10", "2026-Q4", "2026"
    kind: PeriodKind
    start: datetime
    end: datetime
    full_start: datetime
    full_end: datetime

    @property
    def minutes(self) -> int:
        # Through UTC: Python ignores a DST change when both ends share one tzinfo.
        return int((self.end.astimezone(UTC) - self.start.astimezone(UTC)).total_seconds() // 60)

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def prorated(self) -> bool:
        return self.start != self.full_start or self.end != self.full_end


@dataclass(frozen=True)
class AppliedExclusion:
    exclusion_id: str
    reason: str
    start: datetime
    end: datetime
    minutes: Decimal  # minutes that counted (inside the SLA's calendar and period)


@dataclass(frozen=True, eq=False)
class Evidence:
    numerator: Decimal
    denominator: Decimal
    intervals: int
    excluded_minutes: Decimal
    formula: str
    tier: str | None = None
    exclusions: tuple[AppliedExclusion, ...] = ()
    measured_minutes: Decimal = Decimal(0)  # calendar minutes in the period for this SLA
    details: Mapping[str, Any] = field(default_factory=dict)
    # Per-interval numbers behind the figure (for reports); None when not kept.
    per_interval: pd.DataFrame | None = None


@dataclass(frozen=True)
class SpanNote:
    component: str
    start: datetime  # in the contract zone
    end: datetime
    minutes: Decimal
    unreported_minutes: Decimal = Decimal(0)  # observed spans: the part the vendor missed
    vendor_ref: str | None = None
    note: str = ""
    locations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reconciliation:
    sla_id: str
    period: str
    record: str  # vendor | independent | worst_of
    vendor_minutes: Decimal  # downtime counted from the vendor's outages
    observed_minutes: Decimal  # downtime counted from the independent observations
    record_minutes: Decimal  # downtime the SLA's figure uses
    unreported_minutes: Decimal  # observed down, not reported by the vendor
    unobserved_minutes: Decimal  # reported by the vendor, not observed down
    unknown_minutes: Decimal  # no usable probe data (inside the SLA's calendar)
    observed: tuple[SpanNote, ...] = ()
    unobserved: tuple[SpanNote, ...] = ()
    # Every outage the figure of record counts (note = its source), whichever that is.
    counted: tuple[SpanNote, ...] = ()

    @property
    def unreported(self) -> tuple[SpanNote, ...]:
        return tuple(n for n in self.observed if n.unreported_minutes > 0)


@dataclass(frozen=True, eq=False)
class SlaResult:
    sla_id: str
    metric: str
    value: Decimal | None  # contractual value (exclusions applied); None = no data
    raw_value: Decimal | None  # the same with no exclusion applied
    target: Target
    status: Status
    evidence: Evidence
    minimum: Decimal | None = None
    below_minimum: bool = False
    key_measurement: bool = False
    # Availability SLAs watched by an independent source: vendor vs observed downtime.
    reconciliation: Reconciliation | None = None


@dataclass(frozen=True, eq=False)
class Evaluation:
    contract_id: str
    period: Period
    as_of: datetime
    status: str  # open | provisional | final
    results: tuple[SlaResult, ...]
    problems: tuple[str, ...] = ()

    def result(self, sla_id: str) -> SlaResult:
        for r in self.results:
            if r.sla_id == sla_id:
                return r
        raise KeyError(sla_id)


@dataclass(frozen=True)
class CreditLine:
    """One SLA's money for one period. `amount` is rounded once, by the contract's rule."""

    sla_id: str
    period: str
    currency: str
    amount: Decimal  # what is owed now (0 while held for earn-back)
    assessed: Decimal  # what the mechanism produced before holds and caps
    mechanism: str  # tier | allocation | per_point | default | earnback | none
    # issued | held | earned_back | confirmed | below_minimum | capped | key_measurement | none
    status: str
    tier: str | None = None
    explanation: str = ""
    # The period whose performance produced this money; differs from `period` only on the
    # earn-back resolution lines (confirmed / earned_back) of an earlier period's credit.
    origin: str | None = None
    held: Decimal = Decimal(0)  # money held for earn-back on this line (status "held")
    trigger: str = ""  # breach | minimum_default | expected_default ("" when no credit)


@dataclass(frozen=True)
class ChronicFailure:
    rule_sla: str
    consequence: str
    periods: tuple[str, ...]
    raised_in: str


@dataclass(frozen=True)
class PeriodCredits:
    period: str
    currency: str
    lines: tuple[CreditLine, ...]
    total: Decimal  # after caps
    cap: Decimal | None
    chronic: tuple[ChronicFailure, ...] = ()
    held: Decimal = Decimal(0)  # this period's credits held for earn-back (not in `total`)
    confirmed: Decimal = Decimal(0)  # earlier periods' held credits owed now (in `total`)
    earned_back: Decimal = Decimal(0)  # earlier periods' held credits returned now
