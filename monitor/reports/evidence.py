"""Independent evidence as every output shows it: one text line, a JSON block, span rows.

The numbers are the engine's (`Reconciliation`); this module only words and shapes them,
once, so `slamon evaluate`, the claim (HTML, PDF, XLSX, CSV, JSON) and the demo agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from monitor.domain.results import Reconciliation, SlaResult, SpanNote

HEADINGS = ("SLA", "Kind", "Component", "Start", "End", "Minutes", "Not reported (min)",
            "Vendor reference", "Note", "Locations")


def _m(value: Decimal) -> str:
    return f"{value}"


def line(rec: Reconciliation) -> str:
    """`availability: vendor 3 min, observed 8 min, unreported 5 min, ... (of record: ...)`"""
    return (f"{rec.sla_id}: vendor reported {_m(rec.vendor_minutes)} min down, observed "
            f"{_m(rec.observed_minutes)} min, not reported {_m(rec.unreported_minutes)} min "
            f"({len(rec.unreported)} spans), reported but not observed "
            f"{_m(rec.unobserved_minutes)} min, unknown {_m(rec.unknown_minutes)} min; "
            f"of record ({rec.record}): {_m(rec.record_minutes)} min")


def reconciliations(results: Iterable[SlaResult]) -> list[Reconciliation]:
    return [r.reconciliation for r in results if r.reconciliation is not None]


def _note(n: SpanNote) -> dict[str, Any]:
    return {"component": n.component, "start": n.start.isoformat(), "end": n.end.isoformat(),
            "minutes": str(n.minutes), "unreported_minutes": str(n.unreported_minutes),
            "vendor_ref": n.vendor_ref, "note": n.note, "locations": list(n.locations)}


def to_json(rec: Reconciliation) -> dict[str, Any]:
    return {
        "sla": rec.sla_id, "period": rec.period, "measurement_of_record": rec.record,
        "vendor_minutes": str(rec.vendor_minutes),
        "observed_minutes": str(rec.observed_minutes),
        "record_minutes": str(rec.record_minutes),
        "unreported_minutes": str(rec.unreported_minutes),
        "unobserved_minutes": str(rec.unobserved_minutes),
        "unknown_minutes": str(rec.unknown_minutes),
        "observed_spans": [_note(n) for n in rec.observed],
        "unobserved_spans": [_note(n) for n in rec.unobserved],
        "counted_outages": [_note(n) for n in rec.counted],
    }


def span_groups(rec: Reconciliation) -> tuple[tuple[str, tuple[SpanNote, ...]], ...]:
    """(kind, spans) in the order every format lists them."""
    return (("observed", rec.observed), ("reported, not observed", rec.unobserved),
            (f"counted (of record: {rec.record.replace('_', ' ')})", rec.counted))


def rows(results: Iterable[SlaResult]) -> list[list[Any]]:
    """One row per observed span and per reported span nobody observed (HEADINGS)."""
    out: list[list[Any]] = []
    for rec in reconciliations(results):
        for kind, notes in span_groups(rec):
            for n in notes:
                out.append([rec.sla_id, kind, n.component, n.start, n.end, n.minutes,
                            n.unreported_minutes if kind == "observed" else None,
                            n.vendor_ref or "", n.note, ", ".join(n.locations)])
    return out
