"""report day

Per-day report rollups of closed days, so a year's report reads some hundred rows instead of
scanning half a million tickets.

Revision ID: 7c3f5a2e9b14
Revises: 4b7e2c1d9a05
Create Date: 2026-11-25 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "7c3f5a2e9b14"
down_revision = "4b7e2c1d9a05"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_day",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("format", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("event_mark", sa.Integer(), nullable=False),
        sa.Column("rating_mark", sa.Integer(), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("millis", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.PrimaryKeyConstraint("office_id", "kind", "local_day"),
    )


def downgrade() -> None:
    op.drop_table("report_day")
