"""Map a checked `v1.ContractSpec` onto the frozen domain `Contract`.

Pure and total: it runs only after `rules` found no error, so it does no checking of its
own. Defaults that depend on the metric (abandons `positive`, formula `plain`, ASA
denominator `answered`, CSAT `top2box`) are filled in here.
"""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from monitor.domain.contract import (
    NO_PLATFORM,
    AbandonTreatment,
    Aggregation,
    AggregationMethod,
    AsaDenominator,
    AtRisk,
    AvailabilityFormula,
    Calendar,
    ChronicRule,
    Contact,
    ContinuousImprovement,
    Contract,
    CreditSpec,
    CsatMethod,
    DefaultRule,
    Direction,
    DownRule,
    Earnback,
    Exclusion,
    IndependentSource,
    Metric,
    Notifier,
    Party,
    PerformanceIssue,
    PeriodKind,
    Queue,
    Record,
    Rounding,
    Sla,
    Sources,
    Target,
    TargetStep,
    Tier,
    TimeRange,
)
from monitor.spec import v1
from monitor.spec.values import Measure, parse_days

SETTING_KEYS = (
    "instance_arn", "region", "api_host", "workspace_sid", "business_unit", "domain_id",
    "account", "path",
)


def to_target(spec: v1.TargetSpec) -> Target:
    if spec.max is not None:
        return Target(value=spec.max.value, direction=Direction.MAX)
    assert spec.min is not None  # rules: exactly one of min/max
    return Target(value=spec.min.value, direction=Direction.MIN)


def to_calendar(calendar_id: str, spec: v1.CalendarSpec) -> Calendar:
    weekly: dict[int, list[TimeRange]] = {}
    for days, ranges in spec.weekly.items():
        for day in parse_days(days):
            weekly.setdefault(day, []).extend(ranges)
    holidays = spec.holidays or v1.Holidays()
    return Calendar(
        id=calendar_id,
        weekly={day: tuple(sorted(r, key=lambda t: t.start)) for day, r in sorted(weekly.items())},
        holiday_country=holidays.country,
        holiday_subdivision=holidays.subdivision,
        closed_dates=frozenset(holidays.include),
        open_dates=frozenset(holidays.exclude),
    )


def to_credits(spec: v1.CreditsSpec) -> CreditSpec:
    earnback = None
    if spec.earnback is not None:
        trigger = spec.earnback.trigger
        earnback = Earnback(
            months=spec.earnback.months,
            trigger=trigger.value if isinstance(trigger, Measure) else None,
        )
    return CreditSpec(
        base=spec.base,
        tiers=tuple(
            Tier(credit=t.credit, below=_dec(t.below), at_least=_dec(t.at_least),
                 above=_dec(t.above), at_most=_dec(t.at_most))
            for t in spec.tiers
        ),
        minimum_credit=spec.minimum_credit,
        cap=spec.cap,
        allocation=spec.allocation,
        category=spec.category,
        earnback=earnback,
        per_point=spec.per_point,
        round_up=spec.round_up,
        unrelieved=spec.unrelieved,
    )


def _dec(measure: Measure | None) -> Decimal | None:
    return None if measure is None else measure.value


def to_sla(spec: v1.SlaSpec) -> Sla:
    ci = spec.continuous_improvement
    return Sla(
        id=spec.id,
        metric=Metric(spec.metric),
        target=to_target(spec.target),
        calendar=spec.calendar,
        period=PeriodKind(spec.period),
        targets=tuple(TargetStep(start=s.from_, target=to_target(s.target)) for s in spec.targets),
        minimum=None if spec.minimum is None else spec.minimum.value,
        default_rule=(
            None if spec.default_rule is None
            else DefaultRule(spec.default_rule.misses, spec.default_rule.within_months)
        ),
        channel=spec.channel,
        queues=tuple(spec.queues),
        threshold=spec.threshold,
        abandons=AbandonTreatment(spec.abandons or "positive"),
        short_abandon=spec.short_abandon,
        aggregation=Aggregation(AggregationMethod(spec.aggregation.method), spec.aggregation.share),
        formula=AvailabilityFormula(spec.formula or "plain"),
        components=tuple(spec.components),
        denominator=AsaDenominator(spec.denominator or "answered"),
        method=CsatMethod(spec.method or "top2box"),
        key_measurement=spec.key_measurement,
        credits=None if spec.credits is None else to_credits(spec.credits),
        continuous_improvement=(
            None if ci is None else ContinuousImprovement(months=ci.months, cap=ci.cap)
        ),
        min_downtime=spec.min_downtime,
        description=spec.description,
    )


def to_sources(spec: v1.SourcesSpec) -> Sources:
    typed = {key: getattr(spec, key) for key in SETTING_KEYS if getattr(spec, key) is not None}
    settings = {**spec.settings, **typed}  # the named keys win over the free-form mapping
    return Sources(
        platform=spec.platform,
        queues=tuple(Queue(q.id, q.name, q.channel, q.site) for q in spec.queues),
        status_page=spec.status_page,
        credentials_env=dict(spec.credentials_env),
        settings=settings,
        components=tuple(spec.components),
        poll_interval=spec.poll_interval,
        measurement_of_record=Record(spec.measurement_of_record),
        independent=tuple(
            IndependentSource(
                kind=i.kind, name=i.name or i.kind, components=dict(i.components), url=i.url,
                rule=DownRule(failing=i.rule.failing_locations, locations=i.rule.of_locations,
                              consecutive=i.rule.consecutive_samples, step=i.rule.step,
                              location_label=i.rule.location_label),
            )
            for i in spec.independent
        ),
        under_reported_case=spec.under_reported_case,
    )


def to_contract(spec: v1.ContractSpec, *, source_file: str | None = None,
                source_hash: str | None = None) -> Contract:
    meta = spec.metadata
    at_risk = None
    if spec.at_risk is not None:
        at_risk = AtRisk(
            percent_of_fees=spec.at_risk.percent_of_fees,
            pool=spec.at_risk.pool,
            monthly_cap=spec.at_risk.monthly_cap,
            base=spec.at_risk.base,
            categories=dict(spec.at_risk.categories),
        )
    issue = spec.performance_issue
    return Contract(
        id=meta.id,
        name=meta.name,
        vendor=meta.vendor.id,
        party=Party(meta.vendor.id, meta.vendor.legal_name,
                    tuple(Contact(c.name, c.email, c.role) for c in meta.vendor.contacts)),
        currency=meta.currency,
        tz=ZoneInfo(meta.timezone),
        effective_from=meta.effective.from_,
        effective_to=meta.effective.to,
        rounding=Rounding(places=meta.rounding.places, mode=meta.rounding.mode),
        fees=dict(spec.fees),
        calendars={cid: to_calendar(cid, c) for cid, c in spec.calendars.items()},
        exclusions=tuple(
            Exclusion(
                id=e.id, reason=e.reason,
                applies_to=None if e.applies_to is None else frozenset(e.applies_to),
                start=e.from_, end=e.to, rrule=e.rrule, duration=e.duration,
            )
            for e in spec.exclusions
        ),
        sources=to_sources(spec.sources[0]) if spec.sources else Sources(platform=NO_PLATFORM),
        more_sources=tuple(to_sources(src) for src in spec.sources[1:]),
        slas=tuple(to_sla(s) for s in spec.slas),
        at_risk=at_risk,
        chronic_failure=tuple(
            ChronicRule(sla=c.sla, misses=c.misses, within_months=c.within_months,
                        consequence=c.consequence, consecutive=c.consecutive,
                        level=c.level)
            for c in spec.chronic_failure
        ),
        claim_deadline_days=None if spec.claims is None else spec.claims.deadline_days_after_period,
        claim_notice_days=7 if spec.claims is None else spec.claims.notice_days_before_deadline,
        performance_issue=None if issue is None else PerformanceIssue(
            acknowledge_within=issue.acknowledge_within,
            rca_due_within=issue.rca_due_within,
            escalate_after=issue.escalate_after,
            business_days=issue.business_days,
            calendar=issue.calendar,
            contacts=dict(issue.contacts),
            statement_due_days=issue.statement_due_days,
        ),
        notifications=tuple(
            Notifier(kind=n.kind, target_env=n.url_env or n.routing_key_env,
                     to=tuple(n.to), on=tuple(n.on))
            for n in spec.notifications
        ),
        source_file=source_file,
        source_hash=source_hash,
    )
