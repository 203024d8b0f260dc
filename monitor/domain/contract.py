"""The contract as the engine sees it: frozen values, already parsed and checked.

`monitor.spec` turns YAML into these; nothing here knows about YAML, files or pydantic.
Percentages are `Decimal` ratios in [0, 1] ("99.99%" -> Decimal("0.9999")), durations are
`timedelta`, money is `Decimal` in the contract currency, zones are `ZoneInfo`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo


class Metric(StrEnum):
    SERVICE_LEVEL = "service_level"
    ASA = "asa"
    ABANDON_RATE = "abandon_rate"
    AHT = "aht"
    FCR = "fcr"
    CSAT = "csat"
    AVAILABILITY = "availability"
    # Agents' handle time / (handle + idle time), Amazon Connect's AGENT_OCCUPANCY definition
    # (research/penalty_formulas.md 1.8); measured from `agent_busy_seconds` and
    # `agent_idle_seconds`, which only file sources carry so far.
    OCCUPANCY = "occupancy"


# Metrics whose values are seconds (targets are maxima in seconds); every other metric is a
# ratio in [0, 1]. Metric is a StrEnum, so plain metric names test true here too.
SECONDS_METRICS: frozenset[Metric] = frozenset({Metric.ASA, Metric.AHT})


class AbandonTreatment(StrEnum):
    """How abandoned contacts enter service level (penalty_formulas.md §1.1, F1-F6)."""

    POSITIVE = "positive"  # F1: abandons within T are successes
    IGNORE = "ignore"  # F2: answered only
    NEGATIVE = "negative"  # F3: every abandon is a failure
    EXCLUDE_WITHIN_THRESHOLD = "exclude_within_threshold"  # F4
    SHORT_AS_SUCCESS = "short_as_success"  # F5: abandons within S are successes
    EXCLUDE_SHORT = "exclude_short"  # F6: abandons within S leave the denominator


class AvailabilityFormula(StrEnum):
    PLAIN = "plain"  # (A - B) / A, excluded time simply not counted as downtime
    ADD_BACK_EXCLUDED = "add_back_excluded"  # Twilio 2021: (A - B + C) / A
    EXCUSABLE_DENOMINATOR = "excusable_denominator"  # NICE: (x - y - z) / (x - y)
    USER_MINUTES = "user_minutes"  # Microsoft: downtime weighted by affected share


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Direction(StrEnum):
    """`min`: the value must be at least the target (service level); `max`: at most (ASA)."""

    MIN = "min"
    MAX = "max"


class AggregationMethod(StrEnum):
    VOLUME_WEIGHTED = "volume_weighted"
    INTERVAL_COMPLIANCE = "interval_compliance"
    MEAN_OF_RATIOS = "mean_of_ratios"  # only when a contract really says so


class AsaDenominator(StrEnum):
    ANSWERED = "answered"
    OFFERED = "offered"


class CsatMethod(StrEnum):
    TOP2BOX = "top2box"
    MEAN_SCORE = "mean_score"  # 5 = 100 %, 4 = 75 %, ... 1 = 0 %


class Status(StrEnum):
    MET = "met"
    BREACHED = "breached"
    INSUFFICIENT_DATA = "insufficient_data"
    KEY_MEASUREMENT_MISSED = "key_measurement_missed"


@dataclass(frozen=True)
class Rounding:
    places: int = 2
    mode: str = "ROUND_HALF_UP"  # a `decimal` rounding constant name


@dataclass(frozen=True)
class TimeRange:
    """Local wall-clock range within one day; `end` of 24:00 is written as time.max."""

    start: time
    end: time
    ends_at_midnight: bool = False


@dataclass(frozen=True)
class Calendar:
    """Business hours. `weekly` maps Monday=0 .. Sunday=6 to the open ranges of that day."""

    id: str
    weekly: Mapping[int, tuple[TimeRange, ...]]
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    closed_dates: frozenset[date] = frozenset()  # `include`: extra closed days
    open_dates: frozenset[date] = frozenset()  # `exclude`: holidays still worked
    always_open: bool = False  # the built-in "24x7"


CALENDAR_24X7 = Calendar(id="24x7", weekly={}, always_open=True)


@dataclass(frozen=True)
class Exclusion:
    """Time that does not count against the vendor: one-off (`start`/`end`) or recurring."""

    id: str
    reason: str
    applies_to: frozenset[str] | None  # None = all SLAs
    start: datetime | None = None
    end: datetime | None = None
    rrule: str | None = None  # RFC 5545, interpreted in the contract zone
    duration: timedelta | None = None

    def applies(self, sla_id: str, metric: str) -> bool:
        return self.applies_to is None or sla_id in self.applies_to or metric in self.applies_to


@dataclass(frozen=True)
class Queue:
    id: str
    name: str
    channel: str = "voice"
    site: str | None = None


class Record(StrEnum):
    """Which downtime the availability SLAs use (`sources.measurement_of_record`)."""

    VENDOR = "vendor"  # the vendor's outages (status page, API), as most contracts say
    INDEPENDENT = "independent"  # observed; the vendor's word only where nothing observed
    WORST_OF = "worst_of"  # every minute either of them counts as down


@dataclass(frozen=True)
class DownRule:
    failing: int = 1  # K: failing locations that make a step a failure
    locations: int | None = None  # M: locations expected; None = those that reported
    consecutive: int = 1  # N: failing steps in a row before the span counts
    step: timedelta = timedelta(minutes=1)  # the sample grid
    location_label: str = "instance"  # the Prometheus label naming the probe location

    @property
    def step_ns(self) -> int:
        return int(self.step.total_seconds() * 1_000_000_000)


@dataclass(frozen=True)
class IndependentSource:
    """One configured check: `components` maps a component (the vendor's status-page name
    the SLA lists) to a PromQL expression (prometheus) or the CSV's target (probes)."""

    kind: str  # prometheus | probes
    name: str
    components: Mapping[str, str]
    rule: DownRule = DownRule()
    url: str | None = None


NO_PLATFORM = "none"  # a contract with no `sources`: data arrives by `slamon import` only


@dataclass(frozen=True)
class Contact:
    """A person at the vendor company: who statements and claims go to."""

    name: str
    email: str
    role: str = "claims"  # claims | statements | escalation | account | ...


@dataclass(frozen=True)
class Party:
    """The company that owes the credits: not the platform it runs (`Sources.platform`).
    Two BPOs reporting by CSV are two parties on one platform."""

    id: str
    legal_name: str
    contacts: tuple[Contact, ...] = ()


@dataclass(frozen=True)
class Sources:
    # The platform polled (a collector kind: genesys-cloud, amazon-connect, csv, ...);
    # "" for a contract built in code, which then reads as `Contract.vendor`.
    platform: str = ""
    queues: tuple[Queue, ...] = ()
    status_page: str | None = None
    credentials_env: Mapping[str, str] = field(default_factory=dict)
    # Vendor-specific connection settings (instance_arn, region, workspace_sid, ...).
    settings: Mapping[str, str] = field(default_factory=dict)
    components: tuple[str, ...] = ()  # status-page components to watch
    poll_interval: timedelta = timedelta(minutes=5)
    # Which downtime availability SLAs use, and the customer's own checks.
    measurement_of_record: Record = Record.VENDOR
    independent: tuple[IndependentSource, ...] = ()
    # Open a "vendor under-reported" case once this much observed downtime went unreported.
    under_reported_case: timedelta | None = None


@dataclass(frozen=True)
class Target:
    value: Decimal  # a ratio for percentages, seconds for times
    direction: Direction = Direction.MIN


@dataclass(frozen=True)
class TargetStep:
    start: date
    target: Target


@dataclass(frozen=True)
class Tier:
    """One row of a credit table. Bounds are explicit: `below`/`above` are exclusive,
    `at_least`/`at_most` inclusive; a missing bound is open."""

    credit: Decimal  # ratio of the credit base
    below: Decimal | None = None
    at_least: Decimal | None = None
    above: Decimal | None = None
    at_most: Decimal | None = None

    def contains(self, value: Decimal) -> bool:
        if self.below is not None and not value < self.below:
            return False
        if self.at_least is not None and not value >= self.at_least:
            return False
        if self.above is not None and not value > self.above:
            return False
        return not (self.at_most is not None and not value <= self.at_most)


@dataclass(frozen=True)
class Earnback:
    months: int
    # "target" (the SLA's target in force) or an explicit higher ratio to earn back against
    trigger: Decimal | None = None


@dataclass(frozen=True)
class CreditSpec:
    base: str | None = None  # "fees.monthly", "fees.<name>" or None with at_risk allocation
    tiers: tuple[Tier, ...] = ()
    minimum_credit: Decimal | None = None  # a credit at or below this is not issued
    cap: Decimal | None = None  # per-month cap, ratio of the base
    allocation: Decimal | None = None  # share of the at-risk amount
    category: str | None = None  # at-risk category pool
    earnback: Earnback | None = None
    per_point: Decimal | None = None  # money per point (percentage point or second)
    round_up: bool = False  # "or fraction thereof"
    unrelieved: bool = False  # never earned back (peak-period credits)


@dataclass(frozen=True)
class DefaultRule:
    misses: int
    within_months: int


@dataclass(frozen=True)
class ContinuousImprovement:
    """Sears/CSC halfway rule: after `months` consecutive months above target, the target
    moves halfway to the average actual; `cap` limits one step to a share of (1 - target)."""

    months: int = 12
    cap: Decimal | None = None


@dataclass(frozen=True)
class Aggregation:
    method: AggregationMethod = AggregationMethod.VOLUME_WEIGHTED
    share: Decimal | None = None  # interval_compliance: share of intervals that must meet


@dataclass(frozen=True)
class Sla:
    id: str
    metric: Metric
    target: Target
    calendar: str = "24x7"
    period: PeriodKind = PeriodKind.MONTH
    targets: tuple[TargetStep, ...] = ()
    minimum: Decimal | None = None
    default_rule: DefaultRule | None = None
    channel: str | None = None
    queues: tuple[str, ...] = ()  # empty = every queue (of the channel)
    threshold: timedelta | None = None
    abandons: AbandonTreatment = AbandonTreatment.POSITIVE
    short_abandon: timedelta | None = None
    aggregation: Aggregation = Aggregation()
    formula: AvailabilityFormula = AvailabilityFormula.PLAIN
    components: tuple[str, ...] = ()
    denominator: AsaDenominator = AsaDenominator.ANSWERED
    method: CsatMethod = CsatMethod.TOP2BOX
    key_measurement: bool = False
    credits: CreditSpec | None = None
    continuous_improvement: ContinuousImprovement | None = None
    min_downtime: timedelta = timedelta(0)  # shorter outages are not counted
    description: str = ""

    def target_on(self, day: date) -> Target:
        """The target in force on `day`: the last step that started on or before it."""
        current = self.target
        for step in sorted(self.targets, key=lambda s: s.start):
            if step.start <= day:
                current = step.target
        return current


@dataclass(frozen=True)
class AtRisk:
    percent_of_fees: Decimal
    pool: Decimal = Decimal(1)
    monthly_cap: Decimal | None = None  # money; None = the at-risk amount itself
    base: str = "fees.monthly"
    categories: Mapping[str, Decimal] = field(default_factory=dict)  # category -> pool share


@dataclass(frozen=True)
class ChronicRule:
    sla: str  # an SLA id or "any"
    misses: int
    within_months: int
    consequence: str
    consecutive: bool = False
    level: str = "target"  # "target": any miss counts; "minimum": only minimum-level misses


@dataclass(frozen=True)
class PerformanceIssue:
    acknowledge_within: timedelta
    rca_due_within: timedelta
    escalate_after: timedelta
    business_days: bool = False
    calendar: str = "24x7"
    contacts: Mapping[str, str] = field(default_factory=dict)
    statement_due_days: int = 5


@dataclass(frozen=True)
class Notifier:
    kind: str  # webhook | slack | pagerduty | email
    target_env: str | None = None  # env var holding the URL/key
    to: tuple[str, ...] = ()
    on: tuple[str, ...] = ("breach", "recovery")


@dataclass(frozen=True)
class Contract:
    id: str
    name: str
    vendor: str
    currency: str
    tz: ZoneInfo
    effective_from: date
    effective_to: date | None
    rounding: Rounding
    fees: Mapping[str, Decimal]
    calendars: Mapping[str, Calendar]
    exclusions: tuple[Exclusion, ...]
    sources: Sources
    slas: tuple[Sla, ...]
    at_risk: AtRisk | None = None
    chronic_failure: tuple[ChronicRule, ...] = ()
    claim_deadline_days: int | None = None
    claim_notice_days: int = 7  # the claim-deadline notice goes this many days before
    performance_issue: PerformanceIssue | None = None
    notifications: tuple[Notifier, ...] = ()
    source_file: str | None = None
    source_hash: str | None = None
    party: Party | None = None  # None: a contract built in code; `vendor` is the party id
    more_sources: tuple[Sources, ...] = ()  # platforms beyond the first (`sources`)
    revision: str = "original"  # the amendment this contract is, or "original"
    revision_note: str = ""
    # Amended versions of this contract, each complete, oldest first: (effective, contract).
    amendments: tuple[tuple[date, Contract], ...] = ()

    @property
    def platform(self) -> str:
        return self.sources.platform or self.vendor

    @property
    def all_sources(self) -> tuple[Sources, ...]:
        return (self.sources, *self.more_sources)

    @property
    def independent(self) -> tuple[IndependentSource, ...]:
        """Every source's independent checks (docs/evidence.md)."""
        return tuple(i for s in self.all_sources for i in s.independent)

    @property
    def measurement_of_record(self) -> Record:
        """The record a source with independent checks sets; vendor when none does."""
        return next((s.measurement_of_record for s in self.all_sources
                     if s.measurement_of_record is not Record.VENDOR), Record.VENDOR)

    @property
    def under_reported_case(self) -> timedelta | None:
        return next((s.under_reported_case for s in self.all_sources
                     if s.under_reported_case is not None), None)

    @property
    def legal_name(self) -> str:
        return self.party.legal_name if self.party is not None else self.vendor

    def in_force(self, day: date) -> Contract:
        """The revision of this contract in force on `day` (periods are judged under the
        revision in force on their first day), so an amendment never rewrites history."""
        current = self
        for effective, amended in self.amendments:
            if effective <= day:
                current = amended
        return current

    def calendar(self, calendar_id: str) -> Calendar:
        if calendar_id == CALENDAR_24X7.id:
            return self.calendars.get(calendar_id, CALENDAR_24X7)
        return self.calendars[calendar_id]

    def sla(self, sla_id: str) -> Sla:
        for sla in self.slas:
            if sla.id == sla_id:
                return sla
        raise KeyError(sla_id)

    def at_risk_amount(self) -> Decimal | None:
        if self.at_risk is None:
            return None
        return self.fee(self.at_risk.base) * self.at_risk.percent_of_fees

    def fee(self, base: str) -> Decimal:
        """Resolve a credit base such as `fees.monthly`."""
        name = base.removeprefix("fees.")
        return self.fees[name]
