"""throttle hit

Attempt counters (failed sign-ins, anonymous tickets) in the database, so every server
process shares one throttle.

Revision ID: 3f9d2a61c8b0
Revises: 7c3f5a2e9b14
Create Date: 2026-12-08 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from display_server.models import UTCDateTime

revision = "3f9d2a61c8b0"
down_revision = "7c3f5a2e9b14"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "throttle_hit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(32), nullable=False),
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_throttle_hit_bucket_key_at", "throttle_hit", ["bucket", "key", "at"])


def downgrade() -> None:
    op.drop_index("ix_throttle_hit_bucket_key_at", table_name="throttle_hit")
    op.drop_table("throttle_hit")
