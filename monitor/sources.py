"""Where measurements come from: interchange files or the database.

`slamon evaluate`, `slamon report` and the service read a contract's intervals and outages
through one of these, so the engine never knows whether a number came from a CSV a user
dropped in or from what the collectors stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from monitor.domain.contract import Contract
from monitor.domain.measurements import Measurements, Outage, empty_intervals


class Source(Protocol):
    """Where measurements for a span of time come from."""

    has_outages: bool

    def describe(self) -> str: ...

    def measurements(self, contract: Contract, start: datetime, end: datetime) -> Measurements:
        ...

    def stored_restatements(self, contract: Contract) -> list[Any]: ...

    def closed(self, contract: Contract, label: str) -> bool: ...


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

    def stored_restatements(self, contract: Contract) -> list[Any]:
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
        outages = tuple(self.store.load_outages(contract.id, start, end))
        if not contract.independent:
            return Measurements(frame, outages)
        from monitor.storage.observations import load_all

        return Measurements(frame, outages, load_all(self.store, contract.id, start, end))

    def stored_restatements(self, contract: Contract) -> list[Any]:
        return list(self.store.restatements(contract.id))

    def closed(self, contract: Contract, label: str) -> bool:
        """Whether the period was closed (`slamon close`): its figures are final."""
        return bool(self.store.period_status(contract.id, label) == "final")
