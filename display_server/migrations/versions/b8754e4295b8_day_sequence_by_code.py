"""day sequence by code

Numbers are counted per office, code letters and day (what the number shows) instead of per
service, so renaming a service's code never issues a number twice in a day; waiting lines span
days (a ticket left waiting at midnight stays in line), so call-next's index no longer starts
with the day; calling by number finds its tickets by index; a ticket records why a rule
closed it.

Revision ID: b8754e4295b8
Revises: 67aec8d7dc00
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b8754e4295b8"
down_revision = "67aec8d7dc00"
branch_labels = None
depends_on = None

# Service codes are letters only, so a number without its trailing digits is its code.
_BY_CODE = """
INSERT INTO daily_sequence (office_id, code, local_day, last)
SELECT office_id, code, local_day, max(last) FROM (
    SELECT office_id, rtrim(number, '0123456789') AS code, local_day, sequence AS last
    FROM ticket
    UNION ALL
    SELECT office_id, code, local_day, last FROM daily_sequence_by_service
) AS issued
GROUP BY office_id, code, local_day
"""
_BY_SERVICE = """
INSERT INTO daily_sequence (service_id, local_day, last)
SELECT issue_service_id, local_day, max(sequence) FROM ticket
GROUP BY issue_service_id, local_day
"""


def upgrade() -> None:
    # The old rows, named by each service's code today (a larger "last" only skips numbers).
    op.execute(
        "CREATE TABLE daily_sequence_by_service AS "
        "SELECT service.office_id AS office_id, service.code AS code, "
        "daily_sequence.local_day AS local_day, daily_sequence.last AS last "
        "FROM daily_sequence JOIN service ON service.id = daily_sequence.service_id"
    )
    op.drop_table("daily_sequence")
    op.create_table(
        "daily_sequence",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.PrimaryKeyConstraint("office_id", "code", "local_day"),
    )
    op.execute(_BY_CODE)
    op.drop_table("daily_sequence_by_service")

    op.drop_index("ix_ticket_next", table_name="ticket")
    op.create_index(
        "ix_ticket_next",
        "ticket",
        [
            "office_id",
            "service_id",
            "status",
            "priority",
            "local_day",
            sa.text("front DESC"),
            "queued_at",
            "id",
        ],
    )
    op.create_index("ix_ticket_number", "ticket", ["office_id", "number", "status", "local_day"])
    op.add_column("ticket", sa.Column("closed_reason", sa.String(32), nullable=True))


def downgrade() -> None:
    op.drop_column("ticket", "closed_reason")  # SQLite 3.35+ drops a column in place
    op.drop_index("ix_ticket_number", table_name="ticket")
    op.drop_index("ix_ticket_next", table_name="ticket")
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
    op.drop_table("daily_sequence")
    op.create_table(
        "daily_sequence",
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"]),
        sa.PrimaryKeyConstraint("service_id", "local_day"),
    )
    op.execute(_BY_SERVICE)
