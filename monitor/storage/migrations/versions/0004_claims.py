"""Service-credit claims, their events and imported invoice lines (monitor.domain.claims)

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("id", sa.String(length=300), nullable=False),
        sa.Column("contract_id", sa.String(length=200), nullable=False),
        sa.Column("vendor", sa.String(length=100), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("owed", sa.String(length=60), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("accepted_amount", sa.String(length=60), nullable=True),
        sa.Column("credited_amount", sa.String(length=60), nullable=True),
        sa.Column("invoice_number", sa.String(length=200), nullable=True),
        sa.Column("invoice_date", sa.Date(), nullable=True),
        sa.Column("dispute_reason", sa.Text(), nullable=True),
        sa.Column("writeoff_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_claims_vendor_state", "claims", ["vendor", "state"])
    op.create_index("ix_claims_reference", "claims", ["reference"])
    op.create_table(
        "claim_events",
        sa.Column("claim_id", sa.String(length=300), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("from_state", sa.String(length=30), nullable=True),
        sa.Column("to_state", sa.String(length=30), nullable=False),
        sa.Column("who", sa.String(length=300), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("claim_id", "seq"),
    )
    op.create_table(
        "invoice_lines",
        sa.Column("vendor", sa.String(length=100), nullable=False),
        sa.Column("invoice_number", sa.String(length=200), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("amount", sa.String(length=60), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("claim_id", sa.String(length=300), nullable=True),
        sa.Column("matched_by", sa.String(length=30), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("vendor", "invoice_number", "text", "amount"),
    )


def downgrade() -> None:
    op.drop_table("invoice_lines")
    op.drop_table("claim_events")
    op.drop_index("ix_claims_reference", table_name="claims")
    op.drop_index("ix_claims_vendor_state", table_name="claims")
    op.drop_table("claims")
