"""The OpenSLO v1 rules slamon's exported documents keep (README of OpenSLO/OpenSLO, v1).

Checked: `apiVersion`/`kind`; `metadata.name` an RFC 1123 label (lowercase alphanumerics
and `-`, starting and ending alphanumeric, at most 63 characters); annotation keys
(`prefix/name`, name at most 63 characters, `openslo.com/` reserved) with string values;
descriptions at most 1050 characters; an SLO has exactly one `timeWindow` item whose
`duration` is duration shorthand (a positive integer and one of m h d w M Q Y), a known
`budgetingMethod`, one of `indicator`/`indicatorRef`, objectives with `target` in [0, 1)
(or `targetPercent` in [0, 100)), `timeSliceTarget` in (0, 1] and `timeSliceWindow` with
Timeslices; an AlertCondition has a severity and a burn-rate condition.

Returns (path, message) pairs per document, so callers add the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

KINDS = frozenset({"DataSource", "SLO", "SLI", "AlertPolicy", "AlertCondition",
                   "AlertNotificationTarget", "Service"})
BUDGETING = frozenset({"Occurrences", "Timeslices", "RatioTimeslices"})
RFC1123 = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
DURATION = re.compile(r"^[1-9][0-9]*[mhdwMQY]$")
ANNOTATION_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")
DESCRIPTION_MAX = 1050

Found = list[tuple[str, str]]


def is_duration(value: object) -> bool:
    return isinstance(value, str) and bool(DURATION.match(value))


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def check_document(doc: Any) -> Found:
    if not isinstance(doc, Mapping):
        return [("", "an OpenSLO document must be a mapping")]
    found: Found = []
    if doc.get("apiVersion") != "openslo/v1":
        found.append(("apiVersion", f"must be 'openslo/v1', got {doc.get('apiVersion')!r}"))
    kind = doc.get("kind")
    if kind not in KINDS:
        found.append(("kind", f"must be one of {', '.join(sorted(KINDS))}, got {kind!r}"))
    found += _metadata(doc.get("metadata"), "metadata")
    spec = doc.get("spec")
    if not isinstance(spec, Mapping):
        return [*found, ("spec", "is required and must be a mapping")]
    if len(str(spec.get("description", ""))) > DESCRIPTION_MAX:
        found.append(("spec.description", f"is longer than {DESCRIPTION_MAX} characters"))
    if kind == "SLO":
        found += _slo(spec)
    elif kind == "AlertCondition":
        found += _condition(spec)
    elif kind == "SLI":
        found += _sli(spec, "spec")
    return found


def _metadata(meta: object, path: str) -> Found:
    if not isinstance(meta, Mapping):
        return [(path, "is required and must be a mapping")]
    found: Found = []
    name = meta.get("name")
    if not isinstance(name, str) or not RFC1123.match(name):
        found.append((f"{path}.name", f"{name!r} is not an RFC 1123 name (lowercase letters, "
                      "digits and '-', alphanumeric at both ends, at most 63 characters)"))
    for ann_key, value in (meta.get("annotations") or {}).items():
        found += _annotation(str(ann_key), value, f"{path}.annotations[{ann_key}]")
    return found


def _annotation(ann_key: str, value: object, path: str) -> Found:
    prefix, _, name = ann_key.rpartition("/")
    found: Found = []
    if not ANNOTATION_NAME.match(name):
        found.append((path, "the name segment must be 1-63 characters, alphanumeric at both "
                      "ends, with '-', '_' or '.' between"))
    if prefix and (len(prefix) > 253 or not DNS_SUBDOMAIN.match(prefix)):
        found.append((path, "the prefix must be a DNS subdomain"))
    if prefix == "openslo.com":
        found.append((path, "the openslo.com/ prefix is reserved for OpenSLO"))
    if not isinstance(value, str):
        found.append((path, "annotation values must be strings"))
    return found


def _slo(spec: Mapping[str, Any]) -> Found:
    found: Found = []
    has_indicator = "indicator" in spec, "indicatorRef" in spec
    if sum(has_indicator) != 1:
        found.append(("spec", "needs exactly one of indicator or indicatorRef"))
    if "indicator" in spec:
        indicator = spec["indicator"]
        found += _metadata(indicator.get("metadata") if isinstance(indicator, Mapping) else None,
                           "spec.indicator.metadata")
        if isinstance(indicator, Mapping):
            found += _sli(indicator.get("spec"), "spec.indicator.spec")
    if not isinstance(spec.get("service"), str):
        found.append(("spec.service", "is required"))
    windows = spec.get("timeWindow")
    if not isinstance(windows, list) or len(windows) != 1:
        found.append(("spec.timeWindow", "must be a list of exactly one time window"))
    else:
        found += _window(windows[0])
    method = spec.get("budgetingMethod")
    if method not in BUDGETING:
        found.append(("spec.budgetingMethod", f"must be one of {', '.join(sorted(BUDGETING))}"))
    objectives = spec.get("objectives")
    if not isinstance(objectives, list) or not objectives:
        return [*found, ("spec.objectives", "needs at least one objective")]
    for i, objective in enumerate(objectives):
        found += _objective(objective, method, f"spec.objectives[{i}]")
    return found


def _window(window: object) -> Found:
    path = "spec.timeWindow[0]"
    if not isinstance(window, Mapping):
        return [(path, "must be a mapping")]
    found: Found = []
    if not is_duration(window.get("duration")):
        found.append((f"{path}.duration", f"{window.get('duration')!r} is not duration "
                      "shorthand (a positive integer and one of m h d w M Q Y)"))
    calendar = window.get("calendar")
    rolling = window.get("isRolling", calendar is None)
    if not rolling:
        if not isinstance(calendar, Mapping):
            found.append((f"{path}.calendar", "a calendar window needs startTime and timeZone"))
        elif not re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", str(calendar.get("startTime"))):
            found.append((f"{path}.calendar.startTime",
                          "must be 'YYYY-MM-DD hh:mm:ss' without a zone"))
        elif not isinstance(calendar.get("timeZone"), str):
            found.append((f"{path}.calendar.timeZone", "is required (IANA zone name)"))
    return found


def _objective(objective: object, method: object, path: str) -> Found:
    if not isinstance(objective, Mapping):
        return [(path, "must be a mapping")]
    found: Found = []
    target, percent = objective.get("target"), objective.get("targetPercent")
    if (target is None) == (percent is None):
        found.append((path, "needs exactly one of target or targetPercent"))
    elif target is not None:
        value = _number(target)
        if value is None or not Decimal(0) <= value < 1:
            found.append((f"{path}.target", f"{target!r} must be in [0, 1)"))
    else:
        value = _number(percent)
        if value is None or not Decimal(0) <= value < 100:
            found.append((f"{path}.targetPercent", f"{percent!r} must be in [0, 100)"))
    if "op" in objective and objective["op"] not in ("lte", "gte", "lt", "gt"):
        found.append((f"{path}.op", "must be one of lte, gte, lt, gt"))
    if method in ("Timeslices", "RatioTimeslices"):
        window = objective.get("timeSliceWindow")
        if not (is_duration(window) or (_number(window) or 0) > 0):
            found.append((f"{path}.timeSliceWindow", f"is required with {method} "
                          "(minutes or duration shorthand)"))
    if method == "Timeslices":
        slice_target = _number(objective.get("timeSliceTarget"))
        if slice_target is None or not Decimal(0) < slice_target <= 1:
            found.append((f"{path}.timeSliceTarget", "must be in (0, 1] with Timeslices"))
    return found


def _sli(spec: object, path: str) -> Found:
    if not isinstance(spec, Mapping):
        return [(path, "must be a mapping")]
    kinds = [k for k in ("thresholdMetric", "ratioMetric") if k in spec]
    if len(kinds) != 1:
        return [(path, "needs exactly one of thresholdMetric or ratioMetric")]
    return []


def _condition(spec: Mapping[str, Any]) -> Found:
    found: Found = []
    if not isinstance(spec.get("severity"), str):
        found.append(("spec.severity", "is required"))
    condition = spec.get("condition")
    if not isinstance(condition, Mapping):
        return [*found, ("spec.condition", "is required")]
    if condition.get("kind", "burnrate") == "burnrate":
        if _number(condition.get("threshold")) is None:
            found.append(("spec.condition.threshold", "is required for burnrate"))
        if not is_duration(condition.get("lookbackWindow")):
            found.append(("spec.condition.lookbackWindow", "must be duration shorthand"))
        if "alertAfter" in condition and not (condition["alertAfter"] == "0m"
                                              or is_duration(condition["alertAfter"])):
            found.append(("spec.condition.alertAfter", "must be duration shorthand"))
    return found
