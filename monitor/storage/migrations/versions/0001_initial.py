"""Initial schema: every table of slamon 0.1

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23 16:11:50.053964
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# 64-bit ids on PostgreSQL; SQLite's INTEGER PRIMARY KEY is its rowid.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "collector_runs",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("started", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_collector_runs_key", "collector_runs", ["key"], unique=False)

    op.create_table(
        "contracts",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("vendor", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=100), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=True),
        sa.Column("source_hash", sa.String(length=128), nullable=True),
        sa.Column("calendar_hash", sa.String(length=128), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "credits",
        sa.Column("contract_id", sa.String(length=200), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("sla_id", sa.String(length=200), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.String(length=60), nullable=False),
        sa.Column("assessed", sa.String(length=60), nullable=False),
        sa.Column("held", sa.String(length=60), nullable=False),
        sa.Column("mechanism", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("tier", sa.String(length=100), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("contract_id", "period", "sla_id", "origin"),
    )
    op.create_table(
        "exclusions_applied",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("contract_id", sa.String(length=200), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("sla_id", sa.String(length=200), nullable=False),
        sa.Column("exclusion_id", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "contract_id", "period", "sla_id", "exclusion_id", "start", name="uq_exclusions_applied"
        ),
    )
    op.create_table(
        "incident_updates",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("contract_id", sa.String(length=200), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=50), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract_id", "ref", "at", name="uq_incident_updates"),
    )
    op.create_table(
        "interval_columns",
        sa.Column("contract_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("contract_id", "name"),
    )
    op.create_table(
        "interval_corrections",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("contract_id", sa.String(length=200), nullable=False),
        sa.Column("queue", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("interval_start", sa.BigInteger(), nullable=False),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("old", sa.JSON(), nullable=False),
        sa.Column("new", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_corrections_key",
        "interval_corrections",
        ["contract_id", "interval_start"],
        unique=False,
    )

    op.create_table(
        "intervals",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("contract_id", sa.String(length=200), nullable=False),
        sa.Column("queue", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("interval_start", sa.BigInteger(), nullable=False),
        sa.Column("interval_minutes", sa.Integer(), nullable=False),
        sa.Column("offered", sa.BigInteger(), nullable=False),
        sa.Column("answered", sa.BigInteger(), nullable=False),
        sa.Column("abandoned", sa.BigInteger(), nullable=False),
        sa.Column("flowouts", sa.BigInteger(), nullable=True),
        sa.Column("answer_wait_seconds", sa.BigInteger(), nullable=True),
        sa.Column("handled", sa.BigInteger(), nullable=True),
        sa.Column("handle_seconds", sa.BigInteger(), nullable=True),
        sa.Column("fcr_resolved", sa.BigInteger(), nullable=True),
        sa.Column("fcr_eligible", sa.BigInteger(), nullable=True),
        sa.Column("csat_1", sa.BigInteger(), nullable=True),
        sa.Column("csat_2", sa.BigInteger(), nullable=True),
        sa.Column("csat_3", sa.BigInteger(), nullable=True),
        sa.Column("csat_4", sa.BigInteger(), nullable=True),
        sa.Column("csat_5", sa.BigInteger(), nullable=True),
        sa.Column("thresholds", sa.JSON(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "contract_id", "interval_start", "queue", "channel", name="uq_intervals_key"
        ),
    )
    op.create_table(
        "leases",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "notifications",
        sa.Column("dedup_key", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("contract_id", sa.String(length=200), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("dedup_key"),
    )
    op.create_table(
        "outages",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("contract_id", sa.String(length=200), nullable=False),
        sa.Column("service", sa.String(length=200), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("impact", sa.String(length=20), nullable=False),
        sa.Column("affected_fraction", sa.Float(), nullable=False),
        sa.Column("excluded", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("ref", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract_id", "service", "start", name="uq_outages_key"),
    )
    op.create_table(
        "periods",
        sa.Column("contract_id", sa.String(length=200), nullable=False),
        sa.Column("label", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(length=200), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("contract_id", "label"),
    )
    op.create_table(
        "restatements",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("contract_id", sa.String(length=200), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("sla_id", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("old", sa.JSON(), nullable=False),
        sa.Column("new", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "results",
        sa.Column("contract_id", sa.String(length=200), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("sla_id", sa.String(length=200), nullable=False),
        sa.Column("metric", sa.String(length=50), nullable=False),
        sa.Column("value", sa.String(length=60), nullable=True),
        sa.Column("raw_value", sa.String(length=60), nullable=True),
        sa.Column("target", sa.String(length=60), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("contract_id", "period", "sla_id"),
    )
    op.create_table(
        "rollups",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("contract_id", sa.String(length=200), nullable=False),
        sa.Column("grain", sa.String(length=5), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("calendar_id", sa.String(length=100), nullable=False),
        sa.Column("queue", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("in_hours", sa.Boolean(), nullable=False),
        sa.Column("excluded_by", sa.String(length=500), nullable=False),
        sa.Column("intervals", sa.BigInteger(), nullable=False),
        sa.Column("minutes", sa.BigInteger(), nullable=False),
        sa.Column("offered", sa.BigInteger(), nullable=False),
        sa.Column("answered", sa.BigInteger(), nullable=False),
        sa.Column("abandoned", sa.BigInteger(), nullable=False),
        sa.Column("flowouts", sa.BigInteger(), nullable=False),
        sa.Column("answer_wait_seconds", sa.BigInteger(), nullable=False),
        sa.Column("handled", sa.BigInteger(), nullable=False),
        sa.Column("handle_seconds", sa.BigInteger(), nullable=False),
        sa.Column("fcr_resolved", sa.BigInteger(), nullable=False),
        sa.Column("fcr_eligible", sa.BigInteger(), nullable=False),
        sa.Column("csat_1", sa.BigInteger(), nullable=False),
        sa.Column("csat_2", sa.BigInteger(), nullable=False),
        sa.Column("csat_3", sa.BigInteger(), nullable=False),
        sa.Column("csat_4", sa.BigInteger(), nullable=False),
        sa.Column("csat_5", sa.BigInteger(), nullable=False),
        *[sa.Column(f"t{i}", sa.BigInteger(), nullable=False) for i in range(8)],
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "contract_id",
            "grain",
            "day",
            "calendar_id",
            "queue",
            "channel",
            "in_hours",
            "excluded_by",
            name="uq_rollups_key",
        ),
    )
    op.create_table(
        "watermarks",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("watermarks")
    op.drop_table("rollups")
    op.drop_table("results")
    op.drop_table("restatements")
    op.drop_table("periods")
    op.drop_table("outages")
    op.drop_table("notifications")
    op.drop_table("leases")
    op.drop_table("intervals")
    op.drop_index("ix_corrections_key", table_name="interval_corrections")
    op.drop_table("interval_corrections")
    op.drop_table("interval_columns")
    op.drop_table("incident_updates")
    op.drop_table("exclusions_applied")
    op.drop_table("credits")
    op.drop_table("contracts")
    op.drop_index("ix_collector_runs_key", table_name="collector_runs")
    op.drop_table("collector_runs")
