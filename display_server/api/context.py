"""What every route needs: the database, the office, the caller, a checked JSON body, the clock."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from flask import Response, current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..auth import Caller, resolve_caller, resolve_token
from ..db import Database
from ..models import AuthToken, Counter, IdempotencyRecord, Role, Ticket
from ..queue.clock import utc_now
from ..queue.journal import last_view
from ..queue.records import CounterRow, OfficeRow, TicketRow, find_office
from ..queue.views import ticket_view, with_base_url
from ..trust.clients import client_address
from ..trust.settings import security_settings
from .errors import ApiError
from .text_rules import refused

MAX_TEXT = 500
# Limits of fields several routes share (and the OpenAPI document states).
MAX_SERVICE = 8
MAX_KIOSK = 64
MAX_TOKEN = 64
LANGUAGES = ("vi", "en")
SIGN_IN_AGAIN = "Phiên đăng nhập không hợp lệ hoặc đã hết hạn. Hãy đăng nhập lại."
MAX_KEY = 128
# Idempotency keys are visible ASCII (spaces inside allowed): what HTTP carries unchanged.
KEY_CHARACTERS = frozenset(map(chr, range(0x20, 0x7F)))
MAX_INT = 2**31 - 1
INTEGER = re.compile(r"-?[0-9]{1,19}")


def get_db() -> Database:
    """The app's database."""
    db: Database = current_app.extensions["luot.db"]
    return db


def now() -> datetime:
    """The current time (tests may set LUOT_CLOCK to a function returning an aware datetime)."""
    clock: Callable[[], datetime] | None = current_app.config.get("LUOT_CLOCK")
    return clock() if clock else utc_now()


def ticket_answer(session: Session, ticket: Ticket | TicketRow) -> dict[str, Any]:
    """The ticket's full view for a write's caller (who issued it, holds its token, or is staff):
    the one its event was built from, made absolute."""
    view = last_view(session, ticket)
    if view is not None:
        return with_base_url(view, base_url())
    return ticket_view(session, ticket, base_url=base_url(), now=now())


def office(session: Session) -> OfficeRow:
    """The office this server hosts (a plain row: the routes only read it)."""
    return find_office(session)


def base_url() -> str:
    """This server's address as the client reached it, for links such as the status URL."""
    return request.host_url.rstrip("/")


# --- input ---------------------------------------------------------------------------------


def json_body(*, required: bool = True) -> dict[str, Any]:
    """The request body as a JSON object; a clear 400 for anything else."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise ApiError(400, "empty_body", "Thiếu nội dung JSON trong yêu cầu.")
        return {}
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, "invalid_json", "Nội dung gửi lên không phải JSON hợp lệ.") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", "Nội dung JSON phải là một đối tượng (object).")
    return body


def clean_text(value: str, field: str, max_length: int = MAX_TEXT) -> str:
    """NFC-normalised text, trimmed, without control or format characters (text_rules).

    At most `max_length` characters as sent, as the OpenAPI document's maxLength counts them,
    and after normalisation (which lengthens only a few rare characters).
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ApiError(
            422, "invalid_text", "Trường {field} chứa ký tự không hợp lệ.", field=field
        ) from exc
    text = unicodedata.normalize("NFC", value).strip()
    if any(refused(ch) for ch in text):
        raise ApiError(422, "invalid_text", "Trường {field} chứa ký tự không hợp lệ.", field=field)
    if max(len(value), len(text)) > max_length:
        raise ApiError(
            422, "too_long", "Trường {field} dài quá {max} ký tự.", field=field, max=max_length
        )
    return text


def text_field(
    body: dict[str, Any], field: str, *, required: bool = False, max_length: int = MAX_TEXT
) -> str | None:
    """A string field of the body, checked and cleaned."""
    value = body.get(field)
    if value is None:
        if required:
            raise ApiError(422, "missing_field", "Thiếu trường {field}.", field=field)
        return None
    if not isinstance(value, str):
        raise ApiError(422, "invalid_type", "Trường {field} phải là chuỗi ký tự.", field=field)
    text = clean_text(value, field, max_length)
    if required and not text:
        raise ApiError(422, "missing_field", "Thiếu trường {field}.", field=field)
    return text


def choice_field(
    body: dict[str, Any],
    field: str,
    choices: Collection[str],
    *,
    required: bool = False,
    code: str | None = None,
    message: str = "Trường {field} phải là một trong: {choices}.",
) -> str | None:
    """A field that must be exactly one of `choices` (the document's enum); None if absent.

    `message` may use {field}, {value} and {choices}."""
    value = body.get(field)
    if value is None:
        if required:
            raise ApiError(422, "missing_field", "Thiếu trường {field}.", field=field)
        return None
    if not isinstance(value, str):
        raise ApiError(422, "invalid_type", "Trường {field} phải là chuỗi ký tự.", field=field)
    if value not in choices:
        raise ApiError(
            422,
            code or f"invalid_{field}",
            message,
            field=field,
            value=value[:40],
            choices=", ".join(choices)[:300],
        )
    return value


def int_field(
    body: dict[str, Any],
    field: str,
    *,
    required: bool = False,
    minimum: int = 1,
    maximum: int = MAX_INT,
) -> int | None:
    """A whole-number field within [minimum, maximum] (2.0 counts, as in JSON Schema)."""
    value = body.get(field)
    if value is None:
        if required:
            raise ApiError(422, "missing_field", "Thiếu trường {field}.", field=field)
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise _invalid_number(field, minimum, maximum)
    return value


def int_arg(
    name: str, default: int | None, *, minimum: int = 1, maximum: int = MAX_INT
) -> int | None:
    """A whole-number query parameter within [minimum, maximum]; `default` when absent."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not INTEGER.fullmatch(raw) or not minimum <= int(raw) <= maximum:
        raise _invalid_number(name, minimum, maximum)
    return int(raw)


def _invalid_number(field: str, minimum: int, maximum: int) -> ApiError:
    return ApiError(
        422,
        "invalid_number",
        "Trường {field} phải là số nguyên từ {min} đến {max}.",
        field=field,
        min=minimum,
        max=maximum,
    )


# --- callers -------------------------------------------------------------------------------


def bearer_token() -> str | None:
    """The raw bearer token of the request, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def staff_signed_in(session: Session) -> bool:
    """Whether the request carries a live bearer token: staff may read tickets' private fields.

    A dead or unknown token is no error here: public reads answer everyone, in public form.
    """
    raw = bearer_token()
    return raw is not None and resolve_caller(session, raw, now()) is not None


def require_auth(session: Session) -> AuthToken:
    """The caller's live token, or 401."""
    raw = bearer_token()
    token = resolve_token(session, raw, now()) if raw else None
    if token is None:
        raise ApiError(401, "unauthorized", SIGN_IN_AGAIN)
    return token


def require_counter_access(session: Session, counter: Counter | CounterRow) -> Caller:
    """The caller may act at `counter`: signed in there, or a supervisor/admin."""
    raw = bearer_token()
    caller = resolve_caller(session, raw, now()) if raw else None
    if caller is None:
        raise ApiError(401, "unauthorized", SIGN_IN_AGAIN)
    if caller.officer.role in (Role.SUPERVISOR.value, Role.ADMIN.value):
        return caller
    if caller.counter_id != counter.id:
        raise ApiError(
            403,
            "not_your_counter",
            "Bạn không đăng nhập tại quầy {counter}.",
            counter=counter.number,
        )
    return caller


def require_role(session: Session, *roles: str) -> AuthToken:
    """The caller has one of `roles`, or 403."""
    token = require_auth(session)
    if token.officer.role not in roles:
        raise ApiError(403, "forbidden", "Không có quyền thực hiện thao tác này.")
    return token


# --- writes --------------------------------------------------------------------------------


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY or not KEY_CHARACTERS.issuperset(key):
        raise ApiError(
            400,
            "invalid_idempotency_key",
            "Idempotency-Key phải là chuỗi in được, tối đa {max} ký tự.",
            max=MAX_KEY,
        )
    return key


def _scope() -> str:
    """Whose Idempotency-Keys these are: a replay answers only the caller that made the write.

    A replayed answer can hold a ticket's secret token, so anonymous callers do not share one
    scope: a kiosk is scoped by its device key, anyone else by their client address. Secrets
    are kept as digests, never as given.
    """
    raw = bearer_token()
    if raw:
        return "bearer:" + hashlib.sha256(raw.encode()).hexdigest()[:32]
    device = request.headers.get("X-Device-Key", "").strip()
    if device:
        return "device:" + hashlib.sha256(device.encode()).hexdigest()[:32]
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return "address:" + client_address(request, security_settings(app).trusted_proxies)[:50]


def write_action(
    action: Callable[[Session], dict[str, Any]],
    *,
    status: int = 200,
    staff_only: bool = False,
    replayable: bool = True,
) -> tuple[Response, int]:
    """Run `action` in one write transaction; with an Idempotency-Key a retry replays the answer."""
    outcome = write_outcome(action, status=status, staff_only=staff_only, replayable=replayable)
    if isinstance(outcome, tuple):
        return outcome
    return jsonify(outcome), status


def write_outcome(
    action: Callable[[Session], dict[str, Any]],
    *,
    status: int = 200,
    staff_only: bool = False,
    replayable: bool = True,
) -> dict[str, Any] | tuple[Response, int]:
    """`write_action`'s work: the action's fresh result, or the stored answer it replays.

    `staff_only`: no bearer token is a 401 before any key is looked at (a key is no identity).
    `replayable=False`: the key is ignored, for answers that must never be stored (a sign-in's
    bearer token would sit in the table in clear, replayed to whoever sends the same key).
    """
    if staff_only and bearer_token() is None:
        raise ApiError(401, "unauthorized", SIGN_IN_AGAIN)
    key = _idempotency_key() if replayable else None
    signature = f"{request.method} {request.path}"
    db = get_db()
    if key is not None:
        with db.read_session() as session:
            replay = _stored(session, key, signature)
        if replay is not None:
            return replay
    try:
        with db.write_session() as session:
            if key is not None:
                replay = _stored(session, key, signature)
                if replay is not None:
                    return replay
            result = action(session)
            if key is not None:
                session.add(
                    IdempotencyRecord(
                        scope=_scope(),
                        key=key,
                        request=signature,
                        status_code=status,
                        response=result,
                        created_at=now(),
                    )
                )
    except IntegrityError:
        # Two requests with one key raced; the first one's answer stands.
        if key is None:
            raise
        with db.read_session() as session:
            replay = _stored(session, key, signature)
        if replay is None:
            raise
        return replay
    return result


def _stored(session: Session, key: str, signature: str) -> tuple[Response, int] | None:
    record = session.scalars(
        select(IdempotencyRecord).where(
            IdempotencyRecord.scope == _scope(), IdempotencyRecord.key == key
        )
    ).first()
    if record is None:
        return None
    if record.request != signature:
        # A conflict with what the key already stands for (409), not a malformed request:
        # the same key is well formed, only its history says no.
        raise ApiError(
            409, "idempotency_key_reused", "Idempotency-Key này đã dùng cho một thao tác khác."
        )
    response = jsonify(record.response)
    response.headers["Idempotent-Replayed"] = "true"
    return response, record.status_code
