"""Cases as plain data for the CLI's `--json`, the reports and the exporter.

`case_json` is the public JSON shape of a case (documented in docs/cases.md); reports render
`timeline_rows`; the exporter's `slamon_cases_overdue` gauge reads `overdue_counts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from monitor.domain.contract import Contract
from monitor.domain.patterns import RecurringCause, rank

from .deadlines import Deadlines, due_dates
from .model import Case, EvidenceSummary
from .workflow import overdue


def _num(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def evidence_json(e: EvidenceSummary) -> dict[str, Any]:
    return {
        "status": e.status, "value": _num(e.value), "target": _num(e.target),
        "direction": e.direction, "numerator": _num(e.numerator),
        "denominator": _num(e.denominator), "intervals": e.intervals, "formula": e.formula,
        "excluded_minutes": _num(e.excluded_minutes),
        "evaluation_status": e.evaluation_status,
        "evaluated_at": e.evaluated_at.isoformat() if e.evaluated_at else None,
        "consequence": e.consequence, "periods": list(e.periods),
        "summary": e.describe(),
    }


def timeline_rows(case: Case, tz: tzinfo | None = None) -> list[dict[str, str]]:
    """One row per timeline entry, strings only, oldest first (what reports print); times
    in `tz` (the contract zone) when given, as stored otherwise."""
    return [{"at": (e.at.astimezone(tz) if tz else e.at).isoformat(), "action": e.action,
             "from": e.from_state.value if e.from_state else "",
             "to": e.to_state.value, "who": e.who, "note": e.note} for e in case.history]


def deadlines_json(deadlines: Deadlines) -> dict[str, str]:
    return {"acknowledge_by": deadlines.acknowledge_by.isoformat(),
            "rca_by": deadlines.rca_by.isoformat(),
            "escalate_at": deadlines.escalate_at.isoformat()}


def case_json(case: Case, contract: Contract | None = None,
              now: datetime | None = None) -> dict[str, Any]:
    """The case; with its contract also its deadlines (and times in the contract zone),
    and with `now` what is overdue."""
    tz = contract.tz if contract is not None else None
    opened = case.opened_at.astimezone(tz) if tz else case.opened_at
    out: dict[str, Any] = {
        "id": case.id, "contract": case.contract_id, "vendor": case.vendor,
        "sla": case.sla_id, "period": case.period, "trigger": case.trigger.value,
        "state": case.state.value, "opened_at": opened.isoformat(),
        "version": case.version, "evidence": evidence_json(case.evidence),
        "chronic": [evidence_json(c) for c in case.chronic],
        "causes": list(case.causes), "timeline": timeline_rows(case, tz),
    }
    if contract is not None and contract.performance_issue is not None:
        deadlines = due_dates(case, contract)
        out["deadlines"] = deadlines_json(deadlines)
        if now is not None:
            out["overdue"] = [k.value for k in overdue(case, deadlines, now)]
    return out


def overdue_counts(cases: Iterable[Case], contracts: Mapping[str, Contract],
                   now: datetime) -> dict[str, int]:
    """Open cases past at least one deadline, per contract id (every contract listed, 0 when
    none), for the `slamon_cases_overdue` gauge."""
    counts = {cid: 0 for cid, c in contracts.items() if c.performance_issue is not None}
    for case in cases:
        contract = contracts.get(case.contract_id)
        if contract is None or contract.performance_issue is None:
            continue
        if overdue(case, due_dates(case, contract), now):
            counts[case.contract_id] += 1
    return counts


def with_causes(case: Case, causes: Sequence[RecurringCause]) -> Case:
    """The case with the recurring causes of its SLA (ranked by cost) attached; the same case
    when nothing changes, so storing it again is a no-op."""
    text = tuple(c.describe() for c in rank([c for c in causes if c.sla_id == case.sla_id]))
    if text == case.causes:
        return case
    return replace(case, causes=text, version=case.version + 1)
