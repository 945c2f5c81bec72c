"""SQLAlchemy models: offices, services, counters, officers, tickets and steps, the event log."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every engine (SQLite keeps no zone, so store naive UTC there)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; the queue stores aware UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[str]: JSON}


class StrEnum(enum.StrEnum):
    """An enumeration whose members are their string values."""


class Role(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class CounterState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    PAUSED = "paused"


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class StepOutcome(StrEnum):
    PENDING = "pending"
    DONE = "done"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"


class Priority(StrEnum):
    NONE = "none"
    ELDERLY = "elderly"
    DISABLED = "disabled"
    PREGNANT = "pregnant"
    WITH_INFANT = "with_infant"
    VETERAN = "veteran"  # people with meritorious service to the revolution (người có công)


class Channel(StrEnum):
    KIOSK = "kiosk"
    WEB = "web"
    COUNTER = "counter"
    PHONE = "phone"


class Office(Base):
    __tablename__ = "office"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    # "strict": priority tickets always first; "ratio": one priority ticket per N normal calls.
    priority_policy: Mapped[str] = mapped_column(String(16), default="strict")
    priority_ratio: Mapped[int] = mapped_column(Integer, default=3)
    no_show_grace_minutes: Mapped[int] = mapped_column(Integer, default=15)
    public_url: Mapped[str | None] = mapped_column(String(300), default=None)


class Service(Base):
    __tablename__ = "service"
    __table_args__ = (UniqueConstraint("office_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    code: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    issue_start: Mapped[time | None] = mapped_column(Time, default=None)
    issue_end: Mapped[time | None] = mapped_column(Time, default=None)
    daily_limit: Mapped[int | None] = mapped_column(Integer, default=None)
    target_wait_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # Services the citizen continues to on the same number after this one (a bundled procedure).
    follow_up: Mapped[list[str]] = mapped_column(default=list)

    office: Mapped[Office] = relationship()


class Officer(Base):
    __tablename__ = "officer"
    __table_args__ = (UniqueConstraint("office_id", "username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    username: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(16), default=Role.OFFICER.value)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # A first password from the site file (printed at start, the same for everyone in the
    # example): the officer sets their own at the first sign-in.
    password_must_change: Mapped[bool] = mapped_column(Boolean, default=False)


class Counter(Base):
    __tablename__ = "counter"
    __table_args__ = (UniqueConstraint("office_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[str] = mapped_column(String(16), default=CounterState.CLOSED.value)
    pause_reason: Mapped[str | None] = mapped_column(String(200), default=None)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"), default=None)
    # Normal tickets called here since the last priority one (for the "ratio" policy).
    normal_since_priority: Mapped[int] = mapped_column(Integer, default=0)
    state_changed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Since when the officer's counter app has not been heard from (queue.presence); None
    # while it is, and for a closed counter.
    silent_since: Mapped[datetime | None] = mapped_column(default=None)

    officer: Mapped[Officer | None] = relationship()
    service_links: Mapped[list[CounterService]] = relationship(
        order_by="CounterService.rank", cascade="all, delete-orphan"
    )


class CounterService(Base):
    """A service a counter serves, with its rank in the counter's order of preference."""

    __tablename__ = "counter_service"

    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, default=0)

    service: Mapped[Service] = relationship()


class DailySequence(Base):
    """The last number handed out per office, code letters and local day; the only source of
    numbers. Keyed on what the number shows ("A" of "A012"), not on the service row, so renaming
    a service's code never lets another service hand out a number already issued that day."""

    __tablename__ = "daily_sequence"

    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    local_day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Ticket(Base):
    __tablename__ = "ticket"
    __table_args__ = (
        # Kept by the day's sequence of each code, which never goes below what the ticket's
        # service has issued that day (see queue.tickets).
        UniqueConstraint("issue_service_id", "local_day", "sequence"),
        Index("ix_ticket_queue", "office_id", "status", "service_id", "queued_at"),
        Index("ix_ticket_day", "office_id", "local_day"),
        Index("ix_ticket_counter", "counter_id", "status"),
        # Calling by number: the waiting tickets showing it, or the one of a given day.
        Index("ix_ticket_number", "office_id", "number", "status", "local_day"),
        # The next ticket of one service and priority class is the first entry in this order
        # (a day's leftovers before the next day's tickets), so calling the next citizen is an
        # index seek however long the line is and however many days it spans.
        Index(
            "ix_ticket_next",
            "office_id",
            "service_id",
            "status",
            "priority",
            "local_day",
            text("front DESC"),
            "queued_at",
            "id",
        ),
        # Reports: the period's tickets with what the figures need, without visiting the table.
        Index("ix_ticket_report", "office_id", "local_day", "issued_at", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    issue_service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    local_day: Mapped[date] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(16))
    token: Mapped[str] = mapped_column(String(32), unique=True)
    priority: Mapped[str] = mapped_column(String(16), default=Priority.NONE.value)
    channel: Mapped[str] = mapped_column(String(16), default=Channel.KIOSK.value)
    kiosk: Mapped[str | None] = mapped_column(String(64), default=None)
    status: Mapped[str] = mapped_column(String(16), default=TicketStatus.WAITING.value)
    issued_at: Mapped[datetime] = mapped_column()
    # Queue position of the current step: the service it waits for and its place in line.
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    queued_at: Mapped[datetime] = mapped_column()
    front: Mapped[bool] = mapped_column(Boolean, default=False)
    target_counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"), default=None)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"), default=None)
    status_changed_at: Mapped[datetime] = mapped_column()
    planned: Mapped[list[str]] = mapped_column(default=list)
    note: Mapped[str | None] = mapped_column(String(500), default=None)
    # Why a ticket was closed without being served, when a rule did it ("day_end").
    closed_reason: Mapped[str | None] = mapped_column(String(32), default=None)

    service: Mapped[Service] = relationship(foreign_keys=[service_id])
    issue_service: Mapped[Service] = relationship(foreign_keys=[issue_service_id])
    counter: Mapped[Counter | None] = relationship(foreign_keys=[counter_id])
    steps: Mapped[list[TicketStep]] = relationship(
        order_by="TicketStep.position", back_populates="ticket", cascade="all, delete-orphan"
    )


class TicketStep(Base):
    """One visit to one service on a ticket: who called, served and finished it, and when."""

    __tablename__ = "ticket_step"
    __table_args__ = (
        UniqueConstraint("ticket_id", "position"),
        Index("ix_step_service_finished", "service_id", "finished_at"),
        Index("ix_step_called", "called_at"),
        # Reports: every column the report query reads from a step, reached by ticket.
        Index(
            "ix_step_report",
            "ticket_id",
            "position",
            "outcome",
            "service_id",
            "counter_id",
            "officer_id",
            "called_at",
            "started_at",
            "finished_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"))
    position: Mapped[int] = mapped_column(Integer)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"), default=None)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"), default=None)
    queued_at: Mapped[datetime] = mapped_column()
    called_at: Mapped[datetime | None] = mapped_column(default=None)
    recall_count: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome: Mapped[str] = mapped_column(String(16), default=StepOutcome.PENDING.value)

    ticket: Mapped[Ticket] = relationship(back_populates="steps")
    service: Mapped[Service] = relationship()
    counter: Mapped[Counter | None] = relationship()
    officer: Mapped[Officer | None] = relationship()


class EventLog(Base):
    """Append-only record of every state change: what, who, when, from which counter."""

    __tablename__ = "event_log"
    __table_args__ = (Index("ix_event_office_at", "office_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    at: Mapped[datetime] = mapped_column()
    kind: Mapped[str] = mapped_column(String(32))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), default=None)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"), default=None)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"), default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AuthToken(Base):
    __tablename__ = "auth_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"), default=None)
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    officer: Mapped[Officer] = relationship()
    counter: Mapped[Counter | None] = relationship()


class IdempotencyRecord(Base):
    """The stored answer to a request carrying an Idempotency-Key, so a retry repeats nothing."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(128))
    request: Mapped[str] = mapped_column(String(200))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()


class Rating(Base):
    """A citizen's rating of one ticket step, stored with the officer who served it."""

    __tablename__ = "rating"
    # A period's ratings by their time. (The report query reaches ratings through their steps
    # instead: without statistics SQLite may nest a range scan of this index per ticket.)
    __table_args__ = (Index("ix_rating_office_created", "office_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    step_id: Mapped[int] = mapped_column(ForeignKey("ticket_step.id"), unique=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"), default=None)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"), default=None)
    level: Mapped[str] = mapped_column(String(32))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column()


class OfficeSetting(Base):
    """A setting edited in administration, overriding the site file's value of the same key."""

    __tablename__ = "office_setting"

    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()


class AuditLog(Base):
    """Who changed what in administration, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    at: Mapped[datetime] = mapped_column()
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"), default=None)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ReportDay(Base):
    """One closed day's report material for one scan kind, so a long period's report reads
    rollups instead of scanning every ticket (display_server/reports/rollups.py).

    Valid while no event-log entry newer than `event_mark` and no rating newer than
    `rating_mark` concerns a ticket of that day, and the office's time zone and the payload
    format are unchanged; anything else is rebuilt from the tickets."""

    __tablename__ = "report_day"

    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    local_day: Mapped[date] = mapped_column(Date, primary_key=True)
    format: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64))
    event_mark: Mapped[int] = mapped_column(Integer)
    rating_mark: Mapped[int] = mapped_column(Integer)
    # Counts and list lengths per group (JSON); the groups' sorted milliseconds, zlib-packed.
    groups: Mapped[dict[str, Any]] = mapped_column()
    millis: Mapped[bytes] = mapped_column(LargeBinary)


class CounterPresence(Base):
    """When a counter's officer app was last heard from: any API request with its sign-in.

    Kept apart from the counter row, which calls lock, so that noting a request never waits
    for one; written a few times a minute at most (display_server.presence).
    """

    __tablename__ = "counter_presence"

    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column()


class PrintJobRecord(Base):
    """One print job: what to print (`document`, drawn again when needed) and how far it got.

    `state` is pending until the printer confirms the slip (printed) or the slip is no longer
    of use (dropped). `sent`: its bytes may already have reached the printer, so a restart
    sends it again marked as a reprint. Rows are written in the transaction that issues the
    ticket, so a ticket the kiosk announced as "will print" survives any restart.
    """

    __tablename__ = "print_job"
    __table_args__ = (Index("ix_print_job_state_kiosk", "state", "kiosk", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kiosk: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # "ticket" or "apology"
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), default=None)
    reprint: Mapped[bool] = mapped_column(Boolean, default=False)
    document: Mapped[dict[str, Any]] = mapped_column()
    state: Mapped[str] = mapped_column(String(16), default="pending")
    sent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column()
    settled_at: Mapped[datetime | None] = mapped_column(default=None)
