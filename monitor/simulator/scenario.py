"""A seeded contact-centre day (or several), generated contact by contact.

Every contact of every 30-minute interval of every queue has a queue wait (ms), an outcome
(answered, abandoned, flowed out) and a handle time (ms), so any vendor's counts at any
threshold can be derived from the same ground truth. The day has a volume curve peaking
mid-morning US Eastern (15:00 UTC), a bad afternoon on `bad_day` (18:00-22:00 UTC, long
waits: service level breaches) and a voice outage on the status page during which no
voice contacts arrive. The same seed always gives the same contacts.

`SimClock` maps real time to simulated time (`speed` simulated seconds per real second);
with `speed=None` the clock stands at the scenario's end and everything is visible. On a
running clock an interval is served once it has ended, and each contact posts only when it
has completed (wait, then handle time), so the latest intervals grow for a while after
they end — the late data a collector's trailing re-poll exists for.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from monitor.collectors.base import frame_from_rows, whole_seconds
from monitor.domain.measurements import Outage, threshold_column

INTERVAL = timedelta(minutes=30)


@dataclass(frozen=True)
class SimQueue:
    id: str
    name: str
    channel: str = "voice"
    sl_duration_ms: int = 20000
    peak: float = 40.0  # contacts offered in the busiest half hour


DEFAULT_QUEUES: tuple[SimQueue, ...] = (
    SimQueue("05f1c285-6777-4ccc-806f-8db085ae0793", "Billing", "voice", 20000, 40.0),
    SimQueue("f8c742b9-b5ef-4948-8bbf-9a33c892023f", "Support", "voice", 20000, 60.0),
    SimQueue("9b1d2c3e-4f50-4a6b-8c7d-0e1f2a3b4c5d", "Web chat", "chat", 20000, 25.0),
)


@dataclass(frozen=True, eq=False)
class IntervalContacts:
    """The contacts offered to one queue in one interval; times in milliseconds.

    `*_done` is when each contact completed, in ms after the interval's start (arrival +
    wait, plus handle time for answered ones): a vendor posts it only then (late data).
    """

    answered_wait: np.ndarray
    answered_handle: np.ndarray
    abandoned_wait: np.ndarray
    flowout_wait: np.ndarray
    answered_done: np.ndarray
    abandoned_done: np.ndarray
    flowout_done: np.ndarray

    @property
    def offered(self) -> int:
        return len(self.answered_wait) + len(self.abandoned_wait) + len(self.flowout_wait)

    def as_of(self, elapsed_ms: float) -> IntervalContacts:
        """Only the contacts completed `elapsed_ms` after the interval started."""
        a, b, f = (self.answered_done <= elapsed_ms, self.abandoned_done <= elapsed_ms,
                   self.flowout_done <= elapsed_ms)
        if a.all() and b.all() and f.all():
            return self
        return IntervalContacts(self.answered_wait[a], self.answered_handle[a],
                                self.abandoned_wait[b], self.flowout_wait[f],
                                self.answered_done[a], self.abandoned_done[b],
                                self.flowout_done[f])


class SimClock:
    def __init__(self, start: datetime, speed: float | None,
                 real: Callable[[], float] = time.monotonic, frozen_at: datetime | None = None
                 ) -> None:
        self.start, self.speed, self.real = start, speed, real
        self.frozen_at = frozen_at
        self._t0 = real()

    def now(self) -> datetime:
        if self.speed is None:
            return self.frozen_at or self.start
        return self.start + timedelta(seconds=(self.real() - self._t0) * self.speed)


@dataclass
class Scenario:
    seed: int = 7
    start: datetime = datetime(2026, 10, 5, tzinfo=UTC)
    days: int = 1
    queues: tuple[SimQueue, ...] = DEFAULT_QUEUES
    bad_day: int = 0
    bad_hours: tuple[int, int] = (18, 22)  # UTC: 13:00-17:00 US Eastern
    outage: tuple[timedelta, timedelta] = (timedelta(hours=14, minutes=15),
                                           timedelta(hours=15, minutes=5))  # on day 0
    short_abandon_ms: int = 5000
    speed: float | None = None
    contacts: dict[tuple[str, datetime], IntervalContacts] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.seed)
        self.contacts = {}
        outage_start, outage_end = self.outage_window()
        for queue in self.queues:
            for start in self.interval_starts():
                hour = start.hour + start.minute / 60
                rate = queue.peak * math.exp(-((hour - 15.5) ** 2) / (2 * 3.2**2)) + 0.3
                bad = (start - self.start).days == self.bad_day and (
                    self.bad_hours[0] <= start.hour < self.bad_hours[1])
                down = queue.channel == "voice" and outage_start <= start < outage_end
                n = 0 if down else int(rng.poisson(rate))
                self.contacts[(queue.id, start)] = _contacts(rng, n, bad)
        self.clock = SimClock(self.start, self.speed, frozen_at=self.end)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=self.days)

    def interval_starts(self) -> list[datetime]:
        return [self.start + i * INTERVAL for i in range(self.days * 48)]

    def served_starts(self, start: datetime, end: datetime, now: datetime | None = None, *,
                      overlapping: bool = False) -> list[datetime]:
        """The starts of the intervals in [start, end) that have ended by `now` (`visible`);
        with `overlapping`, of those that overlap [start, end). Worked out from the bounds:
        a per-request scan of a month's intervals made a month of one-interval requests
        (Twilio's) quadratic."""
        first = (start - self.start) // INTERVAL if overlapping else -(
            -(start - self.start) // INTERVAL)
        stop = min(self.days * 48, -(-(end - self.start) // INTERVAL),
                   ((now or self.clock.now()) - self.start) // INTERVAL)
        return [self.start + i * INTERVAL for i in range(max(0, first), stop)]

    def outage_window(self) -> tuple[datetime, datetime]:
        return self.start + self.outage[0], self.start + self.outage[1]

    def visible(self, start: datetime, now: datetime | None = None) -> bool:
        """An interval is served once it has ended on the simulated clock."""
        return start + INTERVAL <= (now or self.clock.now())

    def served(self, queue_id: str, start: datetime, now: datetime | None = None
               ) -> IntervalContacts:
        """What a vendor API shows for the interval at `now`: contacts still in progress
        have not posted yet. On a stopped clock (`speed=None`) every contact has completed."""
        contacts = self.contacts[(queue_id, start)]
        if self.clock.speed is None:
            return contacts
        elapsed = ((now or self.clock.now()) - start).total_seconds() * 1000
        return contacts.as_of(elapsed)

    def queue(self, queue_id: str) -> SimQueue | None:
        return next((q for q in self.queues if q.id == queue_id), None)

    # -- ground truth ----------------------------------------------------------------------
    def truth(self, answered: Iterable[int] = (20,), abandoned: Iterable[int] = (5,),
              start: datetime | None = None, end: datetime | None = None,
              now: datetime | None = None) -> pd.DataFrame:
        """The interchange frame the simulator served, at the given thresholds (seconds)."""
        rows = []
        for (queue_id, at), c in self.contacts.items():
            if (start and at < start) or (end and at >= end) or not self.visible(at, now):
                continue
            queue = self.queue(queue_id)
            assert queue is not None
            row: dict[str, object] = {
                "queue": queue_id, "channel": queue.channel, "interval_start": at,
                "interval_minutes": 30, "offered": c.offered,
                "answered": len(c.answered_wait), "abandoned": len(c.abandoned_wait),
                "flowouts": len(c.flowout_wait),
                "answer_wait_seconds": whole_seconds(int(c.answered_wait.sum()) / 1000),
                "handled": len(c.answered_wait),
                "handle_seconds": whole_seconds(int(c.answered_handle.sum()) / 1000),
            }
            for t in answered:
                row[threshold_column("answered_within_", t)] = int(
                    (c.answered_wait <= t * 1000).sum())
            for t in abandoned:
                row[threshold_column("abandoned_within_", t)] = int(
                    (c.abandoned_wait <= t * 1000).sum())
            rows.append(row)
        return frame_from_rows(rows)

    def components(self) -> list[str]:
        return ["Voice", "Chat", "Analytics"]

    def outages(self) -> tuple[Outage, ...]:
        """What the status page's incidents say, as `StatuspageCollector` should read them."""
        start, end = self.outage_window()
        monitoring = end - timedelta(minutes=15)
        minor_start = self.start + timedelta(hours=19)
        return (
            Outage("Voice", start, monitoring, "full", ref="sim-voice"),
            Outage("Voice", monitoring, end, "degraded", ref="sim-voice"),
            Outage("Chat", minor_start, minor_start + timedelta(minutes=20), "degraded",
                   ref="sim-chat"),
        )

    def maintenances(self) -> tuple[Outage, ...]:
        at = self.start + timedelta(hours=6)
        return (Outage("Voice", at, at + timedelta(hours=2), "full", excluded=True,
                       ref="sim-maint"),)


def _contacts(rng: np.random.Generator, n: int, bad: bool) -> IntervalContacts:
    wait = rng.exponential(75.0 if bad else 9.0, n)
    patience = rng.exponential(120.0, n)
    flow = rng.random(n) < 0.02
    wait_ms = np.maximum(1, (np.minimum(wait, patience) * 1000).astype(np.int64))
    handle_ms = (rng.lognormal(5.5, 0.5, n) * 1000).astype(np.int64)
    arrival_ms = (rng.random(n) * INTERVAL.total_seconds() * 1000).astype(np.int64)
    answered = (wait <= patience) & ~flow
    abandoned = (wait > patience) & ~flow
    done = arrival_ms + wait_ms
    return IntervalContacts(wait_ms[answered], handle_ms[answered], wait_ms[abandoned],
                            wait_ms[flow], done[answered] + handle_ms[answered],
                            done[abandoned], done[flow])
