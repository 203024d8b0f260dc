"""Independent evidence readers: the customer's Prometheus, and synthetic-test CSV files.

`PrometheusEvidence` asks `GET {url}/api/v1/query_range` (through the HTTP seam) for each
component's expression over a grid of `rule.step`, and once more for `timestamp(expr)`:
Prometheus answers an instant with the last sample inside its lookback (5 minutes by
default), so without the timestamps a probe that stopped reporting would look like it kept
its last value. A value older than two steps is dropped, so a gap (Prometheus or the exporter
down) stays unknown. The range is read in pieces of at most `MAX_POINTS` steps (Prometheus
refuses more than 11,000 points per series) and starts `consecutive` steps early, so a
failure run that began before the window is judged on its whole length.

`PrometheusEvidenceCollector` is the same reader as a collector of `slamon run`: its windows
are steps, and each poll re-reads the last `consecutive + 1` steps (`Limits.trailing`), so a
failure run the previous window's edge left undecided is decided and stored.

`read_probes` reads the synthetic-test CSV of docs/evidence.md: one row per test, bucketed
to the step; a location's sample for a step is its last test in that step.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from monitor.collectors.base import Clock, CollectResult, Limits, TimeWindow
from monitor.collectors.http import HttpClient
from monitor.domain.calendars import to_ns
from monitor.domain.contract import Contract
from monitor.domain.evidence import Classified, IndependentSource, classify
from monitor.errors import InputError, PermanentError

MAX_POINTS = 10_000
PROBE_COLUMNS = ("time", "component", "location", "passed")
PROBE_OPTIONAL = ("answer_seconds", "reason")
TRUE = frozenset({"true", "1", "yes", "pass", "passed", "ok"})
FALSE = frozenset({"false", "0", "no", "fail", "failed"})

Samples = dict[str, dict[int, bool]]


def _ns(value: object) -> int:
    return int(Decimal(str(value)) * 1_000_000_000)


class PrometheusEvidence:
    def __init__(self, source: IndependentSource, http: HttpClient) -> None:
        if source.url is None:
            raise PermanentError(f"independent source {source.name}: no url")
        self.source, self.http = source, http
        self.base = source.url.rstrip("/")

    def read(self, start: datetime, end: datetime) -> list[tuple[str, Classified]]:
        """Each component's decided spans over [start, end), widened to whole steps."""
        rule = self.source.rule
        step = rule.step_ns
        lo = to_ns(start) // step * step
        hi = -(-to_ns(end) // step) * step
        context = rule.consecutive * step
        out = []
        for component, expr in self.source.components.items():
            samples = self._samples(expr, lo - context, hi)
            out.append((component, classify(component, samples, lo, hi, rule,
                                             self.source.name, expr, context)))
        return out

    def _samples(self, expr: str, lo: int, hi: int) -> Samples:
        step = self.source.rule.step_ns
        label = self.source.rule.location_label
        samples: Samples = {}
        for a in range(lo, hi, MAX_POINTS * step):
            b = min(hi, a + MAX_POINTS * step) - step  # query_range's end is inclusive
            values = self._range(expr, a, b)
            stamps = {_series_key(m): {_ns(t): _ns(v) for t, v in pts}
                      for m, pts in self._range(f"timestamp({expr})", a, b)}
            for metric, points in values:
                seen = stamps.get(_series_key(metric), {})
                where = metric.get(label) or _series_key(metric) or "-"
                mine = samples.setdefault(where, {})
                for t, v in points:
                    at = _ns(t)
                    if at not in seen or at - seen[at] > 2 * step:
                        continue  # stale: the last sample is older than two steps
                    passed = Decimal(str(v)) > 0 if str(v) not in ("NaN",) else False
                    mine[at] = mine.get(at, True) and passed  # any failing series fails
        return samples

    def _range(self, expr: str, lo: int, hi: int) -> list[tuple[Mapping[str, str], Any]]:
        params = {"query": expr, "start": f"{Decimal(lo) / 1_000_000_000}",
                  "end": f"{Decimal(hi) / 1_000_000_000}",
                  "step": f"{Decimal(self.source.rule.step_ns) / 1_000_000_000}s"}
        body = self.http.get_json(f"{self.base}/api/v1/query_range", params=params)
        if not isinstance(body, dict) or body.get("status") != "success":
            raise PermanentError(f"{self.base}: query_range {expr!r} failed: "
                                 f"{body.get('error') if isinstance(body, dict) else body}")
        data = body.get("data") or {}
        if data.get("resultType") != "matrix":
            raise PermanentError(f"{self.base}: {expr!r} is not an instant-vector expression")
        return [(r.get("metric") or {}, r.get("values") or []) for r in data.get("result", [])]


class PrometheusEvidenceCollector:
    def __init__(self, contract: Contract, source: IndependentSource, http: HttpClient,
                 clock: Clock) -> None:
        self.contract, self.source, self.http, self.clock = contract, source, http, clock
        self.kind = f"evidence-{source.name}"
        rule = source.rule
        self.limits = Limits(granularity=rule.step,
                             max_span=min(rule.step * (MAX_POINTS // 2), timedelta(days=1)),
                             history=timedelta(days=365),
                             trailing=rule.step * (rule.consecutive + 1))
        self.reader = PrometheusEvidence(source, http)

    def collect(self, window: TimeWindow) -> CollectResult:
        before = self.http.stats()
        decided = self.reader.read(window.start, window.end)
        return CollectResult(source=self.kind, window=window,
                             observations=tuple((self.source.name, c, d) for c, d in decided),
                             stats=self.http.stats().since(before))

    def commit(self, result: CollectResult) -> None:
        pass


def _series_key(metric: Mapping[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(metric.items()) if k != "__name__")


def read_probes(path: Path, source: IndependentSource) -> list[tuple[str, Classified]]:
    """Synthetic tests -> each component's decided spans over the steps the file covers.
    Rows of targets the source does not map are ignored; bad rows fail the whole file."""
    file = str(path)
    targets = {target or name: name for name, target in source.components.items()}
    step = source.rule.step_ns
    by_component: dict[str, dict[str, dict[int, tuple[int, bool]]]] = {}
    try:
        handle = open(path, newline="", encoding="utf-8")  # noqa: SIM115
    except FileNotFoundError as exc:
        raise InputError("no such file", file=file) from exc
    with handle:
        reader = csv.DictReader(handle, skipinitialspace=True)
        header = [h.strip() for h in (reader.fieldnames or [])]
        for column in PROBE_COLUMNS:
            if column not in header:
                raise InputError("required column is missing", file=file, line=1, column=column)
        for row in reader:
            line = reader.line_num
            values = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
            at = _instant(values["time"], file, line)
            name = targets.get(values["component"])
            if name is None:
                continue
            passed = values["passed"].lower()
            if passed not in TRUE | FALSE:
                raise InputError(f"{values['passed']!r} is not true/false", file=file,
                                 line=line, column="passed")
            answer = values.get("answer_seconds", "")
            if answer:
                try:
                    if Decimal(answer) < 0:
                        raise InvalidOperation
                except InvalidOperation:
                    raise InputError(f"{answer!r} is not a number of seconds >= 0", file=file,
                                     line=line, column="answer_seconds") from None
            if not values["location"]:
                raise InputError("empty location", file=file, line=line, column="location")
            t = to_ns(at)
            bucket = t // step * step
            slot = by_component.setdefault(name, {}).setdefault(values["location"], {})
            if bucket not in slot or slot[bucket][0] <= t:
                slot[bucket] = (t, passed in TRUE)
    out = []
    for name, locations in sorted(by_component.items()):
        samples = {loc: {b: ok for b, (_, ok) in slots.items()} for loc, slots in
                   locations.items()}
        buckets = [b for slots in samples.values() for b in slots]
        lo, hi = min(buckets), max(buckets) + step
        out.append((name, classify(name, samples, lo, hi, source.rule, source.name,
                                   path.name)))
    return out


def _instant(text: str, file: str, line: int) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not an ISO 8601 time", file=file, line=line,
                         column="time") from None
    if at.tzinfo is None:
        raise InputError(f"{text!r} has no UTC offset", file=file, line=line, column="time")
    return at
