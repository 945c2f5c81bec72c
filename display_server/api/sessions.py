"""Sign-in and sign-out: a bearer token per officer, tied to the counter they sit at."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..auth import (
    CHANGE_FIRST_MESSAGE,
    MIN_PASSWORD,
    TOKEN_LIFETIME,
    TOO_SHORT_MESSAGE,
    Credentials,
    confirm_officer,
    hash_password,
    issue_token,
    new_password_problem,
    revoke_token,
    set_own_password,
)
from ..models import StepOutcome, TicketStep
from ..queue.clock import local_day, local_time
from ..queue.counters import sign_in_at_counter, sign_out_of_counter
from ..queue.lookups import get_counter
from ..queue.views import counter_view, iso
from ..trust.clients import client_address
from ..trust.settings import security_settings
from ..trust.signin_throttle import (
    Attempt,
    SignInBlocked,
    SignInRefused,
    check_attempt,
    signin_throttle,
)
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
from .counters import MAX_COUNTER
from .errors import ApiError, error_response

MAX_USERNAME = 64
MAX_PASSWORD = 200
WRONG_CREDENTIALS = "Sai tên đăng nhập hoặc mật khẩu."


def _officer_json(officer: Any) -> dict[str, Any]:
    return {"username": officer.username, "full_name": officer.full_name, "role": officer.role}


def _too_many(blocked: SignInBlocked) -> tuple[Response, int]:
    """429 with Retry-After: the throttle refuses this username or this address for now."""
    response = error_response(
        429,
        "too_many_attempts",
        "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.",
        minutes=blocked.minutes,
    )
    response.headers["Retry-After"] = str(blocked.retry_after)
    return response, 429


def _new_password(body: dict[str, Any]) -> str | None:
    """The body's "new_password" (the officer's own, replacing a first password), if any."""
    value = body.get("new_password")
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_PASSWORD:
        raise ApiError(
            422, "invalid_type", "Trường {field} phải là chuỗi ký tự.", field="new_password"
        )
    if len(value) < MIN_PASSWORD:
        raise ApiError(422, "unfit_password", TOO_SHORT_MESSAGE, min=MIN_PASSWORD)
    return value


def _own_password_hash(credentials: Credentials, password: str, new: str | None) -> str | None:
    """For an officer still on the site file's first password: the hash of the new one they
    give (hashed here, outside any transaction); 403 when they give none, 422 when unfit."""
    if not credentials.must_change:
        return None
    if new is None:
        raise ApiError(403, "password_change_required", CHANGE_FIRST_MESSAGE)
    problem = new_password_problem(password, new)
    if problem is not None:
        raise ApiError(422, "unfit_password", problem[0], **problem[1])
    return hash_password(new)


@bp.post("/auth/login")
def login() -> tuple[Response, int]:
    """Sign in: {"username", "password", "counter"} → {"token", ...}; opens the counter.

    An officer whose password is still the site file's first one must also send
    "new_password" (their own): without it the answer is 403 password_change_required.
    The passwords are checked and hashed with no transaction open; only the short write that
    issues the token holds the database's write lock.
    """
    body = json_body()
    username = text_field(body, "username", required=True, max_length=MAX_USERNAME) or ""
    password = body.get("password")
    if not isinstance(password, str) or not password or len(password) > MAX_PASSWORD:
        raise ApiError(422, "missing_field", "Thiếu trường {field}.", field="password")
    counter_number = int_field(body, "counter", maximum=MAX_COUNTER)
    new_password = _new_password(body)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    address = client_address(request, security_settings(app).trusted_proxies)
    attempt = Attempt(username, address, "api", now())
    throttle = signin_throttle(app)
    db = get_db()
    try:
        credentials = check_attempt(db, throttle, attempt, password)
    except SignInBlocked as blocked:
        return _too_many(blocked)
    except SignInRefused:
        raise ApiError(401, "invalid_credentials", WRONG_CREDENTIALS) from None
    try:
        own_hash = _own_password_hash(credentials, password, new_password)
    except ApiError:
        throttle.release(db, attempt)  # the password was right: the attempt counts for nothing
        raise

    def action(session: Session) -> dict[str, Any]:
        officer = confirm_officer(session, credentials)
        if officer is None:  # deactivated or given a new password while the hash was checked
            raise ApiError(401, "invalid_credentials", WRONG_CREDENTIALS)
        throttle.succeeded(session, attempt)
        if own_hash is not None:
            set_own_password(officer, own_hash)
        the_office = office(session)
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
        return write_action(action, replayable=False)
    except Exception as error:
        wrong = isinstance(error, ApiError) and error.code == "invalid_credentials"
        # Otherwise the password was right (a counter was not): the attempt counts for nothing.
        (throttle.failed if wrong else throttle.release)(db, attempt)
        raise


@bp.post("/auth/logout")
def logout() -> tuple[Response, int]:
    """Sign out: the token stops working and the officer's counter closes."""
    json_body(required=False)  # `{}`; anything but a JSON object is a malformed write

    def action(session: Session) -> dict[str, Any]:
        token = require_auth(session)
        counter = token.counter
        if counter is not None and counter.officer_id == token.officer_id:
            sign_out_of_counter(session, office(session), counter.number, token.officer, now())
        revoke_token(session, bearer_token() or "")
        return {"signed_out": True}

    return write_action(action, staff_only=True)


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
