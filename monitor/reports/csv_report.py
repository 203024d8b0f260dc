"""The flat CSV: one row per SLA, then one `total` row, for spreadsheets and scripts.

The first column, `row`, says what a row is: `sla` (one per SLA), `earnback` (an earlier
period's held credit settled this period, `formula` names its origin) or `total` (the
amount claimed, caps applied, and what is held for earn-back), so a script can filter and
a person can still read it. Ratios are decimal fractions (0.830189, like the
interchange JSON) and seconds are seconds; money is a Decimal string in the contract
currency, never a float. Per-interval evidence belongs in the XLSX or JSON report.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from io import StringIO

from monitor.reports.model import ReportData
from monitor.reports.units import money_string

CSV_COLUMNS: tuple[str, ...] = (
    "row", "contract", "period", "sla", "metric", "direction", "target", "actual",
    "actual_before_exclusions", "status", "currency", "credit", "credit_held", "credit_assessed",
    "credit_status", "mechanism", "tier", "numerator", "denominator", "intervals",
    "excluded_minutes", "exclusions", "formula", "claim_deadline", "evaluation_status",
)


def _num(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def _figure(value: Decimal | None) -> str:
    """A ratio or seconds figure to 6 decimal places, as in the interchange JSON."""
    if value is None:
        return ""
    return str(value.quantize(Decimal("0.000001")).normalize())


def render_csv(data: ReportData) -> bytes:
    out = StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    deadline = data.claim_deadline.isoformat() if data.claim_deadline else ""
    common = {
        "contract": data.contract.id,
        "period": data.period,
        "currency": data.currency,
        "claim_deadline": deadline,
        "evaluation_status": data.evaluation.status,
    }
    for r in data.evaluation.results:
        line = data.credit_line(r.sla_id)
        ev = r.evidence
        writer.writerow(
            {
                **common,
                "row": "sla",
                "sla": r.sla_id,
                "metric": r.metric,
                "direction": str(r.target.direction),
                "target": _num(r.target.value),
                "actual": _figure(r.value),
                "actual_before_exclusions": _figure(r.raw_value),
                "status": str(r.status),
                "credit": money_string(line.amount) if line else "",
                "credit_held": money_string(line.held) if line else "",
                "credit_assessed": money_string(line.assessed) if line else "",
                "credit_status": line.status if line else "",
                "mechanism": line.mechanism if line else "",
                "tier": (line.tier if line else None) or ev.tier or "",
                "numerator": _num(ev.numerator),
                "denominator": _num(ev.denominator),
                "intervals": str(ev.intervals),
                "excluded_minutes": _num(ev.excluded_minutes),
                "exclusions": ";".join(x.exclusion_id for x in ev.exclusions),
                "formula": ev.formula,
            }
        )
    for line in data.resolution_lines():
        writer.writerow({**common, "row": "earnback", "sla": line.sla_id,
                         "credit": money_string(line.amount),
                         "credit_assessed": money_string(line.assessed),
                         "credit_status": line.status, "mechanism": line.mechanism,
                         "tier": line.tier or "", "formula": f"origin {line.origin}"})
    writer.writerow({**common, "row": "total", "credit": money_string(data.total_claimed),
                     "credit_held": money_string(data.held)})
    return out.getvalue().encode("utf-8")
