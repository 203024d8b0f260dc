"""Shared set-up of the storage benchmarks: a PostgreSQL schema of their own, a contract with
business hours, and synthetic interval rows (deterministic, seeded)."""

from __future__ import annotations

import os
from datetime import date, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import sqlalchemy as sa

from monitor.domain.contract import (
    Calendar,
    Contract,
    Metric,
    Queue,
    Rounding,
    Sla,
    Sources,
    Target,
    TimeRange,
)
from monitor.storage import Store

PG_URL = os.environ.get("SLAMON_BENCH_PG_URL", os.environ.get(
    "SLAMON_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
NY = ZoneInfo("America/New_York")


def contract(queues: int) -> Contract:
    hours = {d: (TimeRange(time(8), time(20)),) for d in range(5)}
    hours[5] = (TimeRange(time(9), time(13)),)
    calendar = Calendar("business-hours", hours, holiday_country="US")
    return Contract(
        id="bench", name="Bench", vendor="csv", currency="USD", tz=NY,
        effective_from=date(2026, 1, 1), effective_to=None, rounding=Rounding(),
        fees={"monthly": Decimal("20000")}, calendars={"business-hours": calendar},
        exclusions=(), sources=Sources(queues=tuple(Queue(f"q{i:04d}", f"Queue {i}")
                                                    for i in range(queues))),
        slas=(Sla("service-level", Metric.SERVICE_LEVEL, Target(Decimal("0.80")),
                  calendar="business-hours", threshold=None),),
    )


def intervals(queues: int, periods: int, start: str = "2026-10-01T04:00:00Z",
              seed: int = 1) -> pd.DataFrame:
    """`queues` x `periods` half-hours with plausible counts."""
    rng = np.random.default_rng(seed)
    starts = pd.date_range(start, periods=periods, freq="30min")
    n = queues * periods
    offered = rng.integers(0, 60, n)
    answered = (offered * 0.93).astype(np.int64)
    frame = pd.DataFrame({
        "queue": np.repeat([f"q{i:04d}" for i in range(queues)], periods),
        "channel": "voice",
        "interval_start": np.tile(starts.to_numpy(), queues),
        "interval_minutes": 30,
        "offered": offered, "answered": answered, "abandoned": offered - answered,
        "answered_within_20s": (answered * 0.82).astype(np.int64),
        "abandoned_within_5s": (offered - answered) // 3,
        "answer_wait_seconds": answered * 14,
    })
    frame["interval_start"] = frame["interval_start"].dt.tz_localize("UTC") \
        if frame["interval_start"].dt.tz is None else frame["interval_start"]
    return frame.sort_values(["interval_start", "queue"], kind="stable").reset_index(drop=True)


def fresh_store(schema: str) -> Store:
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    sep = "&" if "?" in PG_URL else "?"
    store = Store.open(f"{PG_URL}{sep}options=-csearch_path%3D{schema}", check_revision=False)
    store.upgrade()
    return store


def drop_schema(schema: str) -> None:
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()
