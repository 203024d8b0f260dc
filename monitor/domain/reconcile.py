"""Reconciliation of the vendor's outages with independently observed downtime, per SLA.

Pure. For one availability SLA and period it works out, with the SLA's own formula,
calendar and exclusions: the downtime the vendor reported, the downtime observed, the
downtime of record (`Record`), the observed minutes the vendor did not report, and the
minutes nobody could see (unknown). Unknown time never becomes downtime and never "up":
with `independent` of record the vendor's own outages stand there, so a probe gap can
neither create a credit nor hide one the vendor admitted.

Span lists are what a dispute needs: every observed down span (start, end in the contract
zone, minutes, how much of it the vendor did not report, the vendor's reference when one of
its outages overlaps) and every reported span nobody observed (with why: probes saw it up,
or no probe data).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from monitor.domain.availability import AvailabilityFigure, availability, minutes
from monitor.domain.calendars import OpenSpans, to_ns
from monitor.domain.contract import Sla
from monitor.domain.evidence import (
    IndependentEvidence,
    Record,
    Span,
    clip_outages,
    down_spans,
    from_ns,
    intersect,
    merge,
    observed_outages,
    subtract,
    total,
    unknown_spans,
)
from monitor.domain.measurements import Outage
from monitor.domain.results import Reconciliation, SpanNote


@dataclass(frozen=True)
class RecordFigures:
    record: AvailabilityFigure  # the figure the SLA is judged on
    reconciliation: Reconciliation


def _components(sla: Sla, evidence: IndependentEvidence) -> frozenset[str] | None:
    """The components the SLA and the evidence share; None when they share none."""
    watched = evidence.components()
    comps = frozenset(sla.components) & watched if sla.components else watched
    return comps or None


def _vendor_down(sla: Sla, outages: tuple[Outage, ...], as_of: datetime,
                 component: str | None = None) -> list[tuple[int, int, Outage]]:
    out = []
    for o in outages:
        if sla.components and o.service not in sla.components:
            continue
        if component is not None and o.service != component:
            continue
        if o.impact != "full" or o.excluded:
            continue
        end = o.end if o.end is not None else as_of
        out.append((to_ns(o.start), min(to_ns(end), to_ns(as_of)), o))
    return out


def _local(ns: int, tz: ZoneInfo) -> datetime:
    return from_ns(ns).astimezone(tz)


def _observed_notes(sla: Sla, evidence: IndependentEvidence, comps: frozenset[str],
                    vendor: tuple[Outage, ...], window: Span, as_of: datetime,
                    tz: ZoneInfo) -> tuple[SpanNote, ...]:
    notes = []
    for name in sorted(comps):
        own = [s for s in evidence.spans if s.component == name]
        theirs = _vendor_down(sla, vendor, as_of, name)
        reported = merge((a, b) for a, b, _ in theirs)
        for a, b in intersect(down_spans(own, frozenset({name})), [window]):
            missed = total(subtract([(a, b)], reported))
            ref = next((o.ref or o.source or "vendor outage" for c, d, o in theirs
                        if c < b and d > a), None)
            locs = sorted({loc for s in own if s.state == "down" and to_ns(s.start) < b
                           and to_ns(s.end) > a for loc in s.locations})
            if missed == b - a:
                note = "not reported by the vendor"
            elif missed:
                note = "reported shorter by the vendor"
            else:
                note = "reported by the vendor"
            notes.append(SpanNote(name, _local(a, tz), _local(b, tz), minutes(Decimal(b - a)),
                                  minutes(Decimal(missed)), ref, note, tuple(locs)))
    notes.sort(key=lambda n: (n.start, n.component))
    return tuple(notes)


def _unobserved_notes(sla: Sla, evidence: IndependentEvidence, comps: frozenset[str],
                      vendor: tuple[Outage, ...], window: Span, unknown: list[Span],
                      as_of: datetime, tz: ZoneInfo) -> tuple[SpanNote, ...]:
    notes = []
    seen = down_spans(evidence.spans, comps)
    for a0, b0, o in _vendor_down(sla, vendor, as_of):
        for a, b in intersect([(a0, b0)], [window]):
            if intersect([(a, b)], seen):
                continue
            dark = total(intersect([(a, b)], unknown))
            note = ("no probe data" if dark == b - a else "probes saw it up" if not dark
                    else "probes saw it up in part; no probe data for the rest")
            notes.append(SpanNote(o.service, _local(a, tz), _local(b, tz),
                                  minutes(Decimal(b - a)), vendor_ref=o.ref, note=note))
    notes.sort(key=lambda n: (n.start, n.component))
    return tuple(notes)


def _counted_notes(sla: Sla, outages: tuple[Outage, ...], window: Span, as_of: datetime,
                   tz: ZoneInfo) -> tuple[SpanNote, ...]:
    """The full-impact outages of record inside the period so far, each with its source."""
    notes = []
    for a0, b0, o in _vendor_down(sla, outages, as_of):
        for a, b in intersect([(a0, b0)], [window]):
            source = "independent checks" if o.source == "independent" else (
                o.source or "vendor")
            notes.append(SpanNote(o.service, _local(a, tz), _local(b, tz),
                                  minutes(Decimal(b - a)), vendor_ref=o.ref, note=source))
    notes.sort(key=lambda n: (n.start, n.component))
    return tuple(notes)


def reconcile(sla: Sla, record: Record, vendor: tuple[Outage, ...], evidence: IndependentEvidence,
              calendar: OpenSpans, exclusions: OpenSpans, lo: int, hi: int, as_of: datetime,
              tz: ZoneInfo, period_label: str) -> RecordFigures | None:
    """The figure of record and the reconciliation; None when no configured source watches
    any of the SLA's components."""
    comps = _components(sla, evidence)
    if comps is None:
        return None
    window = (lo, max(lo, min(hi, to_ns(as_of))))
    unknown = unknown_spans(evidence.spans, comps, *window)
    observed = observed_outages(evidence.spans, comps)

    def figure(outages: tuple[Outage, ...]) -> AvailabilityFigure:
        return availability(sla, outages, calendar, exclusions, lo, hi, as_of)

    if record is Record.INDEPENDENT:
        of_record = observed + clip_outages(vendor, unknown, as_of)
    elif record is Record.WORST_OF:
        of_record = vendor + observed
    else:
        of_record = vendor
    vendor_fig, observed_fig, record_fig = figure(vendor), figure(observed), figure(of_record)
    reported = merge((a, b) for a, b, _ in _vendor_down(sla, vendor, as_of))
    seen = down_spans(evidence.spans, comps)
    missed = subtract(intersect(seen, [window]), reported)
    not_seen = subtract(intersect(reported, [window]), seen)
    as_outages = tuple(Outage("independent", from_ns(a), from_ns(b), "full") for a, b in missed)
    unseen_outages = tuple(Outage("vendor", from_ns(a), from_ns(b), "full") for a, b in not_seen)
    unknown_ns = int(calendar.overlap_ns(*_arrays(unknown)).sum()) if unknown else 0
    rec = Reconciliation(
        sla_id=sla.id, period=period_label, record=str(record),
        vendor_minutes=minutes(vendor_fig.downtime_ns),
        observed_minutes=minutes(observed_fig.downtime_ns),
        record_minutes=minutes(record_fig.downtime_ns),
        unreported_minutes=minutes(_any_component(sla, as_outages, figure)),
        unobserved_minutes=minutes(_any_component(sla, unseen_outages, figure)),
        unknown_minutes=minutes(Decimal(unknown_ns)),
        observed=_observed_notes(sla, evidence, comps, vendor, window, as_of, tz),
        unobserved=_unobserved_notes(sla, evidence, comps, vendor, window, unknown, as_of,
                                     tz),
        counted=_counted_notes(sla, of_record, window, as_of, tz),
    )
    return RecordFigures(record_fig, rec)


# Reconciliation totals kept in the SLA's evidence details (stored with the result, so the
# exporter shows them without re-reading the spans): detail key -> Reconciliation field.
EVIDENCE_DETAILS: dict[str, str] = {
    "vendor_downtime_minutes": "vendor_minutes",
    "observed_downtime_minutes": "observed_minutes",
    "unreported_downtime_minutes": "unreported_minutes",
    "unobserved_downtime_minutes": "unobserved_minutes",
    "unknown_evidence_minutes": "unknown_minutes",
}


def evidence_details(rec: Reconciliation) -> dict[str, str]:
    return {key: str(getattr(rec, field)) for key, field in EVIDENCE_DETAILS.items()}


def _any_component(sla: Sla, outages: tuple[Outage, ...],
                   figure: Callable[[tuple[Outage, ...]], AvailabilityFigure]) -> Decimal:
    """Counted downtime of spans already merged across components (named so the SLA's
    component filter keeps them)."""
    if not outages:
        return Decimal(0)
    name = sla.components[0] if sla.components else "independent"
    renamed = tuple(Outage(name, o.start, o.end, o.impact) for o in outages)
    return figure(renamed).downtime_ns


def _arrays(spans: list[Span]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    return (np.array([a for a, _ in spans], dtype=np.int64),
            np.array([b for _, b in spans], dtype=np.int64))
