"""Sign-in and sign-out: a bearer token per officer, tied to the counter they sit at."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from typing import Any

from flask import Response, current_app, jsonify, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..auth import TOKEN_LIFETIME, issue_token, revoke_token, verify_officer
from ..models import StepOutcome, TicketStep
from ..queue.clock import local_day, local_time
from ..queue.counters import sign_in_at_counter, sign_out_of_counter
from ..queue.lookups import get_counter
from ..queue.views import counter_view, iso
from . import bp
from .context import (
    bearer_token,
    get_db,
    int_field,
    json_body,
    now,
    office,
    require_auth,
    text_field,
    write_action,
)
from .errors import ApiError

MAX_FAILURES = 5
FAILURE_WINDOW = 300.0


class LoginThrottle:
    """Refuses a username+address pair for a while after repeated failed sign-ins."""

    def __init__(self) -> None:
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], at: float) -> deque[float]:
        failures = self._failures[key]
        while failures and at - failures[0] > FAILURE_WINDOW:
            failures.popleft()
        return failures

    def blocked(self, key: tuple[str, str]) -> bool:
        with self._lock:
            return len(self._recent(key, time.monotonic())) >= MAX_FAILURES

    def failed(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._recent(key, time.monotonic()).append(time.monotonic())

    def succeeded(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._failures.pop(key, None)


def login_throttle() -> LoginThrottle:
    """This app's throttle (each app, and so each test, keeps its own count)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    throttle: LoginThrottle = app.extensions.setdefault("luot.login_throttle", LoginThrottle())
    return throttle


def _officer_json(officer: Any) -> dict[str, Any]:
    return {"username": officer.username, "full_name": officer.full_name, "role": officer.role}


@bp.post("/auth/login")
def login() -> tuple[Response, int]:
    """Sign in: {"username", "password", "counter"} → {"token", ...}; opens the counter."""
    body = json_body()
    username = text_field(body, "username", required=True, max_length=64) or ""
    password = body.get("password")
    if not isinstance(password, str) or not password or len(password) > 200:
        raise ApiError(422, "missing_field", "Thiếu trường {field}.", field="password")
    counter_number = int_field(body, "counter", maximum=9999)
    key = (username.lower(), request.remote_addr or "")
    throttle = login_throttle()
    if throttle.blocked(key):
        raise ApiError(
            429,
            "too_many_attempts",
            "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.",
            minutes=int(FAILURE_WINDOW // 60),
        )

    def action(session: Session) -> dict[str, Any]:
        the_office = office(session)
        officer = verify_officer(session, the_office, username, password)
        if officer is None:
            raise ApiError(401, "invalid_credentials", "Sai tên đăng nhập hoặc mật khẩu.")
        counter = None
        if counter_number is not None:
            get_counter(session, the_office, counter_number)
            counter = sign_in_at_counter(session, the_office, counter_number, officer, now())
        token = issue_token(session, officer, counter, now())
        session.flush()
        return {
            "token": token,
            "expires_at": iso(the_office, now() + TOKEN_LIFETIME),
            "officer": _officer_json(officer),
            "counter": counter_view(session, counter, private=True) if counter else None,
        }

    try:
        response = write_action(action)
    except ApiError as error:
        if error.code == "invalid_credentials":
            throttle.failed(key)
        raise
    throttle.succeeded(key)
    return response


@bp.post("/auth/logout")
def logout() -> tuple[Response, int]:
    """Sign out: the token stops working and the officer's counter closes."""

    def action(session: Session) -> dict[str, Any]:
        token = require_auth(session)
        counter = token.counter
        if counter is not None and counter.officer_id == token.officer_id:
            sign_out_of_counter(session, office(session), counter.number, token.officer, now())
        revoke_token(session, bearer_token() or "")
        return {"signed_out": True}

    return write_action(action)


@bp.get("/auth/me")
def me() -> Response:
    """Who the token belongs to, and their counter."""
    with get_db().read_session() as session:
        token = require_auth(session)
        counter = token.counter
        return jsonify(
            {
                "officer": _officer_json(token.officer),
                "counter": counter_view(session, counter, private=True) if counter else None,
                "expires_at": iso(office(session), token.expires_at),
            }
        )


@bp.get("/officers/me/today")
def my_day() -> Response:
    """The signed-in officer's day: served, no-shows, transfers, average service minutes."""
    with get_db().read_session() as session:
        token = require_auth(session)
        the_office = office(session)
        start_local = local_time(the_office, now()).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        rows = session.execute(
            select(TicketStep.outcome, func.count(TicketStep.id))
            .where(TicketStep.officer_id == token.officer_id, TicketStep.called_at >= start_local)
            .group_by(TicketStep.outcome)
        ).all()
        counts = {outcome: int(n) for outcome, n in rows}
        durations = session.execute(
            select(TicketStep.started_at, TicketStep.finished_at).where(
                TicketStep.officer_id == token.officer_id,
                TicketStep.called_at >= start_local,
                TicketStep.outcome == StepOutcome.DONE.value,
            )
        ).all()
        minutes = [
            (f - s).total_seconds() / 60 for s, f in durations if s is not None and f is not None
        ]
        return jsonify(
            {
                "day": local_day(the_office, now()).isoformat(),
                "served": counts.get(StepOutcome.DONE.value, 0),
                "no_show": counts.get(StepOutcome.NO_SHOW.value, 0),
                "transferred": counts.get(StepOutcome.TRANSFERRED.value, 0),
                "average_service_minutes": round(sum(minutes) / len(minutes), 1)
                if minutes
                else None,
            }
        )
