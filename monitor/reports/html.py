"""The claim document as HTML: what the PDF is printed from, and a report on its own.

`render_html(data)` fills `templates/claim.html` (Jinja2, autoescaped) with a view built
here, so the template holds layout only and no arithmetic. The stylesheet
`templates/claim.css` is inlined, so the HTML file is self-contained and can be mailed;
its print rules (A4, running header with contract and period, "Page n of m") are what
WeasyPrint uses for the PDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from monitor.domain.contract import Direction, Status
from monitor.domain.outlook import Standing
from monitor.domain.results import AppliedExclusion, SlaResult
from monitor.reports import evidence
from monitor.reports.cases_view import CaseView, case_views
from monitor.reports.model import ReportData
from monitor.reports.scorecard import build_scorecard
from monitor.reports.units import (
    format_money,
    format_target,
    format_value,
    is_seconds,
)

TEMPLATES = Path(__file__).parent / "templates"

METRIC_NAMES: dict[str, str] = {
    "service_level": "Service level",
    "asa": "Average speed of answer",
    "abandon_rate": "Abandon rate",
    "aht": "Average handle time",
    "fcr": "First-contact resolution",
    "csat": "Customer satisfaction",
    "availability": "Platform availability",
    "occupancy": "Agent occupancy",
}
STATUS_NAMES: dict[str, str] = {
    Status.MET.value: "Met",
    Status.BREACHED.value: "Breached",
    Status.INSUFFICIENT_DATA.value: "Insufficient data",
    Status.KEY_MEASUREMENT_MISSED.value: "Missed (key measurement)",
    Standing.ON_TRACK.value: "On track",
    Standing.AT_RISK.value: "At risk",
    Standing.BREACH_CERTAIN.value: "Breach certain",
}
MECHANISM_NAMES: dict[str, str] = {
    "tier": "Credit table",
    "allocation": "Share of the at-risk amount",
    "per_point": "Amount per point beyond target",
    "default": "Default",
    "chronic": "Chronic failure",
}
CONSEQUENCE_NAMES: dict[str, str] = {
    "termination_right": "Right to terminate for chronic failure",
    "escalation": "Escalation to executive review",
}


def long_date(day: date | None) -> str:
    if day is None:
        return "not set by the contract"
    return f"{day.day} {day:%B %Y}"


def _number(value: Decimal) -> str:
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def shortfall(r: SlaResult) -> str | None:
    """How far the actual is on the wrong side of the target, in the metric's unit."""
    if r.value is None:
        return None
    gap = r.target.value - r.value if r.target.direction == Direction.MIN else (
        r.value - r.target.value
    )
    if gap <= 0:
        return None
    if is_seconds(r.metric):
        return f"{gap.quantize(Decimal('0.1'))} s"
    return f"{(gap * 100).quantize(Decimal('0.001'))} percentage points"


@dataclass(frozen=True)
class Breach:
    result: SlaResult
    title: str
    description: str
    rows: list[tuple[str, str]]
    exclusions: list[tuple[str, str, str]]  # id, reason, when + minutes
    credit_rows: list[tuple[str, str]]


def _breach(data: ReportData, r: SlaResult) -> Breach:
    ev = r.evidence
    sla = data.sla(r.sla_id)
    tz = data.contract.tz
    value_text = format_value(r.metric, r.value)
    rows = [
        ("Target", format_target(r.metric, r.target)),
        ("Actual", value_text),
    ]
    gap = shortfall(r)
    if gap:
        rows.append(("Shortfall", gap))
    if r.raw_value is not None and r.raw_value != r.value:
        rows.append(("Before exclusions", format_value(r.metric, r.raw_value)))
    own = ev.details.get("period")
    if own and own != data.period:
        rows.append(("Measured over", str(own)))
    rows.append(("Formula", str(ev.details.get("formula_text") or ev.formula)))
    rows.append(("Computation",
                 f"{_number(ev.numerator)} ÷ {_number(ev.denominator)} = {value_text}"))
    counted = []
    if ev.intervals:
        counted.append(f"{ev.intervals:,} intervals")
    if ev.measured_minutes:
        counted.append(f"{_number(ev.measured_minutes)} measured minutes")
    if "downtime_minutes" in ev.details:
        counted.append(f"{ev.details['downtime_minutes']} minutes of counted downtime")
    if ev.details.get("outages"):
        counted.append(f"{ev.details['outages']} outages")
    if counted:
        rows.append(("Evidence", ", ".join(counted)))
    if ev.excluded_minutes:
        rows.append(("Excluded", f"{_number(ev.excluded_minutes)} minutes (see below)"))
    if r.below_minimum and r.minimum is not None:
        rows.append(("Minimum level", f"below the minimum of {format_value(r.metric, r.minimum)}"
                                      " — a default at once"))
    exclusions = _grouped_exclusions(ev.exclusions, tz)
    line = data.credit_line(r.sla_id)
    credit_rows: list[tuple[str, str]] = []
    if r.status == Status.KEY_MEASUREMENT_MISSED or r.key_measurement:
        credit_rows.append(("Credit", "None: a key measurement, reported but never credited"))
    elif line is not None and not line.amount and not line.held and not line.assessed:
        credit_rows.append(("Credit", "None this period"))
        if line.explanation:
            credit_rows.append(("Why", line.explanation))
    elif line is not None:
        mech = MECHANISM_NAMES.get(line.mechanism, line.mechanism)
        credit_rows.append(("Credit basis", mech + (f", tier {line.tier}" if line.tier else "")))
        if line.explanation:
            credit_rows.append(("Working", line.explanation))
        if line.assessed != line.amount:
            credit_rows.append(("Assessed", format_money(line.assessed, line.currency)))
        if line.held:
            credit_rows.append(("Held", f"{format_money(line.held, line.currency)} for"
                                        " earn-back; owed if the vendor does not earn it back"))
        credit_rows.append(("Claimed now", f"{format_money(line.amount, line.currency)}"
                                           f" ({line.status.replace('_', ' ')})"))
    title = METRIC_NAMES.get(r.metric, r.metric)
    description = sla.description if sla is not None else ""
    return Breach(r, title, description, rows, exclusions, credit_rows)


def _grouped_exclusions(applied: Sequence[AppliedExclusion], tz: tzinfo
                        ) -> list[tuple[str, str, str]]:
    """One entry per exclusion id: a weekly maintenance window is listed once, with the
    dates it applied on and the minutes in all."""
    groups: dict[str, list[AppliedExclusion]] = {}
    for x in applied:
        groups.setdefault(x.exclusion_id, []).append(x)
    out = []
    for exclusion_id, items in groups.items():
        total = sum((x.minutes for x in items), Decimal(0))
        first = items[0]
        if len(items) == 1:
            when = (f"{first.start.astimezone(tz):%d %b %H:%M} – "
                    f"{first.end.astimezone(tz):%d %b %H:%M}, {_number(total)} min")
        else:
            days = ", ".join(f"{x.start.astimezone(tz):%d %b}" for x in items)
            when = (f"{len(items)} windows from {first.start.astimezone(tz):%H:%M}: {days};"
                    f" {_number(total)} min in all")
        out.append((exclusion_id, first.reason, when))
    return out


def build_view(data: ReportData) -> dict[str, Any]:
    """Everything the template shows, as display strings."""
    c = data.contract
    period = data.evaluation.period
    card = build_scorecard(data)
    summary = []
    for r in data.evaluation.results:
        line = data.credit_line(r.sla_id)
        summary.append({
            "sla": r.sla_id,
            "metric": METRIC_NAMES.get(r.metric, r.metric) + _own_period(data, r),
            "target": format_target(r.metric, r.target),
            "actual": format_value(r.metric, r.value),
            "status": data.standing(r),
            "status_name": STATUS_NAMES.get(data.standing(r), data.standing(r)),
            "note": data.note(r),
            "credit": format_money(line.amount, line.currency) if line else "—",
            "held": (format_money(line.held, line.currency)
                     if line is not None and line.held else None),
        })
    scorecard = []
    if len(card.periods) > 1:
        for s in card.slas:
            sp = s.spread
            band = "—"
            share = "—"
            if sp is not None:
                band = (f"{format_value(s.metric, Decimal(str(round(sp.p10, 6))))} – "
                        f"{format_value(s.metric, Decimal(str(round(sp.p90, 6))))}")
                if sp.share_meeting_target is not None:
                    share = f"{sp.share_meeting_target * 100:.0f}%"
            scorecard.append({
                "sla": s.sla_id,
                "values": [format_value(s.metric, p.value) for p in s.points],
                "statuses": [p.status for p in s.points],
                "met": f"{s.periods_met} of {s.periods_measured}",
                "trend": s.trend,
                "band": band,
                "share": share,
            })
    # By queue and by site in this period: where the month was uneven.
    spread = [
        {"sla": c.sla_id, "by": c.dimension, "spread": format_value(c.metric, c.spread),
         "worst": f"{c.worst.subject} {format_value(c.metric, c.worst.attainment)}",
         "best": f"{c.best.subject} {format_value(c.metric, c.best.attainment)}",
         "meeting": f"{c.meeting_target} of {len(c.standings)}"}
        for c in card.consistency
    ]
    chronic = [
        {"sla": cf.rule_sla, "consequence": CONSEQUENCE_NAMES.get(
            cf.consequence, cf.consequence.replace("_", " ").capitalize()),
         "periods": ", ".join(cf.periods), "raised_in": cf.raised_in}
        for cf in data.open_chronic()
    ]
    claiming = data.total_claimed > 0 or data.held > 0
    return {
        "kind": "Service credit claim" if claiming else "Service level report",
        "contract": c,
        "period_label": data.period,
        "period_text": f"{long_date(data.first_day)} – {long_date(data.last_day)}",
        "month_text": f"{data.first_day:%B %Y}" if period.kind == "month" else data.period,
        "tz": str(c.tz),
        "prorated": period.prorated,
        "status": data.evaluation.status,
        "generated": long_date(data.generated_at.astimezone(c.tz).date()),
        "total": format_money(data.total_claimed, data.currency),
        "currency": data.currency,
        "cap": (format_money(data.credits.cap, data.currency)
                if data.credits is not None and data.credits.cap is not None else None),
        "held": format_money(data.held, data.currency) if data.held else None,
        "settled": [
            {"sla": line.sla_id, "origin": line.origin,
             "status": ("confirmed, owed now" if line.status == "confirmed"
                        else line.status.replace("_", " ")),
             "amount": (format_money(line.amount, line.currency) if line.status == "confirmed"
                        else f"({format_money(line.assessed, line.currency)})"),
             "explanation": line.explanation}
            for line in data.resolution_lines()
        ],
        "deadline": long_date(data.claim_deadline),
        "deadline_days": c.claim_deadline_days,
        "deadline_note": data.deadline_note,
        "vendor_text": data.vendor_text,
        "revision_text": data.revision_text,
        "claim_notice": data.claim_notice,
        "claim_state": data.claim_state,
        "claim_late": data.claim_late,
        "summary": summary,
        "breaches": [_breach(data, r) for r in data.breaches()],
        "chronic": chronic,
        "restatements": [
            {"period": rs.period, "sla": rs.sla_id, "reason": rs.reason,
             "old": _restated(data, rs.sla_id, rs.old_value),
             "new": _restated(data, rs.sla_id, rs.new_value),
             "credit": ("—" if rs.new_credit is None else
                        format_money(rs.new_credit, data.currency)),
             "when": long_date(rs.restated_at.astimezone(c.tz).date())}
            for rs in data.restatements
        ],
        "cases": [_case(v) for v in case_views(data)],
        "evidence": independent_view(data.evaluation.results),
        "scorecard": scorecard,
        "spread": spread,
        "scorecard_periods": list(card.periods),
        "problems": data.all_problems(),
    }


def independent_view(results: Any) -> list[dict[str, Any]]:
    """The "Independent evidence" section: a summary and the spans, per SLA."""
    out = []
    for rec in evidence.reconciliations(results):
        spans = [{"kind": kind, "component": n.component, "start": when(n.start),
                  "end": when(n.end), "minutes": n.minutes,
                  "unreported": n.unreported_minutes if kind == "observed" else "—",
                  "ref": n.vendor_ref or "—", "note": n.note}
                 for kind, notes in evidence.span_groups(rec)
                 for n in notes]
        out.append({"sla": rec.sla_id, "record": rec.record.replace("_", " "),
                    "vendor": rec.vendor_minutes, "observed": rec.observed_minutes,
                    "unreported": rec.unreported_minutes, "unobserved": rec.unobserved_minutes,
                    "unknown": rec.unknown_minutes, "of_record": rec.record_minutes,
                    "spans": spans})
    return out


def when(moment: datetime | None) -> str:
    """A time in a case timeline: `30 Nov 2026 09:00` (already in the contract zone)."""
    return "—" if moment is None else f"{moment.day} {moment:%b %Y %H:%M}"


def _case(v: CaseView) -> dict[str, Any]:
    due = [(label, when(t)) for label, t in (
        ("Opened", v.opened_at), ("Acknowledge by", v.acknowledge_by),
        ("RCA by", v.rca_by), ("Escalates at", v.escalate_at)) if t is not None]
    return {
        "id": v.case_id, "sla": v.sla_id, "period": v.period, "state": v.state,
        "state_name": v.state_name, "evidence": v.evidence, "due": due,
        "steps": [{"when": when(s.at), "action": s.action_name,
                   "change": (f"{s.from_state} → {s.to_state}" if s.from_state
                              else s.to_state).replace("_", " "),
                   "who": s.who, "note": s.note} for s in v.steps],
    }


def _own_period(data: ReportData, r: SlaResult) -> str:
    own = r.evidence.details.get("period")
    return f" ({own})" if own and own != data.period else ""


def _restated(data: ReportData, sla_id: str, value: Decimal | None) -> str:
    sla = data.sla(sla_id)
    return format_value(sla.metric.value if sla else "", value)


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(data: ReportData) -> str:
    css = (TEMPLATES / "claim.css").read_text(encoding="utf-8")
    template = _environment().get_template("claim.html")
    return template.render(css=css, **build_view(data))
