"""Independent evidence: probe samples -> observed down spans, and what the record is.

Pure (no I/O, no clock). A customer's own checks (blackbox_exporter probes read from its
Prometheus, synthetic test calls exported as CSV) arrive as samples on a grid of `step`:
one pass/fail value per location per step. `DownRule` says when a component is down at a
step: at least `failing` of `locations` locations failed (the locations that reported, when
`locations` is not set), and the failure lasted `consecutive` steps or more. A step where
the missing locations could still make the rule true is unknown, never up; so is a run of
failures too short to decide because it touches unknown time or the edge of the data.

Stored results are `ObservedSpan`s of state `down` or `up`: time covered by neither is
unknown. `observed_outages` and `unknown_spans` turn them into what the availability
engine and the reconciliation (`monitor.domain.reconcile`) need.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from monitor.domain.calendars import to_ns
from monitor.domain.contract import DownRule, IndependentSource, Record
from monitor.domain.measurements import ObservedSpan, Outage

__all__ = ["DownRule", "IndependentSource", "ObservedSpan", "Record"]

Span = tuple[int, int]  # [start, end) in epoch ns

DOWN = "down"
UP = "up"


@dataclass(frozen=True)
class Classified:
    spans: tuple[ObservedSpan, ...]
    covered: Span  # the window the spans were decided for (unknown elsewhere in it)


def from_ns(ns: int) -> datetime:
    return datetime.fromtimestamp(ns // 1_000_000_000, UTC) + timedelta(
        microseconds=(ns % 1_000_000_000) // 1000)


def step_states(samples: Mapping[str, Mapping[int, bool]], grid: list[int],
                rule: DownRule) -> list[str]:
    """'f' failed, 'p' passed or 'u' unknown for each grid instant; `samples` maps a location
    to {instant ns: passed}."""
    expected = rule.locations if rule.locations is not None else len(samples)
    out = []
    for t in grid:
        reported = [v[t] for v in samples.values() if t in v]
        failed = sum(1 for ok in reported if not ok)
        missing = max(expected - len(reported), 0)
        if not reported:
            out.append("u")
        elif failed >= rule.failing:
            out.append("f")
        elif failed + missing < rule.failing:
            out.append("p")
        else:
            out.append("u")
    return out


def classify(component: str, samples: Mapping[str, Mapping[int, bool]], start: int, end: int,
             rule: DownRule, source: str, query: str = "",
             context: int = 0) -> Classified:
    """Down and up spans of `component` over [start, end) from samples on the grid
    `start - context + k * step`. `context` ns of earlier samples only help decide runs that
    began before `start`; spans are clipped to [start, end)."""
    step = rule.step_ns
    grid = list(range(start - context, end, step))
    states = step_states(samples, grid, rule)
    decided: list[str] = list(states)
    i = 0
    while i < len(states):
        if states[i] != "f":
            i += 1
            continue
        j = i
        while j < len(states) and states[j] == "f":
            j += 1
        if j - i >= rule.consecutive:
            verdict = "d"
        else:  # too short, unless the run may go on into unknown time or past the data
            open_ended = i == 0 or j == len(states) or states[i - 1] == "u" or states[j] == "u"
            verdict = "u" if open_ended else "p"
        for k in range(i, j):
            decided[k] = verdict
        i = j
    spans: list[ObservedSpan] = []
    k = 0
    while k < len(grid):
        kind = decided[k]
        m = k
        while m < len(grid) and decided[m] == kind:
            m += 1
        a, b = max(grid[k], start), min(grid[m - 1] + step, end)
        if kind in ("d", "p") and a < b:
            locs = sorted({loc for loc, v in samples.items()
                           for t in grid[k:m] if t in v and (kind == "p" or not v[t])})
            state = DOWN if kind == "d" else UP
            spans.append(ObservedSpan(component, from_ns(a), from_ns(b), state, source, query,
                                      tuple(locs)))
        k = m
    return Classified(tuple(spans), (start, end))


# --- interval arithmetic on [a, b) ns pairs ------------------------------------------------

def merge(spans: Iterable[Span]) -> list[Span]:
    out: list[Span] = []
    for a, b in sorted(s for s in spans if s[0] < s[1]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def intersect(xs: Iterable[Span], ys: Iterable[Span]) -> list[Span]:
    a, b = merge(xs), merge(ys)
    out: list[Span] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(xs: Iterable[Span], ys: Iterable[Span]) -> list[Span]:
    cut = merge(ys)
    out: list[Span] = []
    for a, b in merge(xs):
        cursor = a
        for c, d in cut:
            if d <= cursor or c >= b:
                continue
            if c > cursor:
                out.append((cursor, c))
            cursor = max(cursor, d)
        if cursor < b:
            out.append((cursor, b))
    return out


def total(spans: Iterable[Span]) -> int:
    return sum(b - a for a, b in merge(spans))


# --- what the engine needs ----------------------------------------------------------------

def _pairs(spans: Iterable[ObservedSpan], state: str, components: frozenset[str] | None
           ) -> list[Span]:
    return merge((to_ns(s.start), to_ns(s.end)) for s in spans
                 if s.state == state and (components is None or s.component in components))


def down_spans(spans: Iterable[ObservedSpan], components: frozenset[str] | None) -> list[Span]:
    return _pairs(spans, DOWN, components)


def unknown_spans(spans: tuple[ObservedSpan, ...], components: frozenset[str],
                  lo: int, hi: int) -> list[Span]:
    """Time in [lo, hi) that is unknown for a service made of `components`: no component was
    seen down, and some component was not seen at all."""
    down = _pairs(spans, DOWN, components)
    known: list[Span] = [(lo, hi)]
    for name in sorted(components):
        known = intersect(known, _pairs(spans, DOWN, frozenset({name}))
                          + _pairs(spans, UP, frozenset({name})))
    return subtract([(lo, hi)], merge(down + known))


def observed_outages(spans: Iterable[ObservedSpan], components: frozenset[str] | None
                     ) -> tuple[Outage, ...]:
    """Observed down spans as full-impact outages, one per merged span and component."""
    out = []
    by_component: dict[str, list[ObservedSpan]] = {}
    for s in spans:
        by_component.setdefault(s.component, []).append(s)
    for name, items in sorted(by_component.items()):
        for a, b in down_spans(items, components):
            out.append(Outage(service=name, start=from_ns(a), end=from_ns(b), impact="full",
                              source="independent"))
    return tuple(out)


def clip_outages(outages: Iterable[Outage], keep: list[Span], as_of: datetime
                 ) -> tuple[Outage, ...]:
    """The parts of `outages` inside `keep` (open outages run to `as_of`)."""
    out = []
    for o in outages:
        end = o.end if o.end is not None else as_of
        for a, b in intersect([(to_ns(o.start), to_ns(end))], keep):
            out.append(Outage(o.service, from_ns(a), from_ns(b), o.impact, o.affected_fraction,
                              o.excluded, o.source, o.ref))
    return tuple(out)


@dataclass(frozen=True)
class IndependentEvidence:
    """What the engine gets besides the vendor's outages: the configured sources and the
    spans observed so far (empty = nothing observed, so all unknown)."""

    sources: tuple[IndependentSource, ...] = ()
    spans: tuple[ObservedSpan, ...] = field(default_factory=tuple)

    def components(self) -> frozenset[str]:
        return frozenset(c for s in self.sources for c in s.components)
