"""device key

Registered devices (kiosks and rating tablets) and their secret keys, stored hashed.

Revision ID: 1d35e23cd57f
Revises: b8754e4295b8
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from display_server.models import UTCDateTime

revision = "1d35e23cd57f"
down_revision = "b8754e4295b8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.ForeignKeyConstraint(["counter_id"], ["counter.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_index("ix_device_key_office_kind_name", "device_key", ["office_id", "kind", "name"])


def downgrade() -> None:
    op.drop_index("ix_device_key_office_kind_name", table_name="device_key")
    op.drop_table("device_key")
