"""The OpenSLO v1 rules: one broken document per rule, each with its message."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from monitor.openslo.rules import check_document

VALID: dict[str, Any] = {
    "apiVersion": "openslo/v1", "kind": "SLO",
    "metadata": {"name": "acme-sl", "annotations": {"slamon.dev/threshold": "20s"}},
    "spec": {
        "service": "acme", "indicatorRef": "acme-sl",
        "timeWindow": [{"duration": "1M", "isRolling": False,
                        "calendar": {"startTime": "2026-01-01 00:00:00",
                                     "timeZone": "Europe/London"}}],
        "budgetingMethod": "Timeslices",
        "objectives": [{"target": 0.9, "timeSliceTarget": 0.8, "timeSliceWindow": "30m"}],
    },
}


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        node = doc
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
    return change


CASES = [
    ("an upper-case name", _set(("metadata", "name"), "Acme-SL"),
     "metadata.name", "not an RFC 1123 name"),
    ("a 64-character name", _set(("metadata", "name"), "a" * 64),
     "metadata.name", "at most 63 characters"),
    ("a name ending in a dash", _set(("metadata", "name"), "acme-"),
     "metadata.name", "not an RFC 1123 name"),
    ("two time windows", _set(("spec", "timeWindow"), [{"duration": "1M"}, {"duration": "1Q"}]),
     "spec.timeWindow", "exactly one time window"),
    ("a duration in words", _set(("spec", "timeWindow", 0, "duration"), "1 month"),
     "spec.timeWindow[0].duration", "not duration shorthand"),
    ("a zero duration", _set(("spec", "timeWindow", 0, "duration"), "0d"),
     "spec.timeWindow[0].duration", "not duration shorthand"),
    ("a start time with a zone", _set(("spec", "timeWindow", 0, "calendar", "startTime"),
                                      "2026-01-01T00:00:00Z"),
     "spec.timeWindow[0].calendar.startTime", "without a zone"),
    ("a target of 1", _set(("spec", "objectives", 0, "target"), 1),
     "spec.objectives[0].target", "must be in [0, 1)"),
    ("a target given as a percentage", _set(("spec", "objectives", 0, "target"), 90),
     "spec.objectives[0].target", "must be in [0, 1)"),
    ("a time-slice target of 0", _set(("spec", "objectives", 0, "timeSliceTarget"), 0),
     "spec.objectives[0].timeSliceTarget", "(0, 1]"),
    ("an unknown budgeting method", _set(("spec", "budgetingMethod"), "Slices"),
     "spec.budgetingMethod", "must be one of"),
    ("an annotation under the reserved prefix",
     _set(("metadata", "annotations"), {"openslo.com/x": "1"}),
     "metadata.annotations[openslo.com/x]", "reserved"),
    ("an annotation that is not a string",
     _set(("metadata", "annotations"), {"slamon.dev/x": 1}),
     "metadata.annotations[slamon.dev/x]", "must be strings"),
    ("both indicator and indicatorRef",
     _set(("spec", "indicator"), {"metadata": {"name": "x"}, "spec": {"ratioMetric": {}}}),
     "spec", "exactly one of indicator or indicatorRef"),
]


def test_the_valid_document_has_no_problem() -> None:
    assert check_document(VALID) == []


@pytest.mark.parametrize(("change", "path", "message"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_each_broken_rule_is_reported_at_its_path(
        change: Callable[[dict[str, Any]], None], path: str, message: str) -> None:
    doc = copy.deepcopy(VALID)
    change(doc)
    found = check_document(doc)
    assert [p for p, _ in found] == [path]
    assert message in found[0][1]


def test_an_alert_condition_needs_severity_and_a_shorthand_lookback() -> None:
    doc = {"apiVersion": "openslo/v1", "kind": "AlertCondition", "metadata": {"name": "c"},
           "spec": {"condition": {"kind": "burnrate", "threshold": 2, "lookbackWindow": "60"}}}
    assert [p for p, _ in check_document(doc)] == ["spec.severity",
                                                   "spec.condition.lookbackWindow"]
