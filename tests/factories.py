"""Small builders of domain objects for engine tests (no YAML involved)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from monitor.domain.contract import (
    Calendar,
    Contract,
    Exclusion,
    Metric,
    Queue,
    Rounding,
    Sla,
    Sources,
    Target,
    TimeRange,
)

BILLING = "f8c742b9-b5ef-4948-8bbf-9a33c892023f"
NY = ZoneInfo("America/New_York")


def weekdays(
    start: str, end: str, days: Iterable[int] = range(5)
) -> dict[int, tuple[TimeRange, ...]]:
    h1, m1 = map(int, start.split(":"))
    h2, m2 = map(int, end.split(":"))
    return {d: (TimeRange(time(h1, m1), time(h2, m2)),) for d in days}


def business_hours(
    id: str = "business-hours", start: str = "08:00", end: str = "20:00",
    country: str | None = "US", **kw: Any,
) -> Calendar:
    return Calendar(id=id, weekly=weekdays(start, end), holiday_country=country, **kw)


def sla(
    id: str = "sl", metric: Metric = Metric.SERVICE_LEVEL, target: str = "0.80", **kw: Any
) -> Sla:
    t = kw.pop("target_obj", None) or Target(Decimal(target))
    return Sla(id=id, metric=metric, target=t, **kw)


def contract(
    slas: Iterable[Sla] = (),
    *,
    tz: ZoneInfo = NY,
    calendars: Mapping[str, Calendar] | None = None,
    exclusions: Iterable[Exclusion] = (),
    effective_from: date = date(2020, 1, 1),
    effective_to: date | None = None,
    queues: Iterable[Queue] = (Queue(BILLING, "Billing", "voice"),),
) -> Contract:
    return Contract(
        id="test-contract", name="Test", vendor="csv", currency="USD", tz=tz,
        effective_from=effective_from, effective_to=effective_to, rounding=Rounding(),
        fees={"monthly": Decimal("20000.00")},
        calendars=dict(calendars or {}), exclusions=tuple(exclusions),
        sources=Sources(queues=tuple(queues)), slas=tuple(slas),
    )


def intervals(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Rows with `interval_start` as an aware datetime or ISO string; defaults filled in."""
    records = []
    for r in rows:
        rec = {"queue": BILLING, "channel": "voice", "interval_minutes": 30, **r}
        start = rec["interval_start"]
        rec["interval_start"] = pd.Timestamp(start).tz_convert("UTC")
        records.append(rec)
    frame = pd.DataFrame.from_records(records)
    frame["interval_start"] = frame["interval_start"].astype("datetime64[ns, UTC]")
    for c in frame.columns:
        if c not in ("queue", "channel", "interval_start"):
            frame[c] = frame[c].astype("int64")
    frame["queue"] = frame["queue"].astype("string")
    frame["channel"] = frame["channel"].astype("string")
    return frame
