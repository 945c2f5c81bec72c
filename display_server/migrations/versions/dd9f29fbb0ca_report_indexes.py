"""report indexes

Covering indexes for the report query (tickets of a period with their steps) and an index to
reach ratings by time. Added by the administration and reports feature.

Revision ID: dd9f29fbb0ca
Revises: 90660187493c
Create Date: 2026-11-25 19:18:43.383303
"""

from __future__ import annotations

from alembic import op

revision = "dd9f29fbb0ca"
down_revision = "90660187493c"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_rating_office_created", "rating", ["office_id", "created_at"])
    op.create_index("ix_ticket_report", "ticket", ["office_id", "local_day", "issued_at", "status"])
    op.create_index(
        "ix_step_report",
        "ticket_step",
        [
            "ticket_id",
            "position",
            "outcome",
            "service_id",
            "counter_id",
            "officer_id",
            "called_at",
            "started_at",
            "finished_at",
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_step_report", table_name="ticket_step")
    op.drop_index("ix_ticket_report", table_name="ticket")
    op.drop_index("ix_rating_office_created", table_name="rating")
