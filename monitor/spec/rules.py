"""Semantic rules over a parsed `v1.ContractSpec`, and rules across files.

Every rule appends to one list instead of raising, so `slamon validate` can show every
problem of every file in one run. Each problem names the exact key (`slas[1].target`) and
the line the YAML reader recorded for it. Warnings (`severity="warning"`) flag things that
are fine to load but will bite at run time, such as an unset credentials variable.
"""

from __future__ import annotations

import difflib
import itertools
import os
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

import holidays

from monitor.errors import Problem
from monitor.spec import v1
from monitor.spec.report import Report, missing_calendar, pct
from monitor.spec.sla_rules import check_sla
from monitor.spec.yamlpos import Document, PathKey

if TYPE_CHECKING:
    from monitor.spec.loader import Loaded

GENESYS_REGIONS = frozenset({
    "us_east_1", "us_east_2", "us_west_2", "ca_central_1", "sa_east_1", "mx_central_1",
    "eu_west_1", "eu_west_2", "eu_central_1", "eu_central_2", "me_central_1", "ap_south_1",
    "ap_northeast_1", "ap_northeast_2", "ap_northeast_3", "ap_southeast_1", "ap_southeast_2",
})
CONNECT_ARN = re.compile(
    r"^arn:aws[a-z-]*:connect:[a-z0-9-]+:\d{12}:instance/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}"
    r"-[0-9a-f]{4}-[0-9a-f]{12}$"
)
# The credential roles each collector reads (monitor/collectors/<vendor>.py `credential()`):
# a misspelt role would load and fail only at the first poll.
CREDENTIAL_ROLES: dict[str, tuple[str, ...]] = {
    "genesys-cloud": ("client_id", "client_secret"),
    "amazon-connect": ("access_key_id", "secret_access_key"),
    "twilio-flex": ("account_sid", "auth_token"),
}
TWILIO_WORKSPACE = re.compile(r"^WS[0-9a-f]{32}$")
METRICS = ("service_level", "asa", "abandon_rate", "aht", "fcr", "csat", "availability",
           "occupancy")


def check_contract(spec: v1.ContractSpec, doc: Document,
                   environ: Mapping[str, str] | None = None) -> list[Problem]:
    report = Report(doc)
    env = os.environ if environ is None else environ
    _metadata(spec, report)
    _calendars(spec, report)
    _exclusions(spec, report)
    _sources(spec, report, env)
    _unique([s.id for s in spec.slas], ("slas",), "SLA id", report)
    for i, sla in enumerate(spec.slas):
        check_sla(spec, i, sla, report)
    _at_risk(spec, report)
    _chronic(spec, report)
    _process(spec, report, env)
    return report.problems


def _unique(ids: Sequence[str], base: PathKey, what: str, report: Report) -> None:
    first: dict[str, int] = {}
    for i, ident in enumerate(ids):
        if ident in first:
            line = report.doc.line_of((*base, first[ident], "id"))
            report.error((*base, i, "id"), f"duplicate {what} {ident!r} (first on line {line})")
        else:
            first[ident] = i


def _metadata(spec: v1.ContractSpec, report: Report) -> None:
    eff = spec.metadata.effective
    if eff.to is not None and eff.to <= eff.from_:
        report.error(("metadata", "effective", "to"),
                     f"must be after effective.from ({eff.from_.isoformat()})")
    if not spec.fees:
        report.error(("fees",), "name at least one fee, e.g. monthly: \"20000.00\"")


def holiday_countries() -> frozenset[str]:
    """The country codes `holidays` knows (alpha-2, alpha-3 and aliases such as UK), read
    from its registry: `holidays.list_supported_countries()` gives the same codes but
    imports all ~250 country modules to do so, a tenth of a second of every validate."""
    try:
        from holidays.registry import COUNTRIES
    except ImportError:  # a holidays release without the registry module
        return frozenset(holidays.list_supported_countries())
    return frozenset(code for entry in COUNTRIES.values() for code in entry[1:]
                     if code.isupper() and len(code) <= 3)


def _calendars(spec: v1.ContractSpec, report: Report) -> None:
    from monitor.spec.values import parse_days

    countries = holiday_countries()
    for cid, cal in spec.calendars.items():
        base: PathKey = ("calendars", cid)
        seen_days: dict[int, str] = {}
        for key, ranges in cal.weekly.items():
            try:
                days = parse_days(key)
            except ValueError as exc:
                report.error((*base, "weekly", key), str(exc))
                continue
            for day in days:
                if day in seen_days:
                    report.error((*base, "weekly", key),
                                 f"day {key!r} is also listed under {seen_days[day]!r}")
                    break
                seen_days[day] = key
            ordered = sorted(ranges, key=lambda r: r.start)
            for a, b in itertools.pairwise(ordered):
                if a.ends_at_midnight or b.start < a.end:
                    report.error((*base, "weekly", key), "time ranges of one day overlap")
        hol = cal.holidays
        if hol is None or hol.country is None:
            if hol is not None and hol.subdivision is not None:
                report.error((*base, "holidays", "subdivision"), "needs holidays.country")
            continue
        if hol.country not in countries:
            report.error((*base, "holidays", "country"),
                         f"unknown holiday country {hol.country!r}; use an ISO code such as "
                         "US, GB, DE")
        elif hol.subdivision is not None:
            known = list(holidays.country_holidays(hol.country).subdivisions)
            if hol.subdivision not in known:
                report.error((*base, "holidays", "subdivision"),
                             f"unknown subdivision {hol.subdivision!r} of {hol.country}; "
                             "known: " + ", ".join(known[:20]))


def _exclusions(spec: v1.ContractSpec, report: Report) -> None:
    _unique([e.id for e in spec.exclusions], ("exclusions",), "exclusion id", report)
    names = {s.id for s in spec.slas} | set(METRICS)
    for i, exc in enumerate(spec.exclusions):
        base: PathKey = ("exclusions", i)
        one_off = exc.from_ is not None or exc.to is not None
        recurring = exc.rrule is not None or exc.duration is not None
        if one_off and recurring:
            report.error(base, "use either from/to or rrule/duration, not both")
        elif one_off:
            if exc.from_ is None or exc.to is None:
                report.error(base, "a one-off exclusion needs both from and to")
            elif exc.to <= exc.from_:
                report.error((*base, "to"), "must be after from")
        elif recurring:
            if exc.rrule is None or exc.duration is None:
                report.error(base, "a recurring exclusion needs both rrule and duration")
            elif exc.duration.total_seconds() <= 0:
                report.error((*base, "duration"), "must be longer than zero")
        else:
            report.error(base, "needs from/to (one-off) or rrule/duration (recurring)")
        for j, name in enumerate(exc.applies_to or []):
            if name not in names:
                report.error((*base, "applies_to", j),
                             f"unknown SLA or metric {name!r}; known: " + ", ".join(sorted(names)))


def _sources(spec: v1.ContractSpec, report: Report, env: Mapping[str, str]) -> None:
    _unique([q.id for src in spec.sources for q in src.queues], ("sources",), "queue id", report)
    for i, src in enumerate(spec.sources):
        _source(src, ("sources", i), report, env)


def _source(src: v1.SourcesSpec, base: PathKey, report: Report,
            env: Mapping[str, str]) -> None:
    platform = src.platform
    if platform == "amazon-connect":
        if src.instance_arn is None:
            report.error(base, "amazon-connect needs instance_arn")
        elif not CONNECT_ARN.match(src.instance_arn):
            report.error((*base, "instance_arn"),
                         "must be an instance ARN like arn:aws:connect:us-east-1:123456789012:"
                         "instance/<uuid>")
    if platform == "twilio-flex":
        if src.workspace_sid is None:
            report.error(base, "twilio-flex needs workspace_sid (WS...)")
        elif not TWILIO_WORKSPACE.match(src.workspace_sid):
            report.error((*base, "workspace_sid"),
                         "must be a TaskRouter workspace SID: WS followed by 32 hex digits")
    if platform == "genesys-cloud":
        if src.region is None and src.api_host is None:
            report.error(base, "genesys-cloud needs region (e.g. eu_central_1)")
        elif src.region is not None and src.region not in GENESYS_REGIONS:
            report.error((*base, "region"), f"unknown Genesys Cloud region {src.region!r}; "
                         "use one of " + ", ".join(sorted(GENESYS_REGIONS)))
    if src.poll_interval.total_seconds() < 1:  # 0s: a busy loop against the vendor
        report.error((*base, "poll_interval"), "must be at least 1s")
    roles = CREDENTIAL_ROLES.get(platform, ())
    for role in src.credentials_env if roles else ():
        if role not in roles:
            close = difflib.get_close_matches(role, roles, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            report.error((*base, "credentials_env", role),
                         f"unknown credential {role!r} for {platform} ({hint}known: "
                         + ", ".join(roles) + ")")
    _platform_settings(src, base, report)
    _independent(src, base, report)
    for role, name in src.credentials_env.items():
        if not env.get(name):
            report.warn((*base, "credentials_env", role),
                        f"environment variable {name} is not set")


def _platform_settings(src: v1.SourcesSpec, base: PathKey, report: Report) -> None:
    """NICE CXone, Five9, Talkdesk: setting keys, choices and credential roles their
    collectors will ask for, so a typo or a gap shows here rather than at the first poll."""
    from monitor.collectors.platforms import PLATFORMS

    name = src.platform
    platform = PLATFORMS.get(name)
    if platform is None:
        return
    for key, value in src.settings.items():
        if not platform.known(key):
            close = difflib.get_close_matches(key, sorted(platform.settings), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            report.warn((*base, "settings", key),
                        f"{name} has no setting {key!r}{hint}; known: "
                        + ", ".join(sorted(platform.settings)))
        elif key in platform.choices and value not in platform.choices[key]:
            report.error((*base, "settings", key),
                         f"{value!r} is not one of " + ", ".join(platform.choices[key]))
    merged = {**src.settings, **{k: v for k, v in (("region", src.region),
                                                    ("account", src.account)) if v}}
    if "region" in platform.choices and src.region is not None and \
            src.region not in platform.choices["region"]:
        report.error((*base, "region"), f"unknown {name} region {src.region!r}; use one "
                     "of " + ", ".join(platform.choices["region"]))
    if not (src.api_host or merged.get("api_host")):
        for key in platform.required:
            if not merged.get(key):
                report.error(base, f"{name} needs {key}")
    for role in platform.credentials:
        if role not in src.credentials_env:
            report.warn((*base, "credentials_env"),
                        f"{name} reads credentials_env.{role}; the collector cannot start "
                        "without it")
def _independent(src: v1.SourcesSpec, base: PathKey, report: Report) -> None:
    _unique([i.name or i.kind for i in src.independent], (*base, "independent"),
            "independent source name", report)
    for n, ind in enumerate(src.independent):
        path: PathKey = (*base, "independent", n)
        if ind.kind == "prometheus" and not ind.url:
            report.error(path, "a prometheus source needs url (the Prometheus base URL)")
        rule = ind.rule
        if rule.of_locations is not None and rule.failing_locations > rule.of_locations:
            report.error((*path, "rule", "failing_locations"),
                         f"{rule.failing_locations} failing of {rule.of_locations} locations "
                         "can never happen")
        if rule.step.total_seconds() < 1 or rule.step.total_seconds() % 1:
            report.error((*path, "rule", "step"), "must be a whole number of seconds, >= 1s")
    if src.under_reported_case is not None and not src.independent:
        report.error((*base, "under_reported_case"), "needs at least one independent check")
    if src.measurement_of_record != "vendor" and not src.independent:
        report.error((*base, "measurement_of_record"),
                     f"{src.measurement_of_record} needs at least one independent check")


def _at_risk(spec: v1.ContractSpec, report: Report) -> None:
    risk = spec.at_risk
    allocated = [(s.id, s.credits.allocation) for s in spec.slas
                 if s.credits is not None and s.credits.allocation is not None
                 and not s.key_measurement]
    if risk is None:
        return
    if f"{risk.base}".removeprefix("fees.") not in spec.fees:
        report.error(("at_risk", "base"), f"no fee named {risk.base.removeprefix('fees.')!r}")
    total = sum((a for _, a in allocated), Decimal(0))
    if total > risk.pool:
        parts = ", ".join(f"{sid} {pct(a)}" for sid, a in allocated)
        report.error(("at_risk", "pool"),
                     f"allocations add up to {pct(total)} ({parts}), above the pool of "
                     f"{pct(risk.pool)}")
    total_categories = sum(risk.categories.values(), Decimal(0))
    if total_categories > risk.pool:
        report.error(("at_risk", "categories"),
                     f"categories add up to {pct(total_categories)}, above the pool of "
                     f"{pct(risk.pool)}")


def _chronic(spec: v1.ContractSpec, report: Report) -> None:
    ids = [s.id for s in spec.slas]
    for i, rule in enumerate(spec.chronic_failure):
        if rule.sla != "any" and rule.sla not in ids:
            report.error(("chronic_failure", i, "sla"),
                         f"unknown SLA {rule.sla!r}; use 'any' or one of " + ", ".join(ids))
        if rule.level == "minimum" and not any(
            s.minimum is not None for s in spec.slas if rule.sla in ("any", s.id)
        ):
            report.error(("chronic_failure", i, "level"),
                         "level: minimum needs an SLA with a minimum")
        if rule.misses > rule.within_months:
            report.error(("chronic_failure", i, "misses"),
                         f"{rule.misses} misses cannot happen within {rule.within_months} months")


def _process(spec: v1.ContractSpec, report: Report, env: Mapping[str, str]) -> None:
    issue = spec.performance_issue
    if issue is not None and issue.calendar != "24x7" and issue.calendar not in spec.calendars:
        report.error(("performance_issue", "calendar"), missing_calendar(issue.calendar, spec))
    if issue is not None:
        for key in ("acknowledge_within", "rca_due_within", "escalate_after"):
            if getattr(issue, key).total_seconds() <= 0:
                report.error(("performance_issue", key), "must be longer than zero")
        if issue.escalate_after < issue.acknowledge_within:  # it would escalate before the
            report.error(("performance_issue", "escalate_after"),  # vendor is even late
                         "must not be shorter than acknowledge_within")
    for i, note in enumerate(spec.notifications):
        base: PathKey = ("notifications", i)
        if note.kind in ("webhook", "slack") and note.url_env is None:
            report.error(base, f"a {note.kind} notifier needs url_env")
        if note.kind == "pagerduty" and note.routing_key_env is None:
            report.error(base, "a pagerduty notifier needs routing_key_env")
        if note.kind == "email" and not note.to:
            report.error(base, "an email notifier needs `to`")
        for key in ("url_env", "routing_key_env"):
            name = getattr(note, key)
            if name is not None and not env.get(name):
                report.warn((*base, key), f"environment variable {name} is not set")


def check_across_files(loaded: Sequence[Loaded]) -> list[Problem]:
    """Contract ids are unique across all files: every later file with a used id is wrong."""
    problems: list[Problem] = []
    first: dict[str, str] = {}
    for one in loaded:
        cid = one.contract_id
        if cid is None:
            continue
        if cid in first:
            problems.append(Problem(one.file, one.id_line, "metadata.id",
                                    f"duplicate contract id {cid!r} (also in {first[cid]})"))
        else:
            first[cid] = one.file
    return problems
