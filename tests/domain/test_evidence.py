"""Probe samples -> observed down/up spans under the contract's down rule (K of M, N in a row)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.domain.calendars import to_ns
from monitor.domain.evidence import DownRule, classify, step_states, unknown_spans
from monitor.domain.measurements import ObservedSpan

T0 = datetime(2026, 10, 5, 10, 0, tzinfo=UTC)
MIN = 60_000_000_000


def grid(n: int) -> list[int]:
    return [to_ns(T0) + k * MIN for k in range(n)]


def series(text: str) -> dict[int, bool]:
    """'FFP-' -> failed, failed, passed, missing at minutes 0, 1, 2, 3."""
    return {t: c == "P" for t, c in zip(grid(len(text)), text, strict=True) if c != "-"}


def at(minute: int) -> datetime:
    return T0 + timedelta(minutes=minute)


def test_two_of_three_locations_for_two_minutes_is_down_and_missing_locations_are_unknown() -> None:
    rule = DownRule(failing=2, locations=3, consecutive=2)
    samples = {"a": series("FFFPPP"), "b": series("FFPP--"), "c": series("PFFPP-")}
    # t4: a, c passed, b missing: even if b failed that is 1 < 2 -> up;
    # t5: only a reported: two missing could make 2 -> unknown.
    assert step_states(samples, grid(6), rule) == list("fffppu")
    got = classify("desktop", samples, grid(6)[0], grid(6)[0] + 6 * MIN, rule, "probes").spans
    assert [(s.state, s.start, s.end) for s in got] == [
        ("down", at(0), at(3)), ("up", at(3), at(5))]
    assert got[0].locations == ("a", "b", "c")


def test_a_short_failure_run_is_up_between_passes_and_unknown_next_to_a_gap() -> None:
    rule = DownRule(failing=1, consecutive=3)
    between = classify("d", {"a": series("PFFP")}, grid(1)[0], grid(1)[0] + 4 * MIN, rule, "p")
    assert [(s.state, s.start, s.end) for s in between.spans] == [("up", at(0), at(4))]
    gap = classify("d", {"a": series("PFF-")}, grid(1)[0], grid(1)[0] + 4 * MIN, rule, "p")
    assert [(s.state, s.start, s.end) for s in gap.spans] == [("up", at(0), at(1))]


def test_context_before_the_window_decides_a_run_that_began_earlier() -> None:
    rule = DownRule(failing=1, consecutive=3)
    start = grid(3)[2]
    got = classify("d", {"a": series("FFFFP")}, start, start + 3 * MIN, rule, "p",
                   context=2 * MIN).spans
    assert [(s.state, s.start, s.end) for s in got] == [("down", at(2), at(4)),
                                                         ("up", at(4), at(5))]


def test_unknown_is_what_no_component_covers_unless_one_is_seen_down() -> None:
    def span(c: str, a: int, b: int, state: str) -> ObservedSpan:
        return ObservedSpan(c, at(a), at(b), state, "p")
    spans = (span("voice", 0, 10, "up"), span("desktop", 0, 4, "up"),
             span("desktop", 6, 8, "down"))
    # desktop unseen at [4, 6) and [8, 10); voice unseen at [10, 12); desktop down hides none
    got = unknown_spans(spans, frozenset({"voice", "desktop"}), to_ns(at(0)), to_ns(at(12)))
    assert got == [(to_ns(at(4)), to_ns(at(6))), (to_ns(at(8)), to_ns(at(12)))]
