"""`SlamonMetrics`: the scrape-time Prometheus collector (client_python `Collector` protocol).

Every scrape asks the `SnapshotSource` for the latest stored results and builds fresh metric
families from them: no state carries over between scrapes, so a contract or SLA that goes
away stops being exposed. Vendors are never called from here (their pollers run on their own
schedule and persist). If the source fails, `slamon_up` is 0 and the error is counted; the
scrape itself still answers.

Register it on an injected `CollectorRegistry` (never the global one in tests).
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from operator import attrgetter

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    Metric,
    SummaryMetricFamily,
)
from prometheus_client.registry import Collector
from prometheus_client.samples import Sample

from monitor import conventions as C
from monitor.domain.outlook import Standing
from monitor.exporter.snapshot import MetricsSnapshot, SlaSnapshot, SnapshotSource

log = logging.getLogger(__name__)

STATES = tuple(str(s) for s in Standing)
CACHED = " Read from stored results at scrape time (see slamon_snapshot_age_seconds)."
SLA_PL = list(C.SLA_PERIOD_LABELS)
SLA_L = list(C.SLA_LABELS)

# (ratio family, seconds family, help, SlaSnapshot field)
_PER_UNIT: tuple[tuple[str, str, str, str], ...] = (
    (C.ATTAINMENT_RATIO, C.ATTAINMENT_SECONDS,
     "Contractual attainment so far this period (exclusions applied).", "attainment"),
    (C.RAW_ATTAINMENT_RATIO, C.RAW_ATTAINMENT_SECONDS,
     "Attainment so far this period with no exclusion applied.", "raw_attainment"),
    (C.TARGET_RATIO, C.TARGET_SECONDS, "Contract target in force this period.", "target"),
    (C.PROJECTED_RATIO, C.PROJECTED_SECONDS,
     "Projected end-of-period attainment if the rest runs at the current rate.", "projected"),
    (C.BEST_CASE_RATIO, C.BEST_CASE_SECONDS,
     "End-of-period attainment if the rest of the period is perfect.", "best_case"),
    (C.REQUIRED_RATIO, C.REQUIRED_SECONDS,
     "Attainment the rest of the period must average to hold the target (clamped).",
     "required"),
)


class SlamonMetrics(Collector):
    def __init__(
        self, source: SnapshotSource, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._source = source
        self._clock = clock or (lambda: datetime.now(UTC))
        self._errors = 0

    def describe(self) -> list[Metric]:
        return []  # collect() reads storage: keep registration cheap

    def collect(self) -> Iterator[Metric]:
        started = time.perf_counter()
        now = self._clock()
        try:
            snap = self._source.snapshot(now)
            with _no_gc():
                families = self._families(snap, now)
            up = 1.0
        except Exception:  # the scrape must still answer and say it is unhealthy
            log.exception("event=snapshot_failed action=serving_slamon_up_0")
            self._errors += 1
            families, up = [], 0.0
        yield from families
        yield GaugeMetricFamily(C.EXPORTER_UP, "1 if the last snapshot was read.", value=up)
        yield GaugeMetricFamily(
            C.EXPORTER_SCRAPE_DURATION, "Seconds spent building this scrape.",
            value=time.perf_counter() - started,
        )

    def _families(self, snap: MetricsSnapshot, now: datetime) -> list[Metric]:
        out: list[Metric] = []
        # one label dict per SLA (and period), shared by all its samples: see `_put`
        pls = [dict(zip(SLA_PL, _pl(s), strict=True)) for s in snap.slas]
        is_ratio = [s.unit == "ratio" for s in snap.slas]
        info = GaugeMetricFamily(C.SLA_INFO, "SLA metadata (always 1)." + CACHED,
                                 labels=list(C.INFO_LABELS))
        for s in snap.slas:
            info.add_metric([s.vendor, s.contract, s.sla, s.metric, s.direction, s.unit,
                             s.calendar, s.period_kind], 1.0)
        out.append(info)
        for ratio_name, seconds_name, help_text, field in _PER_UNIT:
            ratio = GaugeMetricFamily(ratio_name, help_text + CACHED, labels=SLA_PL)
            seconds = GaugeMetricFamily(seconds_name, help_text + CACHED, labels=SLA_PL)
            rows = list(zip(map(attrgetter(field), snap.slas), pls, is_ratio, strict=True))
            ratio.samples = [Sample(ratio_name, pl, v) for v, pl, r in rows
                             if r and v is not None]
            seconds.samples = [Sample(seconds_name, pl, v) for v, pl, r in rows
                               if not r and v is not None]
            out += [ratio, seconds]
        out += self._budget_families(snap, pls)
        for name, help_text, key in C.EVIDENCE_FAMILIES:
            family = GaugeMetricFamily(name, help_text + CACHED, labels=SLA_PL)
            for s, pl in zip(snap.slas, pls, strict=True):
                if key in s.evidence:
                    _put(family, pl, s.evidence[key])
            out.append(family)
        out += self._money_families(snap, pls)
        out += _claims_families(snap)
        out += self._health_families(snap, now)
        out += self._spread_families(snap)
        return out

    def _spread_families(self, snap: MetricsSnapshot) -> list[Metric]:
        labels = [*SLA_PL, C.L_DIMENSION]
        help_text = ("Best minus worst attainment across the SLA's queues (dimension=queue) "
                     "or sites (dimension=site) this period; 0 = even." + CACHED)
        ratio = GaugeMetricFamily(C.ATTAINMENT_SPREAD_RATIO, help_text, labels=labels)
        seconds = GaugeMetricFamily(C.ATTAINMENT_SPREAD_SECONDS, help_text, labels=labels)
        for sp in snap.spreads:
            (ratio if sp.unit == "ratio" else seconds).add_metric(
                [sp.vendor, sp.contract, sp.sla, sp.period, sp.dimension], sp.spread)
        undelivered = GaugeMetricFamily(
            C.NOTIFICATIONS_UNDELIVERED, "Notifications that could not be delivered yet "
            "(retried with backoff; `slamon notifications --failed`), by notifier kind.",
            labels=[C.L_VENDOR, C.L_CONTRACT, C.L_CHANNEL])
        for n in snap.notifications:
            undelivered.add_metric([n.vendor, n.contract, n.channel], float(n.undelivered))
        return [ratio, seconds, undelivered]

    def _budget_families(self, snap: MetricsSnapshot, pls: list[dict[str, str]]
                         ) -> list[Metric]:
        budget = GaugeMetricFamily(
            C.ERROR_BUDGET_RATIO, "Allowed share of bad events (1 - target for a min ratio)."
            + CACHED, labels=SLA_L)
        remaining = GaugeMetricFamily(
            C.ERROR_BUDGET_REMAINING_RATIO,
            "Share of this period's error budget left; below 0 when overspent." + CACHED,
            labels=SLA_PL)
        elapsed = GaugeMetricFamily(C.PERIOD_ELAPSED_RATIO,
                                    "Share of the period's calendar time gone." + CACHED,
                                    labels=SLA_PL)
        breached = GaugeMetricFamily(
            C.BREACHED, "1 if the period ended breached or a breach is already certain; an "
            "open period that can still be met is 0." + CACHED, labels=SLA_PL)
        standing = GaugeMetricFamily(
            C.STANDING, "1 for the SLA's state this period (on_track, at_risk, "
            "breach_certain while open; met, breached once ended; no_data)." + CACHED,
            labels=[*SLA_PL, C.L_STATE])
        good = CounterMetricFamily(C.GOOD_EVENTS, "Good events this period (resets at period "
                                   "start); for burn rates." + CACHED, labels=SLA_L)
        valid = CounterMetricFamily(C.VALID_EVENTS, "Valid events this period (resets at "
                                    "period start); for burn rates." + CACHED, labels=SLA_L)
        for s, pl in zip(snap.slas, pls, strict=True):
            sl = {C.L_VENDOR: s.vendor, C.L_CONTRACT: s.contract, C.L_SLA: s.sla}
            if s.error_budget is not None:
                _put(budget, sl, s.error_budget)
            if s.budget_remaining is not None:
                _put(remaining, pl, s.budget_remaining)
            if s.elapsed_ratio is not None:
                _put(elapsed, pl, s.elapsed_ratio)
            _put(breached, pl, 1.0 if s.breached else 0.0)
            if s.standing:
                for state in STATES:
                    _put(standing, {**pl, C.L_STATE: state}, 1.0 if state == s.standing else 0.0)
            if s.good_events is not None and s.valid_events is not None:
                _put(good, sl, s.good_events, "_total")
                _put(valid, sl, s.valid_events, "_total")
        return [budget, remaining, elapsed, breached, standing, good, valid]

    def _money_families(self, snap: MetricsSnapshot, pls: list[dict[str, str]]
                        ) -> list[Metric]:
        accrued = GaugeMetricFamily(
            C.CREDIT_ACCRUED, "Service credit for this period in the contract currency: owed "
            "once the period has ended, accruing if nothing changes while it is open."
            + CACHED, labels=[*SLA_PL, C.L_CURRENCY])
        at_risk = GaugeMetricFamily(
            C.CREDIT_AT_RISK, "Amount at risk this period, in the contract currency." + CACHED,
            labels=[C.L_VENDOR, C.L_CONTRACT, C.L_PERIOD, C.L_CURRENCY])
        chronic = GaugeMetricFamily(
            C.CHRONIC_FAILURE, "1 while a chronic-failure rule is raised." + CACHED,
            labels=[C.L_VENDOR, C.L_CONTRACT, C.L_RULE, C.L_CONSEQUENCE])
        overdue = GaugeMetricFamily(
            C.CASES_OVERDUE, "Open performance-issue cases past a deadline." + CACHED,
            labels=[C.L_VENDOR, C.L_CONTRACT])
        for s, pl in zip(snap.slas, pls, strict=True):
            if s.credit_accrued is not None:
                _put(accrued, {**pl, C.L_CURRENCY: s.currency}, float(s.credit_accrued))
        for c in snap.contracts:
            if c.at_risk is not None:
                at_risk.add_metric([c.vendor, c.contract, c.period, c.currency],
                                   float(c.at_risk))
            overdue.add_metric([c.vendor, c.contract], float(c.cases_overdue))
        excluded = GaugeMetricFamily(
            C.EXCLUSION_ACTIVE, "1 while a contract exclusion (maintenance, force majeure) is "
            "in force; shown as annotations." + CACHED,
            labels=[C.L_VENDOR, C.L_CONTRACT, C.L_EXCLUSION])
        for ex in snap.exclusions:
            excluded.add_metric([ex.vendor, ex.contract, ex.exclusion], 1.0 if ex.active else 0.0)
        for ch in snap.chronic:
            chronic.add_metric([ch.vendor, ch.contract, ch.rule, ch.consequence],
                               1.0 if ch.raised else 0.0)
        return [accrued, at_risk, chronic, overdue, excluded]

    def _health_families(self, snap: MetricsSnapshot, now: datetime) -> list[Metric]:
        hours = GaugeMetricFamily(
            C.IN_BUSINESS_HOURS, "1 while the contract calendar is open (in its own zone).",
            labels=[C.L_VENDOR, C.L_CONTRACT, C.L_CALENDAR])
        for cal in snap.calendars:
            hours.add_metric([cal.vendor, cal.contract, cal.calendar], 1.0 if cal.open else 0.0)
        cl = [C.L_VENDOR, C.L_CONTRACT, C.L_SOURCE]
        up = GaugeMetricFamily(C.COLLECTOR_UP, "1 if the vendor poller's last run succeeded.",
                               labels=cl)
        last = GaugeMetricFamily(C.COLLECTOR_LAST_SUCCESS,
                                 "When the vendor poller last succeeded.", labels=cl)
        errors = CounterMetricFamily(C.COLLECTOR_ERRORS, "Failed vendor poller runs.",
                                     labels=cl)
        paused = GaugeMetricFamily(C.COLLECTOR_PAUSED, "1 while the vendor poller is paused "
                                   "as misconfigured (until slamon run restarts).", labels=cl)
        duration = SummaryMetricFamily(C.COLLECTOR_REQUEST_DURATION,
                                       "Vendor API request durations.", labels=cl)
        for col in snap.collectors:
            labels = [col.vendor, col.contract, col.source]
            up.add_metric(labels, 1.0 if col.up else 0.0)
            if col.last_success is not None:
                last.add_metric(labels, col.last_success.timestamp())
            errors.add_metric(labels, float(col.errors_total))
            paused.add_metric(labels, 1.0 if col.paused else 0.0)
            duration.add_metric(labels, col.requests_total, col.request_seconds_total)
        fresh = GaugeMetricFamily(C.DATA_LAST_MEASUREMENT,
                                  "End of the newest stored measurement of the contract.",
                                  labels=[C.L_VENDOR, C.L_CONTRACT])
        for c in snap.contracts:
            if c.last_measurement is not None:
                fresh.add_metric([c.vendor, c.contract], c.last_measurement.timestamp())
        age = GaugeMetricFamily(C.SNAPSHOT_AGE, "Seconds since the results shown were read.",
                                value=max((now - snap.taken_at).total_seconds(), 0.0))
        return [hours, up, last, errors, paused, duration, fresh, age]


# The open claim states (monitor.domain.claims.OPEN_STATES), named here so that the exporter
# needs nothing from the domain at scrape time.
OPEN_STATES = ("draft", "submitted", "acknowledged", "disputed", "accepted")
_LEDGER_HELP: dict[str, str] = {
    C.CLAIMS_OWED: "Service credit owed by final periods of the year, claimed or not",
    C.CLAIMS_CLAIMED: "Credit claimed from the vendor (claims submitted)",
    C.CLAIMS_ACCEPTED: "Credit the vendor accepted",
    C.CLAIMS_CREDITED: "Credit that appeared on the vendor's invoices (money recovered)",
    C.CLAIMS_WRITTEN_OFF: "Credit given up (claims written off, or closed short)",
    C.CLAIMS_OUTSTANDING: "Credit still to recover (owed - credited - written off)",
}


def _claims_families(snap: MetricsSnapshot) -> list[Metric]:
    """The claims ledger per contract, year and currency, and the open claims. Every
    contract shown gets its current year's ledger and its open and overdue counts, zero
    when it has no claim: no claim is "nothing owed", not "unknown"."""
    ll = [C.L_VENDOR, C.L_CONTRACT, C.L_YEAR, C.L_CURRENCY]
    ledger = {name: GaugeMetricFamily(name, f"{text}, in the currency of the label." + CACHED,
                                      labels=ll) for name, text in _LEDGER_HELP.items()}
    rows = {(r.vendor, r.contract, r.year, r.currency): [
        float(getattr(r, f)) for f in ("owed", "claimed", "accepted", "credited",
                                       "written_off", "outstanding")] for r in snap.ledgers}
    for k in snap.contracts:  # no stored period yet: the year of the snapshot
        year = k.period[:4] if k.period[:4].isdigit() else str(snap.taken_at.year)
        rows.setdefault((k.vendor, k.contract, year, k.currency), [0.0] * 6)
    for labels, values in sorted(rows.items()):
        for name, value in zip(C.CLAIMS_LEDGER, values, strict=True):
            ledger[name].add_metric(list(labels), value)
    opened = GaugeMetricFamily(C.CLAIMS_OPEN, "Open service-credit claims per state." + CACHED,
                               labels=[C.L_VENDOR, C.L_CONTRACT, C.L_STATE])
    overdue = GaugeMetricFamily(C.CLAIMS_OVERDUE, "Draft claims past their claim window."
                                + CACHED, labels=[C.L_VENDOR, C.L_CONTRACT])
    deadline = GaugeMetricFamily(C.CLAIMS_DEADLINE, "When the claim window closes, for each "
                                 "credit not claimed yet (a draft claim, or a provisional "
                                 "period owing a credit)." + CACHED,
                                 labels=[C.L_VENDOR, C.L_CONTRACT, C.L_PERIOD])
    counts: dict[tuple[str, str, str], int] = {
        (k.vendor, k.contract, state): 0 for k in snap.contracts for state in OPEN_STATES}
    late: dict[tuple[str, str], int] = {(k.vendor, k.contract): 0 for k in snap.contracts}
    for c in snap.claims:
        if c.drafted:
            counts[(c.vendor, c.contract, c.state)] = counts.get(
                (c.vendor, c.contract, c.state), 0) + 1
            late[(c.vendor, c.contract)] = late.get((c.vendor, c.contract), 0) + c.overdue
        if c.deadline is not None:
            deadline.add_metric([c.vendor, c.contract, c.period], c.deadline.timestamp())
    for key, n in sorted(counts.items()):
        opened.add_metric(list(key), float(n))
    for (vendor, contract), n in sorted(late.items()):
        overdue.add_metric([vendor, contract], float(n))
    return [*ledger.values(), opened, overdue, deadline]


@contextmanager
def _no_gc() -> Iterator[None]:
    """Building 100,000 samples creates 200,000 objects that all live until the scrape is
    written, so the cyclic collector's passes over them find nothing; they were a quarter
    of the build (bench/scrape.py). Reference counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _pl(s: SlaSnapshot) -> list[str]:
    return [s.vendor, s.contract, s.sla, s.period]


def _put(family: Metric, labels: dict[str, str], value: float, suffix: str = "") -> None:
    """`add_metric` without building a label dict per sample: the dicts (in the family's
    label order) are shared between an SLA's samples, which the exposition only reads.
    A third of the time of 100,000 SLA series went into those dicts (bench/scrape.py)."""
    family.samples.append(Sample(family.name + suffix, labels, value))
