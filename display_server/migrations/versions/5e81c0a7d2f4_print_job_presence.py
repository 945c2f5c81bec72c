"""print job, counter presence

The print spool's jobs, kept in the database so a restart prints what was pending; when each
counter's app was last heard from, and since when a counter has been silent; officers whose
password is still the site file's first one.

Revision ID: 5e81c0a7d2f4
Revises: 1d35e23cd57f
Create Date: 2026-12-12 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from display_server.models import UTCDateTime

revision = "5e81c0a7d2f4"
down_revision = "1d35e23cd57f"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "print_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("kiosk", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("reprint", sa.Boolean(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("sent", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("settled_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_print_job_state_kiosk", "print_job", ["state", "kiosk", "id"])
    op.create_table(
        "counter_presence",
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["counter_id"], ["counter.id"]),
        sa.PrimaryKeyConstraint("counter_id"),
    )
    with op.batch_alter_table("counter") as batch:
        batch.add_column(sa.Column("silent_since", UTCDateTime(), nullable=True))
    with op.batch_alter_table("officer") as batch:
        batch.add_column(
            sa.Column(
                "password_must_change", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("officer") as batch:
        batch.drop_column("password_must_change")
    with op.batch_alter_table("counter") as batch:
        batch.drop_column("silent_since")
    op.drop_table("counter_presence")
    op.drop_index("ix_print_job_state_kiosk", table_name="print_job")
    op.drop_table("print_job")
