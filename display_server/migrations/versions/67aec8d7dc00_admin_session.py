"""admin session

Server-side records of administration sessions, so signing out (or deactivating an officer,
or changing their password) ends a session whatever copy of its cookie is presented.

Revision ID: 67aec8d7dc00
Revises: 3f9d2a61c8b0
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from display_server.models import UTCDateTime

revision = "67aec8d7dc00"
down_revision = "3f9d2a61c8b0"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["officer_id"], ["officer.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("id_hash"),
    )
    op.create_index("ix_admin_session_officer_id", "admin_session", ["officer_id"])


def downgrade() -> None:
    op.drop_index("ix_admin_session_officer_id", table_name="admin_session")
    op.drop_table("admin_session")
