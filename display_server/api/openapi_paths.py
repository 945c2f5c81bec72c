"""The core API's operations in the OpenAPI document: what each route takes and answers.

Request fields state the limits the routes enforce (api/context.py's field readers); answers
every route may give (431, 503, and 400/413/415 for writes) are added by openapi_fields.
"""

from __future__ import annotations

from typing import Any

from ..auth import MIN_PASSWORD
from .context import LANGUAGES, MAX_KIOSK, MAX_SERVICE, MAX_TOKEN
from .counters import MAX_COUNTER, MAX_NUMBER, MAX_REASON, POSITIONS
from .openapi_fields import (
    EMPTY_BODY,
    ERROR,
    IDEMPOTENT,
    body,
    choice,
    error,
    integer,
    json_response,
    path_id,
    ref,
    text,
)
from .sessions import MAX_PASSWORD, MAX_USERNAME
from .ticket_schemas import ANY_TICKET, STAFF_SEES_MORE
from .tickets import CHANNELS, PRIORITY_CHOICES

ERRORS = {
    401: error("no valid bearer token"),
    403: error("not allowed for this officer or counter"),
    404: error("unknown ticket, counter or service"),
    409: error("the action does not fit the current state (empty queue, counter busy, hours…)"),
    422: error("a field has the wrong type or value"),
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "whole seconds until the client may try again",
        "schema": {"type": "integer", "minimum": 1},
    }
}


def operation(
    summary: str,
    response: dict[str, Any],
    *,
    status: str = "200",
    errors: tuple[int, ...] = (),
    request: dict[str, Any] | None = None,
    auth: bool = False,
    idempotent: bool = False,
    parameters: list[dict[str, Any]] | None = None,
    **more: Any,
) -> dict[str, Any]:
    """One operation: its answer, the shared errors it names, its body and parameters."""
    op: dict[str, Any] = {
        "summary": summary,
        "responses": {status: response, **{str(e): ERRORS[e] for e in errors}},
        **more,
    }
    if request is not None:
        op["requestBody"] = request
    if auth:
        op["security"] = [{"bearer": []}]
    params = [*(parameters or []), *([IDEMPOTENT] if idempotent else [])]
    if params:
        op["parameters"] = params
    return op


def public_read(summary: str, response: dict[str, Any], **options: Any) -> dict[str, Any]:
    """A read open to everyone, where a staff bearer token adds tickets' private fields."""
    return operation(
        summary, response, description=STAFF_SEES_MORE, security=[{}, {"bearer": []}], **options
    )


COUNTER = path_id("number", "the counter's number")
TICKET = path_id("ticket_id")
TOKEN = {
    "name": "token",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "maxLength": MAX_TOKEN},
}


def counter_action(
    summary: str, request: dict[str, Any] = EMPTY_BODY, *, answers_counter: bool = False
) -> dict[str, Any]:
    """An officer's action at a counter: signed in there, or a supervisor."""
    errors = (401, 403, 404, 409) if request is EMPTY_BODY else (401, 403, 404, 409, 422)
    answer = json_response(ref("Counter" if answers_counter else "Ticket"))
    return {
        "post": operation(
            summary,
            answer,
            errors=errors,
            request=request,
            auth=True,
            idempotent=True,
            parameters=[COUNTER],
        )
    }


HEALTH = operation(
    "Liveness (?deep=1 also checks that the database would store a write)",
    json_response(ref("Health")),
    parameters=[
        {
            "name": "deep",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "examples": ["1"]},
            "description": "any value: also read, then write and roll back (503 if refused)",
        }
    ],
)
HEALTH["responses"]["503"] = json_response(
    {"anyOf": [ref("HealthUnavailable"), ERROR]},
    "?deep=1: storage cannot take a write now (full, read-only…); or `luot serve` is busy",
)

ISSUE_TICKET = operation(
    "Issue a ticket",
    json_response(ref("Ticket"), "the new ticket"),
    status="201",
    errors=(404, 409, 422),
    idempotent=True,
    request=body(
        {
            "service": text(MAX_SERVICE, required=True, examples=["A"]),
            "priority": choice(PRIORITY_CHOICES, description="with-infant = with_infant"),
            "channel": choice(CHANNELS, description="absent: kiosk"),
            "kiosk": text(
                MAX_KIOSK,
                description="with a kiosk's key: that kiosk (or omitted); without one it is "
                "only recorded, nothing prints",
            ),
            "lang": choice(LANGUAGES, description="the printed ticket's language"),
        },
        required=["service"],
    ),
    description=(
        "A paired kiosk sends its X-Device-Key: it issues without limits, at its own kiosk, "
        "and its printer prints the ticket. Signed-in staff (bearer) issue without limits and "
        "print nowhere. Anyone else is anonymous: `[security] anonymous_tickets_per_minute` "
        "(default 3) per client address, then 429 with Retry-After and nothing issued."
    ),
    security=[{"deviceKey": []}, {"bearer": []}, {}],
)
ISSUE_TICKET["responses"] |= {
    "401": error("unknown or revoked X-Device-Key, or a bad token"),
    "403": error("the device key is not a kiosk's, or belongs to another kiosk"),
    "429": {
        **error("this client address used up its anonymous tickets for now"),
        "headers": RETRY_AFTER,
    },
}

SIGN_IN = operation(
    "Sign in (at a counter, which opens it)",
    json_response(ref("Login")),
    errors=(401, 403, 404, 409, 422),
    request=body(
        {
            "username": text(MAX_USERNAME, required=True),
            "password": {"type": "string", "minLength": 1, "maxLength": MAX_PASSWORD},
            "counter": integer(1, MAX_COUNTER),
            "new_password": {
                "type": ["string", "null"],
                "minLength": MIN_PASSWORD,
                "maxLength": MAX_PASSWORD,
                "description": "the officer's own password, replacing a first one from the site "
                "file (403 password_change_required without it; 422 unfit_password when shorter "
                "than 8 or unchanged)",
            },
        },
        required=["username", "password"],
    ),
)
SIGN_IN["responses"]["429"] = {
    **error(
        "too many failed sign-ins for this username from this address, or from this address "
        "(limits: [security] signin_failures_per_user, signin_failures_per_address, "
        "signin_window_minutes)"
    ),
    "headers": RETRY_AFTER,
}

CALL_GIVEN = body(
    {
        "ticket": integer(description="the ticket's id"),
        "number": text(MAX_NUMBER, description="today's ticket number, e.g. A012"),
    },
    anyOf=[
        {"required": ["ticket"], "properties": {"ticket": {"type": "integer"}}},
        {"required": ["number"], "properties": {"number": text(MAX_NUMBER, required=True)}},
    ],
    description="the ticket's id, or its number (the id wins when both are given)",
)

PATHS: dict[str, Any] = {
    "/api/v1/health": {"get": HEALTH},
    "/api/v1/openapi.json": {"get": operation("This document", json_response({"type": "object"}))},
    "/api/v1/services": {
        "get": operation(
            "Services, whether each issues tickets now, and how many wait",
            json_response(
                {
                    "type": "object",
                    "required": ["services"],
                    "properties": {"services": {"type": "array", "items": ref("Service")}},
                }
            ),
        )
    },
    "/api/v1/tickets": {"post": ISSUE_TICKET},
    "/api/v1/tickets/{ticket_id}": {
        "get": public_read(
            "One ticket", json_response(ANY_TICKET), errors=(404,), parameters=[TICKET]
        )
    },
    "/api/v1/tickets/token/{token}": {
        "get": operation(
            "The ticket behind a status-page token (in full: the caller holds its token)",
            json_response(ref("Ticket")),
            errors=(404,),
            parameters=[TOKEN],
        )
    },
    "/api/v1/tickets/{ticket_id}/cancel": {
        "post": operation(
            "Cancel a waiting ticket (officer token, or the ticket's token in the body)",
            json_response(ref("Ticket")),
            errors=(401, 404, 409, 422),
            idempotent=True,
            request=body({"token": text(MAX_TOKEN, description="the ticket's token")}),
            parameters=[TICKET],
            security=[{"bearer": []}, {}],
        )
    },
    "/api/v1/auth/login": {"post": SIGN_IN},
    "/api/v1/auth/logout": {
        "post": operation(
            "Sign out (closes the officer's counter)",
            json_response({"type": "object", "properties": {"signed_out": {"const": True}}}),
            errors=(401, 409),
            request=EMPTY_BODY,
            auth=True,
            idempotent=True,
        )
    },
    "/api/v1/auth/me": {
        "get": operation(
            "Who the token belongs to, and their counter",
            json_response(ref("Me")),
            errors=(401,),
            auth=True,
        )
    },
    "/api/v1/officers/me/today": {
        "get": operation(
            "The signed-in officer's day",
            json_response(ref("OfficerDay")),
            errors=(401,),
            auth=True,
        )
    },
    "/api/v1/counters": {
        "get": public_read(
            "Every counter",
            json_response(
                {
                    "type": "object",
                    "required": ["counters"],
                    "properties": {"counters": {"type": "array", "items": ref("Counter")}},
                }
            ),
        )
    },
    "/api/v1/counters/{number}": {
        "get": public_read(
            "One counter", json_response(ref("Counter")), errors=(404,), parameters=[COUNTER]
        )
    },
    "/api/v1/counters/{number}/call-next": counter_action(
        "Call the next citizen (priority policy, then service order, then arrival)"
    ),
    "/api/v1/counters/{number}/call": counter_action(
        "Call a given ticket (or a no-show within the grace window)", CALL_GIVEN
    ),
    "/api/v1/counters/{number}/recall": counter_action("Call the current ticket again"),
    "/api/v1/counters/{number}/start": counter_action("Start service"),
    "/api/v1/counters/{number}/finish": counter_action(
        "Finish service (a bundled procedure continues at its next service)"
    ),
    "/api/v1/counters/{number}/no-show": counter_action("The called citizen did not come"),
    "/api/v1/counters/{number}/transfer": counter_action(
        "Send the citizen to another service or counter, keeping the number",
        body(
            {
                "service": text(MAX_SERVICE, required=True),
                "position": choice(POSITIONS, description="absent: front"),
                "counter": integer(1, MAX_COUNTER, description="a counter serving the service"),
            },
            required=["service"],
        ),
    ),
    "/api/v1/counters/{number}/pause": counter_action(
        "Pause with a reason",
        body({"reason": text(MAX_REASON, required=True)}, required=["reason"]),
        answers_counter=True,
    ),
    "/api/v1/counters/{number}/resume": counter_action(
        "Resume after a pause", answers_counter=True
    ),
    "/api/v1/counters/{number}/open": counter_action("Open the counter", answers_counter=True),
    "/api/v1/counters/{number}/close": counter_action("Close the counter", answers_counter=True),
    "/api/v1/queue": {
        "get": public_read(
            "Waiting per service, each counter's call, recent calls", json_response(ref("Queue"))
        )
    },
}
