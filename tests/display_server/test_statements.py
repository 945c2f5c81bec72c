"""The engine's statement layer stores and reads exactly what SQLAlchemy's own execution does.

On SQLite it compiles each statement once and runs it on the driver; a value converted
differently (a time zone lost, a JSON list stored as text, a default not filled in) would
corrupt tickets silently, so every kind of column is written one way and read the other.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Column, Integer, MetaData, Table, bindparam, insert, select, update

from display_server.models import EventLog, Ticket, TicketStatus
from display_server.queue import statements
from display_server.queue.records import TICKET, select_tickets

AT = datetime(2026, 11, 25, 2, 30, 15, 123456, tzinfo=UTC)

_INSERT = insert(TICKET).returning(TICKET.c.id)
_UPDATE = update(TICKET).where(TICKET.c.id == bindparam("row_id"))
_BY_STATUS = select_tickets().where(
    TICKET.c.number == bindparam("number"),
    TICKET.c.status.in_([TicketStatus.WAITING.value, TicketStatus.CALLED.value]),
)


def _values(number: str) -> dict[str, Any]:
    """A ticket's columns, leaving out those with defaults (priority, front, planned, ...)."""
    return {
        "office_id": 1,
        "issue_service_id": 1,
        "local_day": date(2026, 11, 25),
        "sequence": int(number[1:]),
        "number": number,
        "token": f"token-{number}",
        "channel": "kiosk",
        "issued_at": AT,
        "service_id": 1,
        "queued_at": AT,
        "status_changed_at": AT,
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_app(request: pytest.FixtureRequest, make_app: Any) -> Flask:
    if request.param == "sqlite":
        return make_app()  # type: ignore[no-any-return]
    return make_app(database=request.getfixturevalue("pg_url"))  # type: ignore[no-any-return]


def test_round_trip_matches_sqlalchemy(engine_app: Flask) -> None:
    db = engine_app.extensions["luot.db"]
    with db.write_session() as session:
        new_id = statements.scalar(session, _INSERT, _values("A901"))
        statements.execute(
            session,
            _UPDATE,
            {"row_id": new_id, "planned": ["B", "C"], "front": True, "note": "Nhà xa — ưu tiên"},
        )
        statements.execute(
            session,
            insert(EventLog.__table__),  # type: ignore[arg-type]
            {"office_id": 1, "at": AT, "kind": "test", "ticket_id": new_id, "detail": {"a": 1}},
        )
    with db.read_session() as session:
        ticket = session.get(Ticket, new_id)
        assert ticket is not None
        assert ticket.issued_at == AT and ticket.issued_at.tzinfo is not None
        assert ticket.local_day == date(2026, 11, 25)
        assert ticket.planned == ["B", "C"] and ticket.front is True
        assert ticket.note == "Nhà xa — ưu tiên"
        assert ticket.priority == "none" and ticket.status == "waiting"  # column defaults
        logged = session.scalars(select(EventLog).where(EventLog.kind == "test")).one()
        assert logged.detail == {"a": 1} and logged.at == AT

        # ... and read back through the statement layer: the same Python values.
        row = statements.first(session, _BY_STATUS, {"number": "A901"})
        assert row is not None
        found = dict(zip([c.key for c in _BY_STATUS.selected_columns], row, strict=True))
        assert found["id"] == new_id
        assert found["issued_at"] == AT and found["queued_at"].tzinfo is not None
        assert found["local_day"] == date(2026, 11, 25)
        assert found["planned"] == ["B", "C"] and bool(found["front"]) is True
        assert statements.rows(session, _BY_STATUS, {"number": "A999"}) == []


def test_in_list_and_changed_columns(engine_app: Flask) -> None:
    db = engine_app.extensions["luot.db"]
    with db.write_session() as session:
        first_id = statements.scalar(session, _INSERT, _values("A902"))
        # One update statement, two different sets of columns: each gets its own SQL.
        assert statements.execute(session, _UPDATE, {"row_id": first_id, "status": "done"}) == 1
        assert statements.execute(session, _UPDATE, {"row_id": 10**9, "note": "không có"}) == 0
    with db.read_session() as session:
        # "done" is outside the statement's IN list: not found any more.
        assert statements.first(session, _BY_STATUS, {"number": "A902"}) is None
        with pytest.raises(LookupError):
            statements.scalar(session, _BY_STATUS, {"number": "A902"})


def test_a_function_default_is_called_at_each_run(make_app: Any) -> None:
    db = make_app().extensions["luot.db"]
    made = itertools.count(1)
    metadata = MetaData()
    probe = Table(
        "probe",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("n", Integer, default=lambda: next(made)),
    )
    metadata.create_all(db.engine)
    with db.write_session() as session:
        statements.execute(session, insert(probe), {"id": 1})
        statements.execute(session, insert(probe), {"id": 2})
    with db.read_session() as session:
        assert statements.rows(session, select(probe.c.n).order_by(probe.c.id)) == [(1,), (2,)]
