"""Gathering a `ReportData`: evaluate the reported period and the ones before it, assess
credits over that history, and collect restatements.

Measurements come from a `Source`: interchange files (`FileSource`) or the database
(`StoreSource`). Earlier periods are re-evaluated from the same measurements rather than
read back as stored snapshots, because the credit engine needs the ordered history of
`Evaluation`s (earn-back, rolling defaults, chronic failure) and the scorecard needs the
per-interval evidence; the database adds the restatement log.

Refusals (`InputError`, exit 1 in the CLI): a period outside the contract's effective
dates (from `period_for`) and a period with no interval or outage data at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from monitor.domain.contract import Contract
from monitor.domain.evaluate import evaluate
from monitor.domain.measurements import Measurements, Outage, empty_intervals
from monitor.domain.periods import period_containing, period_for
from monitor.domain.results import Evaluation, Period
from monitor.errors import InputError
from monitor.reports.model import CaseLike, HistoryEntry, ReportData, Restatement


class Source(Protocol):
    """Where measurements for a span of time come from."""

    has_outages: bool

    def describe(self) -> str: ...

    def measurements(self, contract: Contract, start: datetime, end: datetime) -> Measurements:
        ...

    def restatements(self, contract: Contract) -> list[Restatement]: ...

    def closed(self, contract: Contract, label: str) -> bool: ...


def _overlapping(outages: Sequence[Outage], start: datetime, end: datetime) -> tuple[Outage, ...]:
    return tuple(o for o in outages if o.start < end and (o.end is None or o.end > start))


def _rows_between(frame: pd.DataFrame, start: datetime, end: datetime) -> int:
    if frame.empty:
        return 0
    ts = frame["interval_start"]
    lo, hi = pd.Timestamp(start).tz_convert("UTC"), pd.Timestamp(end).tz_convert("UTC")
    return int(((ts >= lo) & (ts < hi)).sum())


@dataclass
class FileSource:
    """Interval and outage CSV files in the interchange format (read once)."""

    intervals: pd.DataFrame
    outages: tuple[Outage, ...]
    has_outages: bool
    names: str

    @classmethod
    def read(cls, contract: Contract, intervals: Path | None, outages: Path | None) -> FileSource:
        from monitor.interchange import read_intervals, read_outages

        frame = read_intervals(intervals, contract) if intervals else empty_intervals()
        spans = read_outages(outages) if outages else ()
        names = " and ".join(str(p) for p in (intervals, outages) if p is not None)
        return cls(frame, spans, outages is not None, names or "no files")

    def describe(self) -> str:
        return self.names

    def measurements(self, contract: Contract, start: datetime, end: datetime) -> Measurements:
        return Measurements(self.intervals, self.outages)

    def restatements(self, contract: Contract) -> list[Restatement]:
        return []

    def closed(self, contract: Contract, label: str) -> bool:
        return False


@dataclass
class StoreSource:
    """The database: stored intervals and outages, and the restatement log."""

    store: Any  # monitor.storage.Store (imported lazily: reports work without a database)
    has_outages: bool = True

    def describe(self) -> str:
        return "the database"

    def measurements(self, contract: Contract, start: datetime, end: datetime) -> Measurements:
        frame = self.store.load_intervals(contract.id, start, end)
        return Measurements(frame, tuple(self.store.load_outages(contract.id, start, end)))

    def restatements(self, contract: Contract) -> list[Restatement]:
        return [restatement_from_store(r) for r in self.store.restatements(contract.id)]

    def closed(self, contract: Contract, label: str) -> bool:
        """Whether the period was closed (`slamon close`): its figures are final."""
        return bool(self.store.period_status(contract.id, label) == "final")


def _dec(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def restatement_from_store(stored: Any) -> Restatement:
    """`monitor.storage.Restatement` (old/new figure dicts) -> the report's `Restatement`."""
    old, new = stored.old or {}, stored.new or {}
    return Restatement(
        period=stored.period, sla_id=stored.sla_id, restated_at=stored.at,
        reason=stored.reason or "figures changed on re-evaluation",
        old_value=_dec(old.get("value")), new_value=_dec(new.get("value")),
        old_credit=_dec(old.get("credit")), new_credit=_dec(new.get("credit")),
    )


def span_for(contract: Contract, period: Period) -> tuple[datetime, datetime]:
    """From the start to the end of every SLA period that contains `period` (a quarterly
    ASA inside a monthly report needs the whole quarter's intervals)."""
    start, end = period.start, period.end
    for sla in contract.slas:
        if sla.period is period.kind:
            continue
        try:
            own = period_containing(contract, sla.period, period.start)
        except InputError:
            continue
        start, end = min(start, own.start), max(end, own.end)
    return start, end


def has_data(measurements: Measurements, period: Period) -> bool:
    return bool(_rows_between(measurements.intervals, period.start, period.end)
                or _overlapping(measurements.outages, period.start, period.end))


def earlier_periods(contract: Contract, period: Period, count: int) -> list[Period]:
    """Up to `count` periods of the same kind before `period`, oldest first, inside the
    contract's term."""
    out: list[Period] = []
    cursor = period
    for _ in range(count):
        try:
            cursor = period_containing(contract, period.kind,
                                       cursor.full_start - timedelta(seconds=1))
        except InputError:
            break
        out.append(cursor)
    return list(reversed(out))


def gather(contract: Contract, label: str, source: Source, as_of: datetime,
           generated_at: datetime, history: int = 12,
           cases: Sequence[CaseLike] | None = None) -> ReportData:
    """Evaluate `label` and up to `history` earlier periods, assess credits, build the data."""
    from monitor.domain.credits import assess_credits

    period = period_for(contract, label)
    current = source.measurements(contract, *span_for(contract, period))
    if not has_data(current, period):
        first, last = period.start.date(), (period.end - timedelta(days=1)).date()
        raise InputError(
            f"no interval or outage data for contract {contract.id} in period {period.label}"
            f" ({first} to {last}) in {source.describe()}", column="period")
    evaluations: list[Evaluation] = []
    for earlier in earlier_periods(contract, period, history):
        measured = source.measurements(contract, *span_for(contract, earlier))
        if has_data(measured, earlier):
            evaluations.append(evaluate(contract, measured, earlier, as_of,
                                        availability_data=source.has_outages))
    evaluations.append(evaluate(contract, current, period, as_of,
                                availability_data=source.has_outages))
    evaluations = [replace(e, status="final") if source.closed(contract, e.period.label) else e
                   for e in evaluations]
    credits = assess_credits(contract, evaluations)
    entries = [HistoryEntry(e, c) for e, c in zip(evaluations, credits, strict=True)]
    labels = {e.period.label for e in evaluations}
    return ReportData(
        contract=contract,
        period=period.label,
        evaluation=evaluations[-1],
        credits=credits[-1],
        generated_at=generated_at,
        history=tuple(entries[:-1]),
        restatements=tuple(r for r in source.restatements(contract) if r.period in labels),
        cases=None if cases is None else [c for c in cases if c.period in labels],
    )
