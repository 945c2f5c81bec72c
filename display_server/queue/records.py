"""Tickets, steps and counters as plain rows, read and written with Core statements.

The queue engine's hot paths (issuing, calling, serving) run on these rather than on ORM
objects: profiling showed ~4.4 ms of CPU per issued ticket and ~6.7 ms per counter action,
nearly all of it the ORM's unit of work, lazy loads and attribute bookkeeping, against about
0.05 ms per Core statement. The tables, their types (UTC times, JSON lists) and the migrations
stay the ORM models'; only the way the engine reaches them changes. The statements are built
once, at import, and run through `statements` (on SQLite, straight on the driver).

`TicketRow` and `StepRow` carry the same attribute names as `models.Ticket` / `TicketStep`, so
code that reads a ticket (views, estimates, tests) works with either.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from typing import Any, TypeAlias

from sqlalchemy import Select, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from ..models import (
    Counter,
    CounterService,
    Office,
    Officer,
    Service,
    Ticket,
    TicketStatus,
    TicketStep,
)
from .errors import NotFound
from .statements import execute, first, rows, scalar

TICKET: Table = Ticket.__table__  # type: ignore[assignment]
STEP: Table = TicketStep.__table__  # type: ignore[assignment]
COUNTER: Table = Counter.__table__  # type: ignore[assignment]
SERVICE: Table = Service.__table__  # type: ignore[assignment]
OFFICER: Table = Officer.__table__  # type: ignore[assignment]
COUNTER_SERVICE: Table = CounterService.__table__  # type: ignore[assignment]
OFFICE: Table = Office.__table__  # type: ignore[assignment]

LOOKUP = "luot.lookup"


@dataclass(slots=True)
class StepRow:
    """One step of a ticket (the columns of `ticket_step`)."""

    id: int
    ticket_id: int
    position: int
    service_id: int
    queued_at: datetime
    counter_id: int | None = None
    officer_id: int | None = None
    called_at: datetime | None = None
    recall_count: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    outcome: str = "pending"


@dataclass(slots=True)
class TicketRow:
    """A ticket (the columns of `ticket`) with its steps in order."""

    id: int
    office_id: int
    issue_service_id: int
    local_day: date
    sequence: int
    number: str
    token: str
    priority: str
    channel: str
    kiosk: str | None
    status: str
    issued_at: datetime
    service_id: int
    queued_at: datetime
    front: bool
    target_counter_id: int | None
    counter_id: int | None
    status_changed_at: datetime
    planned: list[str]
    note: str | None
    closed_reason: str | None
    steps: list[StepRow] = field(default_factory=list)

    @property
    def open_step(self) -> StepRow:
        """The step the ticket is at now (the last one)."""
        return self.steps[-1]


@dataclass(slots=True)
class CounterRow:
    """A counter (the columns of `counter`) and the services it serves, best first."""

    id: int
    office_id: int
    number: int
    name: str
    active: bool
    state: str
    pause_reason: str | None
    officer_id: int | None
    normal_since_priority: int
    state_changed_at: datetime | None
    service_ids: list[int] = field(default_factory=list)


_TICKET_COLUMNS = [f.name for f in fields(TicketRow) if f.name != "steps"]
_STEP_COLUMNS = [f.name for f in fields(StepRow)]
_COUNTER_COLUMNS = [f.name for f in fields(CounterRow) if f.name != "service_ids"]

# Statements are built once: building one costs more (~120 µs) than running it (~40 µs).
_SELECT_STEPS = (
    select(*(STEP.c[name] for name in _STEP_COLUMNS))
    .where(STEP.c.ticket_id == bindparam("ticket_id"))
    .order_by(STEP.c.position)
)
_INSERT_TICKET = insert(TICKET).returning(TICKET.c.id)
_INSERT_STEP = insert(STEP).returning(STEP.c.id)
# Update statements take their SET columns from the parameters given.
_UPDATE_TICKET = update(TICKET).where(TICKET.c.id == bindparam("row_id"))
_UPDATE_STEP = update(STEP).where(STEP.c.id == bindparam("row_id"))
_UPDATE_COUNTER = update(COUNTER).where(COUNTER.c.id == bindparam("row_id"))
# A counter and its services (best first) in one statement: one row per service.
_SELECT_COUNTER = (
    select(*(COUNTER.c[name] for name in _COUNTER_COLUMNS), COUNTER_SERVICE.c.service_id)
    .outerjoin(COUNTER_SERVICE, COUNTER_SERVICE.c.counter_id == COUNTER.c.id)
    .where(COUNTER.c.office_id == bindparam("office_id"), COUNTER.c.number == bindparam("number"))
    .order_by(COUNTER_SERVICE.c.rank)
)
_SELECT_COUNTER_FOR_UPDATE = _SELECT_COUNTER.with_for_update(of=COUNTER)
_SELECT_SERVICES = select(
    SERVICE.c.id,
    SERVICE.c.code,
    SERVICE.c.name,
    SERVICE.c.name_en,
    SERVICE.c.active,
    SERVICE.c.target_wait_minutes,
)
_SELECT_COUNTER_NAMES = select(COUNTER.c.id, COUNTER.c.number, COUNTER.c.name)
_SELECT_OFFICER_NAME = select(OFFICER.c.username, OFFICER.c.full_name).where(
    OFFICER.c.id == bindparam("officer_id")
)


def is_postgres(session: Session) -> bool:
    """Whether the session runs on PostgreSQL (row locks; SQLite locks the whole database)."""
    return session.get_bind().dialect.name == "postgresql"


# --- tickets -----------------------------------------------------------------------------------


def _ticket(row: tuple[Any, ...]) -> TicketRow:
    values = dict(zip(_TICKET_COLUMNS, row, strict=True))
    values["planned"] = list(values["planned"] or [])
    values["front"] = bool(values["front"])
    return TicketRow(**values)


def load_steps(session: Session, ticket_id: int) -> list[StepRow]:
    """The ticket's steps in order."""
    return [StepRow(*row) for row in rows(session, _SELECT_STEPS, {"ticket_id": ticket_id})]


def select_tickets() -> Select[Any]:
    """A select of the columns a `TicketRow` is read from, for callers' own conditions
    (build it once, at import, and run it with parameters: see `first_ticket`)."""
    return select(*(TICKET.c[name] for name in _TICKET_COLUMNS))


def first_ticket(session: Session, stmt: Any, parameters: dict[str, Any]) -> TicketRow | None:
    """The first ticket that `stmt` (from `select_tickets`) finds, with its steps."""
    row = first(session, stmt, parameters)
    if row is None:
        return None
    ticket = _ticket(row)
    ticket.steps = load_steps(session, ticket.id)
    return ticket


_SELECT_TICKET = select_tickets().where(TICKET.c.id == bindparam("ticket_id"))
_SELECT_TICKET_FOR_UPDATE = _SELECT_TICKET.with_for_update()


def load_ticket(session: Session, ticket_id: int, *, lock: bool = False) -> TicketRow:
    """The ticket with database id `ticket_id` (any office), with its steps; `lock` holds its
    row until commit on PostgreSQL."""
    stmt = _SELECT_TICKET_FOR_UPDATE if lock and is_postgres(session) else _SELECT_TICKET
    ticket = first_ticket(session, stmt, {"ticket_id": ticket_id})
    if ticket is None:
        raise NotFound("unknown_ticket", "Không tìm thấy phiếu số {ticket}.", ticket=ticket_id)
    return ticket


def insert_ticket(session: Session, values: dict[str, Any]) -> int:
    """Insert a ticket row; its new id."""
    return int(scalar(session, _INSERT_TICKET, values))


def add_step(session: Session, ticket: TicketRow, service_id: int, queued_at: datetime) -> StepRow:
    """Append a new pending step to `ticket` (in the database and in `ticket.steps`)."""
    position = ticket.steps[-1].position + 1 if ticket.steps else 1
    values: dict[str, Any] = {
        "ticket_id": ticket.id,
        "position": position,
        "service_id": service_id,
        "queued_at": queued_at,
        "recall_count": 0,
        "outcome": "pending",
    }
    step_id = scalar(session, _INSERT_STEP, values)
    step = StepRow(id=int(step_id), **values)
    ticket.steps.append(step)
    return step


def set_ticket(session: Session, ticket: TicketRow, **values: Any) -> None:
    """Change columns of `ticket`, in the database and on the row."""
    execute(session, _UPDATE_TICKET, {"row_id": ticket.id, **values})
    for name, value in values.items():
        setattr(ticket, name, value)


def set_step(session: Session, step: StepRow, **values: Any) -> None:
    """Change columns of `step`, in the database and on the row."""
    execute(session, _UPDATE_STEP, {"row_id": step.id, **values})
    for name, value in values.items():
        setattr(step, name, value)


# --- counters ----------------------------------------------------------------------------------


def find_counter(
    session: Session, office_id: int, number: int, *, lock: bool = False
) -> CounterRow:
    """The office's active counter `number` with its services; `lock` holds its row until
    commit (PostgreSQL: two requests at one counter take turns)."""
    if not 0 < number < 2**31:
        raise NotFound("unknown_counter", "Không có quầy số {number}.", number=number)
    stmt = _SELECT_COUNTER_FOR_UPDATE if lock and is_postgres(session) else _SELECT_COUNTER
    found = rows(session, stmt, {"office_id": office_id, "number": number})
    counter = CounterRow(*found[0][:-1]) if found else None
    if counter is None or not counter.active:
        raise NotFound("unknown_counter", "Không có quầy số {number}.", number=number)
    counter.service_ids = [row[-1] for row in found if row[-1] is not None]
    return counter


def set_counter(session: Session, counter: CounterRow, **values: Any) -> None:
    """Change columns of `counter`, in the database and on the row."""
    execute(session, _UPDATE_COUNTER, {"row_id": counter.id, **values})
    for name, value in values.items():
        setattr(counter, name, value)


# --- names for views -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """What a view shows of a service."""

    id: int
    code: str
    name: str
    name_en: str
    active: bool
    target_wait_minutes: int | None


class Lookup:
    """Services, counters and officers by id, read once per transaction (views need their
    codes and names; the rows are few and the reads cheap)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._services: dict[int, ServiceInfo] | None = None
        self._counters: dict[int, tuple[int, str]] | None = None
        self._officers: dict[int, tuple[str, str]] = {}
        self._offices: dict[int, OfficeRow] = {}

    def office(self, office_id: int) -> OfficeRow:
        """The office with id `office_id`."""
        found = self._offices.get(office_id)
        return found if found is not None else find_office(self.session, office_id)

    def remember_office(self, office: OfficeRow) -> None:
        """Keep an office read elsewhere in this transaction."""
        self._offices[office.id] = office

    def service(self, service_id: int) -> ServiceInfo:
        """The service with id `service_id`."""
        if self._services is None or service_id not in self._services:
            found = rows(self.session, _SELECT_SERVICES)
            self._services = {row[0]: ServiceInfo(*row) for row in found}
        return self._services[service_id]

    def counter(self, counter_id: int | None) -> tuple[int, str] | None:
        """(number, name) of the counter with id `counter_id`."""
        if counter_id is None:
            return None
        if self._counters is None or counter_id not in self._counters:
            found = rows(self.session, _SELECT_COUNTER_NAMES)
            self._counters = {row[0]: (row[1], row[2]) for row in found}
        return self._counters.get(counter_id)

    def officer(self, officer_id: int | None) -> tuple[str, str] | None:
        """(username, full name) of the officer with id `officer_id`."""
        if officer_id is None:
            return None
        if officer_id not in self._officers:
            row = first(self.session, _SELECT_OFFICER_NAME, {"officer_id": officer_id})
            if row is None:
                return None
            self._officers[officer_id] = (row[0], row[1])
        return self._officers[officer_id]


def lookup(session: Session) -> Lookup:
    """The transaction's `Lookup` (a session holds one transaction at a time here)."""
    found: Lookup | None = session.info.get(LOOKUP)
    if found is None:
        found = session.info[LOOKUP] = Lookup(session)
    return found


@dataclass(frozen=True, slots=True)
class ServiceRow:
    """A service (the columns of `service` the engine reads)."""

    id: int
    office_id: int
    code: str
    name: str
    name_en: str
    active: bool
    issue_start: time | None
    issue_end: time | None
    daily_limit: int | None
    target_wait_minutes: int | None
    follow_up: list[str]


_SERVICE_COLUMNS = [f.name for f in fields(ServiceRow)]
_SELECT_SERVICE = select(*(SERVICE.c[name] for name in _SERVICE_COLUMNS)).where(
    SERVICE.c.office_id == bindparam("office_id"), SERVICE.c.code == bindparam("code")
)


def find_service(session: Session, office_id: int, code: str) -> ServiceRow:
    """The office's service with ticket prefix `code` (case does not matter)."""
    row = first(session, _SELECT_SERVICE, {"office_id": office_id, "code": code.upper()})
    if row is None:
        raise NotFound("unknown_service", "Không có dịch vụ mã {code}.", code=code)
    values = dict(zip(_SERVICE_COLUMNS, row, strict=True))
    values["follow_up"] = list(values["follow_up"] or [])
    return ServiceRow(**values)


_CURRENT = (
    select_tickets()
    .where(
        TICKET.c.counter_id == bindparam("counter_id"),
        TICKET.c.status.in_([TicketStatus.CALLED.value, TicketStatus.SERVING.value]),
    )
    .limit(1)
)


def current_ticket(session: Session, counter_id: int) -> TicketRow | None:
    """The ticket called to or being served at the counter with id `counter_id`, if any."""
    return first_ticket(session, _CURRENT, {"counter_id": counter_id})


@dataclass(frozen=True, slots=True)
class OfficeRow:
    """An office (the columns of `office`)."""

    id: int
    name: str
    unit: str
    timezone: str
    priority_policy: str
    priority_ratio: int
    no_show_grace_minutes: int
    public_url: str | None


# What the queue engine reads an office from: the route's plain row, or administration's model.
OfficeLike: TypeAlias = Office | OfficeRow

_OFFICE_COLUMNS = [OFFICE.c[f.name] for f in fields(OfficeRow)]
_SELECT_OFFICE = select(*_OFFICE_COLUMNS).where(OFFICE.c.id == bindparam("office_id"))
_SELECT_FIRST_OFFICE = select(*_OFFICE_COLUMNS).order_by(OFFICE.c.id).limit(1)


def find_office(session: Session, office_id: int | None = None) -> OfficeRow:
    """The office with `office_id`, or the first one when none is named (kept in the
    transaction's lookup, so the views of this transaction do not read it again)."""
    if office_id is None:
        row = first(session, _SELECT_FIRST_OFFICE)
    else:
        row = first(session, _SELECT_OFFICE, {"office_id": office_id})
    if row is None:
        raise NotFound("office_not_found", "Chưa cấu hình cơ quan.")
    office = OfficeRow(*row)
    lookup(session).remember_office(office)
    return office


@dataclass(frozen=True, slots=True)
class OfficerRow:
    """An officer as the counter routes need them."""

    id: int
    username: str
    full_name: str
    role: str


# The officer acting, as the queue engine records them: a row from the token, or the model.
OfficerLike: TypeAlias = Officer | OfficerRow
