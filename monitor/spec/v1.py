"""`slamon/v1` `VendorContract`: pydantic models that mirror the YAML file key for key.

These models are the versioned public format (documented in docs/contracts.md), kept apart
from the domain types in `monitor.domain.contract`: `loader` maps one onto the other. Every
model forbids unknown keys, so a typo (`treshold:`) is an error rather than a silent
default. Scalars are parsed here, once (`values`): percentages become Decimal ratios,
durations `timedelta`, money `Decimal`. Rules that need several fields or files are in
`rules`, where each problem gets its own path.
"""

from __future__ import annotations

import difflib
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from monitor.domain.contract import TimeRange
from monitor.spec import values

API_VERSION = "slamon/v1"
KIND = "VendorContract"

Percent = Annotated[Decimal, BeforeValidator(values.parse_percent)]
Ratio = Annotated[Decimal, BeforeValidator(values.parse_ratio)]
Duration = Annotated[timedelta, BeforeValidator(values.parse_duration)]
Money = Annotated[Decimal, BeforeValidator(values.parse_money)]
MeasureValue = Annotated[values.Measure, BeforeValidator(values.parse_measure)]
Zone = Annotated[str, BeforeValidator(values.parse_zone)]
NotifyEvent = Annotated[str, BeforeValidator(lambda raw: _notify_event(raw))]
RRule = Annotated[str, BeforeValidator(values.parse_rrule)]
Instant = Annotated[datetime, BeforeValidator(values.parse_instant)]
Day = Annotated[date, BeforeValidator(values.parse_date)]
Range = Annotated[TimeRange, BeforeValidator(values.parse_time_range)]
Slug = Annotated[str, BeforeValidator(values.parse_slug)]
Currency = Annotated[str, BeforeValidator(values.parse_currency)]
EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]

Vendor = Literal[
    "genesys-cloud", "amazon-connect", "twilio-flex", "nice-cxone", "five9", "talkdesk", "csv"
]
Formula = Literal["plain", "add_back_excluded", "excusable_denominator", "user_minutes"]
MetricName = Literal["service_level", "asa", "abandon_rate", "aht", "fcr", "csat", "availability",
                     "occupancy"]


# What a notifier's `on:` may list: SLA breaches and recoveries (monitor.alerting.notifiers)
# and performance-issue case events (monitor.cases.notify.SUBSCRIPTION).
NOTIFY_EVENTS = ("breach", "recovery", "cases")


def _notify_event(raw: object) -> str:
    """A typo such as `[brech]` used to load and silently disable the notifier."""
    if raw in NOTIFY_EVENTS:
        return str(raw)
    close = difflib.get_close_matches(str(raw), NOTIFY_EVENTS, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ValueError(f"unknown event {raw!r}{hint}; use one of " + ", ".join(NOTIFY_EVENTS))


def _rounding_mode(raw: object) -> str:
    if raw not in values.ROUNDING_MODES:
        raise ValueError(
            f"unknown rounding mode {raw!r}; use one of " + ", ".join(sorted(values.ROUNDING_MODES))
        )
    return str(raw)


def _all_or_list(raw: object) -> object:
    return None if raw == "all" else raw


def _aggregation(raw: object) -> object:
    return {"method": raw} if isinstance(raw, str) else raw


def _target(raw: object) -> object:
    return raw if isinstance(raw, dict) else {"min": raw}


def _cap(raw: object) -> object:
    return None if raw == "at_risk_amount" else raw


class Spec(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, coerce_numbers_to_str=True
    )


class Effective(Spec):
    from_: Day = Field(alias="from", description="First day the contract is in force.")
    to: Day | None = Field(
        default=None, description="Last day in force (inclusive); empty = open-ended."
    )


class RoundingSpec(Spec):
    places: int = Field(default=2, ge=0, le=8, description="Decimal places of each credit line.")
    mode: Annotated[str, BeforeValidator(_rounding_mode)] = Field(
        default="ROUND_HALF_UP",
        description="A Python `decimal` rounding constant, e.g. ROUND_HALF_UP.",
    )


class ContactSpec(Spec):
    name: str = Field(description="Person or team at the vendor.")
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="Their e-mail.")
    role: str = Field(default="claims",
                      description="What they receive: claims, statements, escalation, ...")


class PartySpec(Spec):
    id: Slug = Field(description="The vendor company's id: labels, statements, dashboards.")
    legal_name: str = Field(description="The company's legal name, as on its invoices.")
    contacts: list[ContactSpec] = Field(default_factory=list,
                                        description="Who claims and statements go to.")


class Metadata(Spec):
    id: Slug = Field(description="Contract id, unique across all contract files.")
    name: str = Field(description="Human name of the contract or schedule.")
    vendor: PartySpec = Field(description="The company that owes the credits.")
    currency: Currency = Field(description="ISO 4217 code, e.g. USD.")
    timezone: Zone = Field(description="IANA zone in which periods and calendars are cut.")
    effective: Effective = Field(description="Term of the contract.")
    rounding: RoundingSpec = Field(
        default_factory=RoundingSpec, description="Rounding applied once, to each credit line."
    )


class Holidays(Spec):
    country: str | None = Field(
        default=None, description="ISO country code for the `holidays` package."
    )
    subdivision: str | None = Field(default=None, description="State/region code, e.g. ENG or CA.")
    include: list[Day] = Field(default_factory=list, description="Extra closed days.")
    exclude: list[Day] = Field(
        default_factory=list, description="Country holidays that are still worked."
    )


class CalendarSpec(Spec):
    weekly: dict[str, list[Range]] = Field(
        description="Open hours: day keys (mon-fri, sat, 'mon,wed') to ranges '08:00-20:00'."
    )
    holidays: Holidays | None = Field(default=None, description="Closed days.")


class ExclusionSpec(Spec):
    id: Slug = Field(description="Exclusion id, unique in the file.")
    reason: str = Field(description="Why this time does not count (contract clause, approval).")
    applies_to: Annotated[list[str] | None, BeforeValidator(_all_or_list)] = Field(
        default=None, description="`all`, or SLA ids and metric names this exclusion covers."
    )
    from_: Instant | None = Field(
        default=None, alias="from", description="One-off start, with offset."
    )
    to: Instant | None = Field(default=None, description="One-off end, with offset.")
    rrule: RRule | None = Field(
        default=None, description="Recurrence (RFC 5545) in the contract zone."
    )
    duration: Duration | None = Field(default=None, description="Length of each recurrence.")


class QueueSpec(Spec):
    id: str = Field(description="Vendor queue id (Genesys queue id, Connect queue id, WQ sid).")
    name: str = Field(description="Display name.")
    channel: Literal["voice", "chat", "email", "message", "task", "callback", "social"] = Field(
        default="voice", description="Contact channel."
    )
    site: str | None = Field(default=None, description="Site or region label, free text.")


class DownRuleSpec(Spec):
    failing_locations: int = Field(
        default=1, ge=1, description="K: probe locations that must fail in the same sample."
    )
    of_locations: int | None = Field(
        default=None, ge=1,
        description="M: locations expected; empty = those that reported. A missing location "
        "that could still make K is unknown, never up.",
    )
    consecutive_samples: int = Field(
        default=1, ge=1, description="N: failing samples in a row before the time counts as down."
    )
    step: Duration = Field(
        default=timedelta(minutes=1),
        description="Sample grid (query_range step; CSV tests are bucketed to it).",
    )
    location_label: str = Field(
        default="instance", description="Prometheus label naming the probe location."
    )


class IndependentSpec(Spec):
    kind: Literal["prometheus", "probes"] = Field(
        description="prometheus: the customer's Prometheus; probes: synthetic-test CSV files."
    )
    name: Slug | None = Field(default=None, description="Source name (default: the kind).")
    url: str | None = Field(
        default=None, pattern=r"^https?://[^\s/]+", description="prometheus: its base URL."
    )
    components: dict[str, str] = Field(
        description="Component (as the SLA and the status page name it) -> PromQL expression "
        "returning 1 (pass) / 0 (fail) per location, or the CSV's target.",
        min_length=1,
    )
    rule: DownRuleSpec = Field(
        default_factory=DownRuleSpec, description="When a component counts as down."
    )


class SourcesSpec(Spec):
    platform: Vendor = Field(description="The platform polled: the collector kind.")
    queues: list[QueueSpec] = Field(default_factory=list, description="Queues to poll.")
    status_page: str | None = Field(
        default=None, pattern=r"^https?://[^\s/]+", description="Statuspage base URL to watch."
    )
    components: list[str] = Field(
        default_factory=list, description="Status-page component names to watch (empty = all)."
    )
    credentials_env: dict[str, EnvName] = Field(
        default_factory=dict, description="Credential role -> environment variable holding it."
    )
    poll_interval: Duration = Field(default=timedelta(minutes=5), description="How often to poll.")
    instance_arn: str | None = Field(default=None, description="Amazon Connect instance ARN.")
    region: str | None = Field(
        default=None, description="Genesys Cloud region (e.g. eu_central_1) or AWS region."
    )
    api_host: str | None = Field(
        default=None, description="Explicit API host, overrides the region."
    )
    workspace_sid: str | None = Field(
        default=None, description="Twilio TaskRouter workspace SID (WS...)."
    )
    business_unit: str | None = Field(default=None, description="NICE CXone business unit id.")
    domain_id: str | None = Field(default=None, description="Five9 domain id.")
    account: str | None = Field(
        default=None, description="Talkdesk account name or Twilio account SID."
    )
    path: str | None = Field(
        default=None, description="csv vendor: the directory files are dropped in."
    )
    settings: dict[str, str] = Field(
        default_factory=dict,
        description="Platform-specific collector settings (report names, columns, routes; "
                    "see docs/collectors.md).",
    )
    measurement_of_record: Literal["vendor", "independent", "worst_of"] = Field(
        default="vendor",
        description="Downtime availability SLAs use: the vendor's, the independently observed "
        "(the vendor's where nothing was observed), or the worst of both for every minute.",
    )
    independent: list[IndependentSpec] = Field(
        default_factory=list, description="The customer's own checks of the vendor."
    )
    under_reported_case: Duration | None = Field(
        default=None,
        description="Open a 'vendor under-reported' case once this much observed downtime in "
        "a period went unreported by the vendor.",
    )


class TargetSpec(Spec):
    min: MeasureValue | None = Field(default=None, description="The value must be at least this.")
    max: MeasureValue | None = Field(default=None, description="The value must be at most this.")


TargetField = Annotated[TargetSpec, BeforeValidator(_target)]


class TargetStepSpec(Spec):
    from_: Day = Field(alias="from", description="First day this target is in force.")
    target: TargetField = Field(description="The target from that day on.")


class TierSpec(Spec):
    credit: Percent = Field(description="Credit as a share of the credit base.")
    below: MeasureValue | None = Field(default=None, description="Exclusive upper bound.")
    at_least: MeasureValue | None = Field(default=None, description="Inclusive lower bound.")
    above: MeasureValue | None = Field(default=None, description="Exclusive lower bound.")
    at_most: MeasureValue | None = Field(default=None, description="Inclusive upper bound.")


class EarnbackSpec(Spec):
    months: int = Field(ge=1, le=24, description="Following months that must all meet target.")
    trigger: MeasureValue | Literal["target"] | None = Field(
        default=None, description="Level to meet instead of the target (default: the target)."
    )


class CreditsSpec(Spec):
    base: str | None = Field(
        default=None,
        pattern=r"^fees\.[A-Za-z0-9_-]+$",
        description="Credit base, e.g. fees.monthly.",
    )
    tiers: list[TierSpec] = Field(default_factory=list, description="Credit table.")
    minimum_credit: Money | None = Field(
        default=None, description="A credit at or below this is not issued."
    )
    cap: Percent | None = Field(default=None, description="Per-month cap as a share of the base.")
    allocation: Percent | None = Field(default=None, description="Share of the at-risk amount.")
    category: str | None = Field(default=None, description="At-risk category this SLA belongs to.")
    earnback: EarnbackSpec | None = Field(default=None, description="Earn-back rule.")
    per_point: Money | None = Field(
        default=None, description="Money per percentage point or second beyond target."
    )
    round_up: bool = Field(
        default=False, description="Count a fraction of a point as a whole point."
    )
    unrelieved: bool = Field(default=False, description="Never earned back (peak-period credits).")


class DefaultRuleSpec(Spec):
    misses: int = Field(ge=1, le=60, description="Expected-level misses that make a default.")
    within_months: int = Field(ge=1, le=60, description="Rolling window in months.")


class AggregationSpec(Spec):
    method: Literal["volume_weighted", "interval_compliance", "mean_of_ratios"] = Field(
        default="volume_weighted", description="How intervals roll up to the period."
    )
    share: Percent | None = Field(
        default=None, description="interval_compliance: share of intervals that must meet target."
    )


class ContinuousImprovementSpec(Spec):
    months: int = Field(default=12, ge=1, le=60, description="Consecutive months above target.")
    cap: Percent | None = Field(
        default=None, description="Largest step as a share of (1 - target)."
    )


class SlaSpec(Spec):
    id: Slug = Field(description="SLA id, unique in the file.")
    metric: MetricName = Field(description="What is measured.")
    target: TargetField = Field(description="'85%' (at least) or {max: 5%} / {max: 30s}.")
    description: str = Field(default="", description="Free text, shown in reports.")
    calendar: str = Field(default="24x7", description="Calendar id, or the built-in 24x7.")
    period: Literal["month", "quarter", "year"] = Field(
        default="month", description="Measurement period."
    )
    targets: list[TargetStepSpec] = Field(default_factory=list, description="Target steps.")
    minimum: MeasureValue | None = Field(
        default=None, description="Minimum level: a miss is a default."
    )
    default_rule: DefaultRuleSpec | None = Field(
        default=None, description="Expected-level default rule."
    )
    channel: str | None = Field(default=None, description="Only queues of this channel.")
    queues: list[str] = Field(default_factory=list, description="Queue ids (default: all).")
    threshold: Duration | None = Field(
        default=None, description="service_level: answer within this."
    )
    abandons: (
        Literal[
            "positive",
            "ignore",
            "negative",
            "exclude_within_threshold",
            "short_as_success",
            "exclude_short",
        ]
        | None
    ) = Field(default=None, description="service_level: how abandons count (F1..F6).")
    short_abandon: Duration | None = Field(default=None, description="Abandons shorter than this.")
    aggregation: Annotated[AggregationSpec, BeforeValidator(_aggregation)] = Field(
        default_factory=AggregationSpec, description="volume_weighted or interval_compliance."
    )
    formula: Formula | None = Field(default=None, description="availability: uptime formula.")
    components: list[str] = Field(default_factory=list, description="availability: services.")
    denominator: Literal["answered", "offered"] | None = Field(
        default=None, description="asa basis."
    )
    method: Literal["top2box", "mean_score"] | None = Field(
        default=None, description="csat method."
    )
    key_measurement: bool = Field(default=False, description="Reported, never credited.")
    credits: CreditsSpec | None = Field(default=None, description="What a miss costs the vendor.")
    continuous_improvement: ContinuousImprovementSpec | None = Field(
        default=None, description="Halfway target step-up after sustained over-performance."
    )
    min_downtime: Duration = Field(
        default=timedelta(0), description="Shorter outages do not count."
    )


class AtRiskSpec(Spec):
    percent_of_fees: Percent = Field(description="At-risk amount as a share of the base fee.")
    pool: Ratio = Field(
        default=Decimal(1), description="Most the allocations may add up to (e.g. 250%)."
    )
    monthly_cap: Annotated[Money | None, BeforeValidator(_cap)] = Field(
        default=None, description="`at_risk_amount` (default) or a money cap on a month's credits."
    )
    base: str = Field(
        default="fees.monthly", pattern=r"^fees\.[A-Za-z0-9_-]+$", description="Fee base."
    )
    categories: dict[str, Percent] = Field(
        default_factory=dict, description="Category -> share of the pool it may use."
    )


class ChronicSpec(Spec):
    sla: str = Field(description="An SLA id or `any`.")
    misses: int = Field(ge=1, le=60, description="Misses that trigger the consequence.")
    within_months: int = Field(ge=1, le=60, description="Window in months.")
    consequence: Slug = Field(description="e.g. termination_right, escalation.")
    consecutive: bool = Field(default=False, description="The misses must be consecutive months.")
    level: Literal["target", "minimum"] = Field(
        default="target",
        description="Which misses count: any miss of target, or minimum misses only.",
    )


class ClaimsSpec(Spec):
    deadline_days_after_period: int | None = Field(
        default=None,
        ge=0,
        le=366,
        description="Days after the period within which credits must be claimed.",
    )
    notice_days_before_deadline: int = Field(
        default=7,
        ge=0,
        le=365,
        description="Send the claim-deadline notice this many days before the window "
        "closes (to notifiers whose `on:` lists `claims`).",
    )


class PerformanceIssueSpec(Spec):
    acknowledge_within: Duration = Field(description="Vendor acknowledges a breach within.")
    rca_due_within: Duration = Field(description="Root-cause analysis due within.")
    escalate_after: Duration = Field(description="Escalate when still open after.")
    business_days: bool = Field(
        default=False, description="Days count business days of `calendar`."
    )
    calendar: str = Field(default="24x7", description="Calendar for business days.")
    contacts: dict[str, str] = Field(default_factory=dict, description="Role -> address.")
    statement_due_days: int = Field(
        default=5, ge=0, le=366, description="Credit statement due, days after."
    )


class NotifierSpec(Spec):
    kind: Literal["webhook", "slack", "pagerduty", "email"] = Field(description="Channel kind.")
    url_env: EnvName | None = Field(
        default=None, description="Env var holding the webhook/Slack URL."
    )
    routing_key_env: EnvName | None = Field(
        default=None, description="Env var with the PagerDuty key."
    )
    to: list[str] = Field(default_factory=list, description="email: recipients.")
    on: list[NotifyEvent] = Field(
        default_factory=lambda: ["breach", "recovery"], min_length=1,
        description="Events to notify: breach, recovery, cases.",
    )


class AmendmentSpec(Spec):
    id: Slug = Field(description="Amendment id, e.g. amendment-1; reports name it.")
    effective: Day = Field(description="First day in force; periods starting on or after it "
                           "are evaluated under it.")
    description: str = Field(default="", description="What changed and why, in words.")
    fees: dict[str, Money] = Field(default_factory=dict, description="Fees replaced or added.")
    slas: list[dict[str, Any]] = Field(
        default_factory=list, description="SLAs changed (by id: only the keys given change) "
        "or added (a new id: a complete SLA).")
    remove_slas: list[str] = Field(default_factory=list, description="SLA ids dropped.")
    at_risk: dict[str, Any] | None = Field(default=None, description="at_risk keys replaced.")
    claims: dict[str, Any] | None = Field(default=None, description="claims keys replaced.")


class ContractSpec(Spec):
    apiVersion: Literal["slamon/v1"] = Field(description="Always slamon/v1.")
    kind: Literal["VendorContract"] = Field(description="Always VendorContract.")
    metadata: Metadata = Field(description="Identity, currency, zone and term.")
    fees: dict[str, Money] = Field(description="Named charges that credit bases refer to.")
    calendars: dict[str, CalendarSpec] = Field(default_factory=dict, description="By id.")
    exclusions: list[ExclusionSpec] = Field(default_factory=list, description="Excluded time.")
    sources: list[SourcesSpec] = Field(
        default_factory=list, description="What to poll: one entry per platform (a single "
        "mapping is read as a list of one).")
    at_risk: AtRiskSpec | None = Field(default=None, description="Outsourcing-style at-risk pool.")
    slas: list[SlaSpec] = Field(min_length=1, description="The service levels.")
    chronic_failure: list[ChronicSpec] = Field(default_factory=list, description="Repeat rules.")
    claims: ClaimsSpec | None = Field(default=None, description="Claim deadlines.")
    performance_issue: PerformanceIssueSpec | None = Field(
        default=None, description="Breach process."
    )
    notifications: list[NotifierSpec] = Field(default_factory=list, description="Notifiers.")
    amendments: list[AmendmentSpec] = Field(
        default_factory=list, description="Effective-dated changes, oldest first.")


def header_problems(data: Any) -> list[tuple[str, str]]:
    """`apiVersion` and `kind` are checked before anything else: (path, message) pairs."""
    if not isinstance(data, dict):
        return [("", "a contract file must be a mapping with apiVersion, kind, metadata, slas")]
    found: list[tuple[str, str]] = []
    if data.get("apiVersion") != API_VERSION:
        found.append(("apiVersion", f"must be {API_VERSION!r}, got {data.get('apiVersion')!r}"))
    if data.get("kind") != KIND:
        found.append(("kind", f"must be {KIND!r}, got {data.get('kind')!r}"))
    return found
