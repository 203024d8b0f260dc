"""The JSON report: the `slamon evaluate --json` shape, widened with what a claim needs.

The top-level keys of `docs/interchange.md` (`contract`, `period`, `currency`, `status`,
`slas[]`, `credit_total`, `problems`) keep their names and meanings, so scripts written
against `evaluate --json` read a report too. Added: the claim deadline, each SLA's credit
line and applied exclusions, chronic-failure consequences, restatements, cases and the
scorecard (with `consistency`: each SLA's attainment per queue and per site). Money is a
Decimal string; ratios are numbers in [0, 1]; times are ISO 8601 with offset. Per-interval
rows are included under `evidence.per_interval` (records).
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from monitor.domain.consistency import Consistency
from monitor.domain.patterns import Standing
from monitor.domain.results import SlaResult
from monitor.reports import evidence
from monitor.reports.cases_view import cases_json
from monitor.reports.claims_view import claim_json
from monitor.reports.model import ReportData
from monitor.reports.scorecard import Spread, build_scorecard
from monitor.reports.units import money_string


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _plain(value: Any) -> Any:
    """A per-interval cell as plain JSON."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if hasattr(value, "item") and not isinstance(value, str):
        return _plain(value.item())
    return value


def _spread(sp: Spread | None) -> dict[str, Any] | None:
    if sp is None:
        return None
    return {
        "intervals": sp.intervals, "p10": sp.p10, "p25": sp.p25, "median": sp.median,
        "p75": sp.p75, "p90": sp.p90, "iqr": sp.iqr, "p10_p90": sp.p10_p90,
        "share_meeting_target": sp.share_meeting_target,
    }


def _consistency(c: Consistency) -> dict[str, Any]:
    """One SLA split by queue or site: the spread, then every group, weakest first."""
    def group(s: Standing) -> dict[str, Any]:
        return {"group": s.subject, "value": _number(s.attainment),
                "numerator": s.numerator, "denominator": s.denominator,
                "meets_target": s.meets_target, "cost": _number(s.cost)}

    return {"sla": c.sla_id, "metric": c.metric, "dimension": c.dimension,
            "target": _number(c.target), "direction": str(c.direction),
            "spread": _number(c.spread), "best": c.best.subject, "worst": c.worst.subject,
            "meeting_target": c.meeting_target, "groups": [group(s) for s in c.standings]}


def _sla(data: ReportData, r: SlaResult) -> dict[str, Any]:
    line = data.credit_line(r.sla_id)
    ev = r.evidence
    frame = ev.per_interval
    rows: list[dict[str, Any]] = []
    if frame is not None:
        rows = [{str(k): _plain(v) for k, v in rec.items()}
                for rec in frame.to_dict(orient="records")]
    return {
        "id": r.sla_id,
        "metric": r.metric,
        "value": _number(r.value),
        "raw_value": _number(r.raw_value),
        "target": _number(r.target.value),
        "direction": str(r.target.direction),
        "status": str(r.status),
        "standing": data.standing(r),
        "note": data.note(r),
        "credit": money_string(line.amount) if line else "0.00",
        "credit_line": None if line is None else {
            "amount": money_string(line.amount), "assessed": money_string(line.assessed),
            "held": money_string(line.held),
            "mechanism": line.mechanism, "status": line.status, "tier": line.tier,
            "explanation": line.explanation,
        },
        "evidence": {
            "numerator": _number(ev.numerator),
            "denominator": _number(ev.denominator),
            "intervals": ev.intervals,
            "excluded_minutes": _number(ev.excluded_minutes),
            "measured_minutes": _number(ev.measured_minutes),
            "formula": ev.formula,
            "tier": ev.tier,
            "exclusions": [
                {"id": x.exclusion_id, "reason": x.reason, "start": x.start.isoformat(),
                 "end": x.end.isoformat(), "minutes": _number(x.minutes)}
                for x in ev.exclusions
            ],
            "per_interval": rows,
        },
    }


def report_to_json(data: ReportData) -> dict[str, Any]:
    period = data.evaluation.period
    card = build_scorecard(data)
    return {
        "contract": data.contract.id,
        "contract_name": data.contract.name,
        "vendor": data.contract.vendor,
        "vendor_name": data.contract.legal_name,
        "platform": data.contract.platform,
        "revision": data.contract.revision,
        "period": {"label": data.period, "start": period.start.isoformat(),
                   "end": period.end.isoformat()},
        "currency": data.currency,
        "status": data.evaluation.status,
        "generated_at": data.generated_at.isoformat(),
        "slas": [_sla(data, r) for r in data.evaluation.results],
        "credit_total": money_string(data.total_claimed),
        "credit_held": money_string(data.held),
        "earnback_lines": [
            {"sla": line.sla_id, "origin": line.origin, "status": line.status,
             "amount": money_string(line.amount), "assessed": money_string(line.assessed),
             "explanation": line.explanation}
            for line in data.resolution_lines()
        ],
        "credit_cap": (money_string(data.credits.cap)
                       if data.credits is not None and data.credits.cap is not None else None),
        "claim_deadline": data.claim_deadline.isoformat() if data.claim_deadline else None,
        "claim_deadline_passed": data.deadline_passed,
        "claim_deadline_note": data.deadline_note,
        "claim": None if data.claim is None else claim_json(data.claim, data.prepared_on),
        "claim_notice": data.claim_notice,
        "chronic_failures": [
            {"sla": cf.rule_sla, "consequence": cf.consequence, "periods": list(cf.periods),
             "raised_in": cf.raised_in}
            for cf in data.open_chronic()
        ],
        "restatements": [
            {"period": rs.period, "sla": rs.sla_id, "restated_at": rs.restated_at.isoformat(),
             "reason": rs.reason, "old_value": _number(rs.old_value),
             "new_value": _number(rs.new_value),
             "old_credit": None if rs.old_credit is None else money_string(rs.old_credit),
             "new_credit": None if rs.new_credit is None else money_string(rs.new_credit)}
            for rs in data.restatements
        ],
        "cases": cases_json(data),
        "independent_evidence": [evidence.to_json(rec) for rec in
                                 evidence.reconciliations(data.evaluation.results)],
        "scorecard": {
            "periods": list(card.periods),
            "credit_total": money_string(card.credit_total),
            "slas": [
                {"id": s.sla_id, "metric": s.metric, "periods_measured": s.periods_measured,
                 "periods_met": s.periods_met, "trend": s.trend, "slope": s.slope,
                 "spread": _spread(s.spread),
                 "points": [
                     {"period": p.period, "value": _number(p.value),
                      "target": _number(p.target), "status": p.status,
                      "credit": None if p.credit is None else money_string(p.credit),
                      "spread": _spread(p.spread)}
                     for p in s.points
                 ]}
                for s in card.slas
            ],
            "consistency": [_consistency(c) for c in card.consistency],
        },
        "problems": data.all_problems(),
    }


def render_json(data: ReportData) -> bytes:
    return (json.dumps(report_to_json(data), indent=2, ensure_ascii=False) + "\n").encode()
