"""The SQLAlchemy 2 tables of slamon, as typed `Mapped[...]` models.

These classes never leave `monitor.storage`: the repository (`repository.py`) turns them into
domain objects or DataFrames. The schema is created and changed only by the Alembic
migrations in `migrations/versions/`; a test checks that these models and the migrated
database agree, so a model change without a migration fails the suite.

Instants in bulk tables (`interval_start`) are integer epoch seconds (UTC): exact, identical
on SQLite and PostgreSQL, cheap to COPY and to compare. Other instants use `UtcDateTime`,
which stores UTC and always gives back tz-aware UTC datetimes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """A tz-aware datetime stored as UTC; naive values are refused (time is always tz-aware)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: slamon stores tz-aware instants only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(), dict[str, Any]: JSON()}


class ContractRow(Base):
    """One contract by id; `source_hash` notices a changed file, `calendar_hash` a change
    that needs the rollups rebuilt (zone, calendars, exclusions)."""

    __tablename__ = "contracts"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    vendor: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(100))
    source_file: Mapped[str | None] = mapped_column(Text)
    source_hash: Mapped[str | None] = mapped_column(String(128))
    calendar_hash: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime]


class IntervalRow(Base):
    """One queue's counts for one interval. Core counts are typed columns; the optional ones
    are nullable (absent = not measured); `answered_within_<N>s` / `abandoned_within_<N>s`
    of any N live in `thresholds` (a JSON object of column name -> count)."""

    __tablename__ = "intervals"
    __table_args__ = (
        UniqueConstraint("contract_id", "interval_start", "queue", "channel",
                         name="uq_intervals_key"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    contract_id: Mapped[str] = mapped_column(String(200))
    queue: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(20))
    interval_start: Mapped[int] = mapped_column(BigInteger)  # epoch seconds, UTC
    interval_minutes: Mapped[int] = mapped_column(Integer)
    offered: Mapped[int] = mapped_column(BigInteger)
    answered: Mapped[int] = mapped_column(BigInteger)
    abandoned: Mapped[int] = mapped_column(BigInteger)
    flowouts: Mapped[int | None] = mapped_column(BigInteger)
    answer_wait_seconds: Mapped[int | None] = mapped_column(BigInteger)
    handled: Mapped[int | None] = mapped_column(BigInteger)
    handle_seconds: Mapped[int | None] = mapped_column(BigInteger)
    fcr_resolved: Mapped[int | None] = mapped_column(BigInteger)
    fcr_eligible: Mapped[int | None] = mapped_column(BigInteger)
    csat_1: Mapped[int | None] = mapped_column(BigInteger)
    csat_2: Mapped[int | None] = mapped_column(BigInteger)
    csat_3: Mapped[int | None] = mapped_column(BigInteger)
    csat_4: Mapped[int | None] = mapped_column(BigInteger)
    csat_5: Mapped[int | None] = mapped_column(BigInteger)
    thresholds: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source: Mapped[str | None] = mapped_column(String(200))


class IntervalColumnRow(Base):
    """Which count columns a contract's intervals have ever carried (so loads know which
    threshold keys to pull out of the JSON without parsing it row by row)."""

    __tablename__ = "interval_columns"
    contract_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    # threshold columns: which rollup slot (t0..t7) sums it; None = not rolled up
    slot: Mapped[int | None] = mapped_column(Integer)


class IntervalCorrectionRow(Base):
    """A later value for an interval that replaced an earlier one: when, and old -> new."""

    __tablename__ = "interval_corrections"
    __table_args__ = (Index("ix_corrections_key", "contract_id", "interval_start"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    contract_id: Mapped[str] = mapped_column(String(200))
    queue: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(20))
    interval_start: Mapped[int] = mapped_column(BigInteger)
    corrected_at: Mapped[datetime]
    source: Mapped[str | None] = mapped_column(String(200))
    old: Mapped[dict[str, Any]] = mapped_column(JSON)
    new: Mapped[dict[str, Any]] = mapped_column(JSON)


class RollupRow(Base):
    """Sums of the additive counts per queue, channel and local day (grain "day") and local
    month (grain "month", the fast path for whole periods), split by one calendar's
    open/closed flag and by the set of exclusions covering the interval (`excluded_by`:
    comma-joined sorted ids, "" for none). Kept in the ingest's transaction by adding
    deltas (INSERT ... ON CONFLICT DO UPDATE SET x = x + delta). Threshold counts
    (`answered_within_<N>s`, any N) are summed in typed slots t0..t7, assigned per contract
    in `interval_columns` on first sight: up to 8 threshold columns per contract are rolled
    up; more stay in the raw intervals only."""

    __tablename__ = "rollups"
    __table_args__ = (
        UniqueConstraint("contract_id", "grain", "day", "calendar_id", "queue", "channel",
                         "in_hours", "excluded_by", name="uq_rollups_key"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    contract_id: Mapped[str] = mapped_column(String(200))
    grain: Mapped[str] = mapped_column(String(5))  # "day", or "month" (day = its 1st)
    day: Mapped[date] = mapped_column(Date)
    calendar_id: Mapped[str] = mapped_column(String(100))
    queue: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(20))
    in_hours: Mapped[bool] = mapped_column(Boolean)
    excluded_by: Mapped[str] = mapped_column(String(500))
    intervals: Mapped[int] = mapped_column(BigInteger)
    minutes: Mapped[int] = mapped_column(BigInteger)
    offered: Mapped[int] = mapped_column(BigInteger)
    answered: Mapped[int] = mapped_column(BigInteger)
    abandoned: Mapped[int] = mapped_column(BigInteger)
    flowouts: Mapped[int] = mapped_column(BigInteger)
    answer_wait_seconds: Mapped[int] = mapped_column(BigInteger)
    handled: Mapped[int] = mapped_column(BigInteger)
    handle_seconds: Mapped[int] = mapped_column(BigInteger)
    fcr_resolved: Mapped[int] = mapped_column(BigInteger)
    fcr_eligible: Mapped[int] = mapped_column(BigInteger)
    csat_1: Mapped[int] = mapped_column(BigInteger)
    csat_2: Mapped[int] = mapped_column(BigInteger)
    csat_3: Mapped[int] = mapped_column(BigInteger)
    csat_4: Mapped[int] = mapped_column(BigInteger)
    csat_5: Mapped[int] = mapped_column(BigInteger)
    # sums of the contract's threshold columns, by slot (see IntervalColumnRow.slot)
    t0: Mapped[int] = mapped_column(BigInteger)
    t1: Mapped[int] = mapped_column(BigInteger)
    t2: Mapped[int] = mapped_column(BigInteger)
    t3: Mapped[int] = mapped_column(BigInteger)
    t4: Mapped[int] = mapped_column(BigInteger)
    t5: Mapped[int] = mapped_column(BigInteger)
    t6: Mapped[int] = mapped_column(BigInteger)
    t7: Mapped[int] = mapped_column(BigInteger)


class OutageRow(Base):
    """An outage or status-page incident span, keyed by contract, service and start."""

    __tablename__ = "outages"
    __table_args__ = (UniqueConstraint("contract_id", "service", "start", name="uq_outages_key"),
                      Index("ix_outages_contract_start", "contract_id", "start"))
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    contract_id: Mapped[str] = mapped_column(String(200))
    service: Mapped[str] = mapped_column(String(200))
    start: Mapped[datetime]
    end: Mapped[datetime | None]
    impact: Mapped[str] = mapped_column(String(20))
    affected_fraction: Mapped[float] = mapped_column(Float)
    excluded: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str | None] = mapped_column(String(200))
    ref: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime]


class IncidentUpdateRow(Base):
    """One update of a status-page incident (its history), idempotent on (ref, at)."""

    __tablename__ = "incident_updates"
    __table_args__ = (UniqueConstraint("contract_id", "ref", "at", name="uq_incident_updates"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    contract_id: Mapped[str] = mapped_column(String(200))
    ref: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(50))
    body: Mapped[str] = mapped_column(Text)


class PeriodRow(Base):
    """A contract's measurement period and its status: open -> provisional -> final."""

    __tablename__ = "periods"
    contract_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    label: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    start: Mapped[datetime]
    end: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    as_of: Mapped[datetime]
    closed_by: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[datetime | None]
    problems: Mapped[dict[str, Any]] = mapped_column(JSON)


class ResultRow(Base):
    """One SLA's figure for one period, with its evidence (JSON)."""

    __tablename__ = "results"
    contract_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    period: Mapped[str] = mapped_column(String(20), primary_key=True)
    sla_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    metric: Mapped[str] = mapped_column(String(50))
    value: Mapped[str | None] = mapped_column(String(60))  # Decimal as text: exact
    raw_value: Mapped[str | None] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(60))
    direction: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(40))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    as_of: Mapped[datetime]


class ExclusionAppliedRow(Base):
    __tablename__ = "exclusions_applied"
    __table_args__ = (UniqueConstraint("contract_id", "period", "sla_id", "exclusion_id",
                                       "start", name="uq_exclusions_applied"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    contract_id: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(20))
    sla_id: Mapped[str] = mapped_column(String(200))
    exclusion_id: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    start: Mapped[datetime]
    end: Mapped[datetime]
    minutes: Mapped[str] = mapped_column(String(60))


class CreditRow(Base):
    __tablename__ = "credits"
    contract_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    period: Mapped[str] = mapped_column(String(20), primary_key=True)
    sla_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    # The period whose performance produced the money: an earn-back credit confirmed in a
    # later month is a second line for the same SLA in that month.
    origin: Mapped[str] = mapped_column(String(20), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[str] = mapped_column(String(60))  # Decimal text: SQLite has no decimal
    assessed: Mapped[str] = mapped_column(String(60))
    held: Mapped[str] = mapped_column(String(60))
    mechanism: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(40))
    tier: Mapped[str | None] = mapped_column(String(100))
    explanation: Mapped[str] = mapped_column(Text)


class RestatementRow(Base):
    """A changed figure for a period already reported: old and new, when and why."""

    __tablename__ = "restatements"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    contract_id: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(20))
    sla_id: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(Text)
    old: Mapped[dict[str, Any]] = mapped_column(JSON)
    new: Mapped[dict[str, Any]] = mapped_column(JSON)


class WatermarkRow(Base):
    __tablename__ = "watermarks"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    ts: Mapped[datetime]


class LeaseRow(Base):
    __tablename__ = "leases"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime]


class RunRow(Base):
    __tablename__ = "collector_runs"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(300), index=True)
    started: Mapped[datetime]
    finished: Mapped[datetime | None]
    rows: Mapped[int] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)


class NotificationRow(Base):
    __tablename__ = "notifications"
    dedup_key: Mapped[str] = mapped_column(String(500), primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    contract_id: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


# The performance-issue, claims, observation and web-console tables live in their own
# modules; importing them here registers them on `Base.metadata`, so Alembic and the schema
# test see every table.
import monitor.storage.cases_models  # noqa: E402
import monitor.storage.claims_models  # noqa: E402
import monitor.storage.observations_models  # noqa: E402
import monitor.storage.stamps  # noqa: E402, F401
from monitor.storage import console_models as _console_models  # noqa: E402, F401
