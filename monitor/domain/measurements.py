"""What was measured: interval counts (one row per queue per interval) and outages.

Intervals travel as a pandas DataFrame in the interchange schema (`docs/interchange.md`):
`interval_start` is a tz-aware UTC timestamp column, counts are integer columns, and
threshold counts are `answered_within_<N>s` / `abandoned_within_<N>s`. Absent optional
columns are simply absent, so an SLA that needs one reports `insufficient_data`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

REQUIRED_INTERVAL_COLUMNS: tuple[str, ...] = (
    "queue",
    "interval_start",
    "interval_minutes",
    "offered",
    "answered",
    "abandoned",
)
OPTIONAL_COUNT_COLUMNS: tuple[str, ...] = (
    "flowouts",
    "answer_wait_seconds",
    "handled",
    "handle_seconds",
    "fcr_resolved",
    "fcr_eligible",
    "csat_1",
    "csat_2",
    "csat_3",
    "csat_4",
    "csat_5",
)
# Occupancy's counts: optional like the ones above, but stored in the intervals' JSON counts
# (no column of their own: they came after the first schema).
OCCUPANCY_COLUMNS: tuple[str, ...] = ("agent_busy_seconds", "agent_idle_seconds")
THRESHOLD_PREFIXES: tuple[str, ...] = ("answered_within_", "abandoned_within_")
CHANNELS: tuple[str, ...] = ("voice", "chat", "email", "message", "callback")


def threshold_column(prefix: str, seconds: int) -> str:
    """`threshold_column("answered_within_", 20)` -> "answered_within_20s"."""
    return f"{prefix}{seconds}s"


def is_count_column(name: str) -> bool:
    return (
        name in ("offered", "answered", "abandoned")
        or name in OPTIONAL_COUNT_COLUMNS
        or name in OCCUPANCY_COLUMNS
        or (name.startswith(THRESHOLD_PREFIXES) and name.endswith("s"))
    )


def empty_intervals() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "queue": pd.Series(dtype="string"),
            "channel": pd.Series(dtype="string"),
            "interval_start": pd.Series(dtype="datetime64[ns, UTC]"),
            "interval_minutes": pd.Series(dtype="int64"),
            "offered": pd.Series(dtype="int64"),
            "answered": pd.Series(dtype="int64"),
            "abandoned": pd.Series(dtype="int64"),
        }
    )
    return frame


@dataclass(frozen=True)
class Outage:
    """A span of unavailability of one service or status-page component."""

    service: str
    start: datetime
    end: datetime | None  # None = still open at evaluation time
    impact: str  # full | partial | degraded
    affected_fraction: float = 1.0
    excluded: bool = False  # vendor-announced scheduled maintenance
    source: str | None = None
    ref: str | None = None


@dataclass(frozen=True)
class ObservedSpan:
    component: str
    start: datetime
    end: datetime
    state: str  # down | up
    source: str  # the configured source's name
    query: str = ""  # PromQL or CSV file: where the samples came from
    locations: tuple[str, ...] = ()  # locations that failed (down) or reported (up)


@dataclass(frozen=True, eq=False)
class Measurements:
    intervals: pd.DataFrame
    outages: tuple[Outage, ...] = ()
    # Independent observations (down/up spans); time they do not cover is unknown.
    observations: tuple[ObservedSpan, ...] = ()

    @classmethod
    def empty(cls) -> Measurements:
        return cls(intervals=empty_intervals(), outages=())
