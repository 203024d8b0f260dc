"""Performance-issue cases as every report format shows them: state, due dates, timeline.

A report's `cases` may hold full `monitor.cases.model.Case` values (what `slamon report
--db` loads) or bare `CaseRef`s (a case known only by id and state). `case_views` turns
either into one `CaseView` with times in the contract's zone, so the workbook, the PDF and
the JSON show the same entries in the same order: a `CaseRef` simply has no timeline and no
due dates. Due dates come from the contract's `performance_issue:` section
(`monitor.cases.deadlines`), worked out once here rather than in each renderer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from monitor.cases.deadlines import due_dates
from monitor.cases.model import Case
from monitor.cases.views import case_json
from monitor.errors import InputError
from monitor.reports.model import CaseLike, ReportData

STATE_NAMES: dict[str, str] = {
    "open": "Open",
    "acknowledged": "Acknowledged",
    "rca_received": "RCA received",
    "resolved": "Resolved",
    "escalated": "Escalated",
}
ACTION_NAMES: dict[str, str] = {
    "open": "Opened",
    "acknowledge": "Acknowledged",
    "rca": "RCA received",
    "resolve": "Resolved",
    "escalate": "Escalated",
}


@dataclass(frozen=True)
class CaseStep:
    """One timeline entry; `at` is in the contract's zone."""

    action: str
    from_state: str  # "" for the opening entry
    to_state: str
    who: str
    at: datetime
    note: str = ""

    @property
    def action_name(self) -> str:
        return ACTION_NAMES.get(self.action, self.action)


@dataclass(frozen=True)
class CaseView:
    """A case as the reports show it; datetimes in the contract's zone, None when unknown."""

    case_id: str
    sla_id: str
    period: str
    state: str
    summary: str
    evidence: str = ""  # the figures that opened the case (the summary for a `CaseRef`)
    opened_at: datetime | None = None
    acknowledge_by: datetime | None = None
    rca_by: datetime | None = None
    escalate_at: datetime | None = None
    steps: tuple[CaseStep, ...] = ()

    @property
    def state_name(self) -> str:
        return STATE_NAMES.get(self.state, self.state.replace("_", " "))


def case_view(case: CaseLike, data: ReportData) -> CaseView:
    state = str(getattr(case.state, "value", case.state))
    if not isinstance(case, Case):
        return CaseView(case.case_id, case.sla_id, case.period, state, case.summary,
                        case.summary)
    tz = data.contract.tz
    steps = tuple(
        CaseStep(e.action, e.from_state.value if e.from_state else "", e.to_state.value,
                 e.who, e.at.astimezone(tz), e.note)
        for e in case.history)
    view = CaseView(case.case_id, case.sla_id, case.period, state, case.summary,
                    case.evidence.describe(), case.opened_at.astimezone(tz), steps=steps)
    if data.contract.performance_issue is None:
        return view
    try:
        d = due_dates(case, data.contract)
    except InputError:  # e.g. the section names a calendar the contract lacks
        return view
    return replace(view, acknowledge_by=d.acknowledge_by.astimezone(tz),
                   rca_by=d.rca_by.astimezone(tz), escalate_at=d.escalate_at.astimezone(tz))


def case_views(data: ReportData) -> list[CaseView]:
    """The report's cases, oldest period first, then by SLA (stable for re-runs)."""
    views = [case_view(c, data) for c in data.cases or ()]
    return sorted(views, key=lambda v: (v.period, v.sla_id, v.case_id))


def cases_json(data: ReportData) -> list[dict[str, Any]] | None:
    """The JSON report's `cases`: a `Case` in the `case_json` shape (docs/cases.md; deadlines
    and what was overdue when the report was generated) plus its `summary`; a `CaseRef` as
    id, SLA, period, state, summary and an empty timeline. None when no cases were given."""
    if data.cases is None:
        return None
    out: list[dict[str, Any]] = []
    for c in data.cases:
        if isinstance(c, Case):
            try:
                doc = case_json(c, data.contract, now=data.generated_at)
            except InputError:  # deadlines cannot be worked out: the case without them
                doc = case_json(c)
        else:
            doc = {"id": c.case_id, "sla": c.sla_id, "period": c.period,
                   "state": str(c.state), "timeline": []}
        doc["summary"] = c.summary
        out.append(doc)
    return out
