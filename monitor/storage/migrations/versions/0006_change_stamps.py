"""Change stamps: what `/metrics` compares to know whether stored state changed

Revision ID: 0006
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_stamps",
        sa.Column("scope", sa.String(length=50), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope"),
    )


def downgrade() -> None:
    op.drop_table("change_stamps")
