"""What every collector promises: `collect(window) -> CollectResult`, and nothing else.

A collector is built from a `Contract` (its `sources` block), the one HTTP seam
(`monitor.collectors.http.HttpClient`) and an injected clock. It fetches one time window,
maps the vendor's payload to the interchange schema (`docs/interchange.md`) and returns
values; it never writes to storage, never sleeps on its own and never reads the wall clock
directly. Watermarks and the choice of windows are `monitor.collectors.windows`' job.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

import pandas as pd

from monitor.domain.contract import AbandonTreatment, Contract, Metric
from monitor.domain.evidence import Classified
from monitor.domain.measurements import Outage, empty_intervals, threshold_column
from monitor.errors import PermanentError

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class TimeWindow:
    """A half-open UTC span `[start, end)`; both ends tz-aware."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("TimeWindow needs tz-aware datetimes")
        if self.end <= self.start:
            raise ValueError(f"TimeWindow end {self.end} is not after start {self.start}")

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def iso(self) -> str:
        """`2025-01-27T00:00:00.000Z/2025-01-28T00:00:00.000Z` (the Genesys interval form)."""
        return f"{iso_z(self.start)}/{iso_z(self.end)}"


def iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.astimezone(UTC).microsecond // 1000:03d}Z"
    )


@dataclass(frozen=True)
class Limits:
    """What a vendor API allows, for the window planner.

    `granularity`: the interval length asked for; `max_span`: the longest window one query
    may cover; `history`: how far back the vendor still serves data; `trailing`: how much
    already-fetched time is re-polled because the vendor posts late.
    """

    granularity: timedelta = timedelta(minutes=30)
    max_span: timedelta = timedelta(days=1)
    history: timedelta = timedelta(days=30)
    trailing: timedelta = timedelta(hours=2)


@dataclass(frozen=True)
class RequestStats:
    requests: int = 0
    retries: int = 0
    errors: int = 0

    def since(self, before: RequestStats) -> RequestStats:
        return RequestStats(self.requests - before.requests, self.retries - before.retries,
                            self.errors - before.errors)


@dataclass(frozen=True, eq=False)
class CollectResult:
    """One window's worth of data, in the interchange schema.

    `maintenances` are vendor-announced windows (Outage with `excluded=True`);
    `problems` are human-readable warnings that did not stop the collection (e.g. a queue's
    configured SL threshold differs from the contract's).
    """

    source: str
    window: TimeWindow
    intervals: pd.DataFrame = field(default_factory=empty_intervals)
    outages: tuple[Outage, ...] = ()
    maintenances: tuple[Outage, ...] = ()
    stats: RequestStats = field(default_factory=RequestStats)
    problems: tuple[str, ...] = ()
    # Independent evidence (monitor.domain.evidence): (source name, component, decided spans).
    observations: tuple[tuple[str, str, Classified], ...] = ()


@runtime_checkable
class Collector(Protocol):
    """The one thing the scheduler needs from a vendor module."""

    kind: str
    limits: Limits

    def collect(self, window: TimeWindow) -> CollectResult:
        """Fetch `[window.start, window.end)`; raise TransientError / PermanentError."""
        ...

    def commit(self, result: CollectResult) -> None:
        """Called after `result` is stored; collectors with side effects (CSV drop) act here."""
        ...


def credential(contract: Contract, key: str, environ: Mapping[str, str] | None = None) -> str:
    """The secret named by `sources.credentials_env[key]`, read from the environment.

    Errors name the variable, never its value.
    """
    env = os.environ if environ is None else environ
    name = contract.sources.credentials_env.get(key)
    if not name:
        raise PermanentError(
            f"contract {contract.id}: sources.credentials_env has no '{key}' entry"
        )
    value = env.get(name)
    if not value:
        raise PermanentError(
            f"contract {contract.id}: environment variable {name} "
            f"(sources.credentials_env.{key}) is not set"
        )
    return value


def setting(contract: Contract, key: str, default: str | None = None) -> str:
    value = contract.sources.settings.get(key, default)
    if value is None or value == "":
        raise PermanentError(f"contract {contract.id}: sources.{key} is required")
    return str(value)


def explicit_api_host(contract: Contract) -> str | None:
    """`sources.api_host` (or `base_url`) when the contract names one: a simulator, a proxy."""
    settings = contract.sources.settings
    return settings.get("api_host") or settings.get("base_url") or None


def api_base(contract: Contract, default: str) -> str:
    """`sources.api_host` (a host, or a URL for plain-http simulators; `base_url` is accepted
    too) or the vendor default."""
    host = explicit_api_host(contract)
    if not host:
        return default.rstrip("/")
    return (host if "://" in host else f"https://{host}").rstrip("/")


def require_queues(contract: Contract) -> None:
    """A vendor API collector polls the listed queues; with none it would store nothing."""
    if not contract.sources.queues:
        raise PermanentError(f"contract {contract.id}: sources.queues is empty")


@dataclass(frozen=True)
class Thresholds:
    """The seconds the contract's SLAs count contacts against.

    `answered`: service-level thresholds; `abandoned`: short-abandon thresholds plus the SL
    threshold where abandons within it matter (F1 positive, F4 exclude-within-threshold).
    """

    answered: tuple[int, ...] = ()
    abandoned: tuple[int, ...] = ()

    @property
    def all(self) -> tuple[int, ...]:
        return tuple(sorted(set(self.answered) | set(self.abandoned)))


def contract_thresholds(contract: Contract) -> Thresholds:
    answered: set[int] = set()
    abandoned: set[int] = set()
    for sla in contract.slas:
        if sla.metric == Metric.SERVICE_LEVEL and sla.threshold is not None:
            seconds = int(sla.threshold.total_seconds())
            answered.add(seconds)
            if sla.abandons in (
                AbandonTreatment.POSITIVE,
                AbandonTreatment.EXCLUDE_WITHIN_THRESHOLD,
            ):
                abandoned.add(seconds)
        if sla.short_abandon is not None and sla.metric in (
            Metric.SERVICE_LEVEL,
            Metric.ABANDON_RATE,
        ):
            abandoned.add(int(sla.short_abandon.total_seconds()))
    return Thresholds(tuple(sorted(answered)), tuple(sorted(abandoned)))


def whole_seconds(seconds: float) -> int:
    """A seconds total rounded half-up to whole seconds, via milliseconds so float noise
    (`avg x count`) cannot flip the rounding."""
    millis = round(seconds * 1000)
    return (millis + 500) // 1000


def frame_from_rows(rows: Iterable[Mapping[str, object]]) -> pd.DataFrame:
    """Rows (dicts) → an interchange frame sorted by queue, channel and interval_start.

    Every count column, the `*_seconds` totals included (whole seconds, see `whole_seconds`),
    becomes int64, as the interchange readers produce; a threshold column that some rows
    lack (a queue with another SL duration) becomes nullable Int64 with <NA> there, never a
    made-up 0.
    """
    rows = list(rows)
    if not rows:
        return empty_intervals()
    frame = pd.DataFrame(rows)
    frame["interval_start"] = pd.to_datetime(frame["interval_start"], utc=True)
    for column in frame.columns:
        if column in ("queue", "channel"):
            frame[column] = frame[column].astype("string")
        elif column != "interval_start":
            has_gaps = bool(frame[column].isna().any())
            frame[column] = frame[column].astype("Int64" if has_gaps else "int64")
    frame = frame.sort_values(["queue", "channel", "interval_start"], kind="stable")
    return frame.reset_index(drop=True)


__all__ = [
    "Clock",
    "CollectResult",
    "Collector",
    "Limits",
    "RequestStats",
    "Thresholds",
    "TimeWindow",
    "api_base",
    "contract_thresholds",
    "credential",
    "frame_from_rows",
    "iso_z",
    "setting",
    "threshold_column",
    "utc_now",
    "whole_seconds",
]
