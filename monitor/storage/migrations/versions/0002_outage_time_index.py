"""Index outages by contract and start: evaluation loads a period's outages by time.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outages_contract_start", "outages", ["contract_id", "start"])


def downgrade() -> None:
    op.drop_index("ix_outages_contract_start", table_name="outages")
