"""queue next index

The index call-next seeks in: one service's waiting line, by priority class, in calling
order (sent to the front first, then by queue time).

Revision ID: 4b7e2c1d9a05
Revises: dd9f29fbb0ca
Create Date: 2026-11-25 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "4b7e2c1d9a05"
down_revision = "dd9f29fbb0ca"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_ticket_next",
        "ticket",
        [
            "office_id",
            "service_id",
            "local_day",
            "status",
            "priority",
            sa.text("front DESC"),
            "queued_at",
            "id",
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_ticket_next", table_name="ticket")
