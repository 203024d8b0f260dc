"""Which windows to fetch next: watermarks, trailing re-polls, gaps and backfill.

Pure planning, no I/O: given the watermark (the end of the last interval fetched
successfully, as stored by `Store.get_watermark`), the current time and the vendor's
`Limits`, return the windows to ask for, oldest first. The plan:

- starts `trailing` before the watermark, because vendors post late (Genesys t-metrics post
  when the contact completes; Connect ingests with a delay) and re-fetched intervals are
  upserted;
- on first run starts `initial` before now;
- after downtime covers the whole gap, but never further back than the vendor's
  `history` limit — the part older than that is reported as `lost`;
- ends at the last complete interval boundary (a half-filled interval is not fetched);
- is cut into windows no longer than the vendor's `max_span`, on interval boundaries.

After storing a window's result the caller sets the watermark to `window.end`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from monitor.collectors.base import Limits, TimeWindow

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def floor_to(moment: datetime, step: timedelta) -> datetime:
    """The latest multiple of `step` since the epoch at or before `moment` (UTC)."""
    elapsed = moment.astimezone(UTC) - EPOCH
    return EPOCH + (elapsed // step) * step


def ceil_to(moment: datetime, step: timedelta) -> datetime:
    floored = floor_to(moment, step)
    return floored if floored == moment else floored + step


@dataclass(frozen=True)
class Plan:
    windows: tuple[TimeWindow, ...]
    gap: TimeWindow | None = None  # time between the watermark and the trailing re-poll
    lost: TimeWindow | None = None  # gap older than the vendor's history: cannot be fetched

    @property
    def start(self) -> datetime | None:
        return self.windows[0].start if self.windows else None


def plan_windows(
    watermark: datetime | None,
    now: datetime,
    limits: Limits,
    *,
    initial: timedelta | None = None,
) -> Plan:
    """The windows to fetch now; see the module docstring for the rules."""
    if now.tzinfo is None or (watermark is not None and watermark.tzinfo is None):
        raise ValueError("plan_windows needs tz-aware datetimes")
    step = limits.granularity
    end = floor_to(now, step)
    earliest = ceil_to(now - limits.history, step)
    gap: TimeWindow | None = None
    lost: TimeWindow | None = None
    if watermark is None:
        start = floor_to(now - (initial if initial is not None else limits.trailing), step)
    else:
        start = floor_to(min(watermark, end) - limits.trailing, step)
        trailing_start = floor_to(now - limits.trailing, step)
        if watermark < trailing_start:
            gap = TimeWindow(watermark, trailing_start)
    if start < earliest:
        if watermark is not None and watermark < earliest:
            lost = TimeWindow(watermark, earliest)
        start = earliest
    return Plan(split_window(start, end, limits.max_span, step), gap, lost)


def split_window(
    start: datetime, end: datetime, max_span: timedelta, step: timedelta
) -> tuple[TimeWindow, ...]:
    """`[start, end)` cut into windows of at most `max_span`, each a whole number of steps."""
    span = max(step, (max_span // step) * step)
    windows: list[TimeWindow] = []
    cursor = start
    while cursor < end:
        stop = min(end, cursor + span)
        windows.append(TimeWindow(cursor, stop))
        cursor = stop
    return tuple(windows)


def missing_intervals(
    present: set[datetime], window: TimeWindow, step: timedelta
) -> tuple[datetime, ...]:
    """Interval starts inside `window` for which nothing was stored (a hole to re-fetch)."""
    out: list[datetime] = []
    cursor = ceil_to(window.start, step)
    while cursor < window.end:
        if cursor not in present:
            out.append(cursor)
        cursor += step
    return tuple(out)
