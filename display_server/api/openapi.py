"""The OpenAPI 3.1 document: every endpoint of the JSON API and the shapes it answers with.

Schemas are JSON Schema 2020-12 (OpenAPI 3.1), so tests validate real responses against them.
Features (printing, voice, screens, reports) add their paths with `add_paths`.
"""

from __future__ import annotations

import copy
from typing import Any

from flask import Flask, Response, current_app, jsonify

from .. import __version__
from . import bp
from .ticket_schemas import ANY_TICKET, STAFF_SEES_MORE, TICKET_SCHEMAS

NULLABLE_STR = {"type": ["string", "null"]}
NULLABLE_INT = {"type": ["integer", "null"]}
TIME = {"type": ["string", "null"], "format": "date-time"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "stable machine-readable code"},
            "message": {"type": "string", "description": "sentence for people (vi / en)"},
        },
    },
    "Health": {
        "type": "object",
        "required": ["status", "version"],
        "properties": {
            "status": {"const": "ok"},
            "version": {"type": "string"},
            "database": {"type": "string"},
            "backup": {
                "type": "object",
                "description": "with ?deep=1 when the site file has [backup]: the daily backup",
                "required": ["state", "dir", "last_success", "last_file", "last_error"],
                "properties": {
                    "state": {"enum": ["ok", "running", "failed", "overdue", "never"]},
                    "dir": {"type": "string"},
                    "last_success": {"type": ["string", "null"], "format": "date-time"},
                    "last_file": {"type": ["string", "null"]},
                    "last_error": {"type": ["string", "null"]},
                },
            },
        },
    },
    "HealthUnavailable": {
        "type": "object",
        "required": ["status", "version", "database", "error", "reason", "message"],
        "properties": {
            "status": {"const": "unavailable"},
            "version": {"type": "string"},
            "database": {"type": "string"},
            "error": {"const": "storage_unavailable"},
            "reason": {"enum": ["disk_full", "read_only", "io_error", "unreachable"]},
            "message": {"type": "string", "description": "sentence for people (vi / en)"},
        },
    },
    "Issuing": {
        "type": "object",
        "required": ["open", "reason", "message"],
        "properties": {
            "open": {"type": "boolean"},
            "reason": NULLABLE_STR,
            "message": NULLABLE_STR,
        },
    },
    "Service": {
        "type": "object",
        "required": ["code", "name", "name_en", "active", "waiting", "issuing"],
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "name_en": {"type": "string"},
            "active": {"type": "boolean"},
            "issue_start": NULLABLE_STR,
            "issue_end": NULLABLE_STR,
            "daily_limit": NULLABLE_INT,
            "target_wait_minutes": NULLABLE_INT,
            "follow_up": {"type": "array", "items": {"type": "string"}},
            "waiting": {"type": "integer"},
            "issuing": _ref("Issuing"),
        },
    },
    "OfficerRef": {
        "type": ["object", "null"],
        "required": ["username", "full_name"],
        "properties": {"username": {"type": "string"}, "full_name": {"type": "string"}},
    },
    "Step": {
        "type": "object",
        "required": [
            "id",
            "position",
            "service",
            "counter",
            "officer",
            "queued_at",
            "called_at",
            "recall_count",
            "started_at",
            "finished_at",
            "outcome",
        ],
        "properties": {
            "id": {"type": "integer"},
            "position": {"type": "integer"},
            "service": {"type": "string"},
            "counter": NULLABLE_INT,
            "officer": _ref("OfficerRef"),
            "queued_at": TIME,
            "called_at": TIME,
            "recall_count": {"type": "integer"},
            "started_at": TIME,
            "finished_at": TIME,
            "outcome": {"enum": ["pending", "done", "no_show", "transferred", "cancelled"]},
        },
    },
    **TICKET_SCHEMAS,
    "Counter": {
        "type": "object",
        "required": ["number", "name", "state", "pause_reason", "services", "officer"],
        "properties": {
            "number": {"type": "integer"},
            "name": {"type": "string"},
            "state": {"enum": ["closed", "open", "paused"]},
            "pause_reason": NULLABLE_STR,
            "silent": {
                "type": "boolean",
                "description": "open or paused, but its officer's app has not been heard from "
                "for [presence] silent_after_seconds: it calls nobody",
            },
            "services": {"type": "array", "items": {"type": "string"}},
            "officer": _ref("OfficerRef"),
            "current_ticket": {
                "oneOf": [_ref("Ticket"), _ref("PublicTicket"), {"type": "null"}],
                "description": "Ticket for signed-in staff, PublicTicket for everyone else",
            },
        },
    },
    "Queue": {
        "type": "object",
        "required": ["day", "updated_at", "services", "counters", "recent_calls"],
        "properties": {
            "day": {"type": "string", "format": "date"},
            "updated_at": {"type": "string"},
            "services": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "waiting", "longest_wait_minutes", "tickets"],
                    "properties": {
                        "code": {"type": "string"},
                        "waiting": {"type": "integer"},
                        "priority_waiting": {"type": "integer"},
                        "longest_wait_minutes": {"type": "number"},
                        "target_wait_minutes": NULLABLE_INT,
                        "past_target": {"type": "integer"},
                        "tickets": {"type": "array", "items": _ref("WaitingTicket")},
                    },
                },
            },
            "counters": {"type": "array", "items": _ref("Counter")},
            "recent_calls": {"type": "array", "items": _ref("RecentCall")},
        },
    },
    "Login": {
        "type": "object",
        "required": ["token", "expires_at", "officer", "counter"],
        "properties": {
            "token": {"type": "string"},
            "expires_at": {"type": "string"},
            "officer": {
                "type": "object",
                "required": ["username", "full_name", "role"],
                "properties": {
                    "username": {"type": "string"},
                    "full_name": {"type": "string"},
                    "role": {"enum": ["officer", "supervisor", "admin"]},
                },
            },
            "counter": {"oneOf": [_ref("Counter"), {"type": "null"}]},
        },
    },
    "OfficerDay": {
        "type": "object",
        "required": ["day", "served", "no_show", "transferred", "average_service_minutes"],
        "properties": {
            "day": {"type": "string"},
            "served": {"type": "integer"},
            "no_show": {"type": "integer"},
            "transferred": {"type": "integer"},
            "average_service_minutes": {"type": ["number", "null"]},
        },
    },
}

ERRORS = {
    str(code): {
        "description": text,
        "content": {"application/json": {"schema": _ref("Error")}},
    }
    for code, text in [
        (400, "malformed request (not JSON, not an object, bad Idempotency-Key)"),
        (401, "no valid bearer token"),
        (403, "not allowed for this officer or counter"),
        (404, "unknown ticket, counter or service"),
        (409, "the action does not fit the current state (empty queue, counter busy, hours…)"),
        (413, "body larger than 64 KiB"),
        (422, "a field has the wrong type or value"),
        (429, "too many failed sign-ins"),
        (503, "storage_unavailable: the disk is full or the database read-only or unreachable"),
    ]
}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _op(
    summary: str,
    response: dict[str, Any],
    *,
    status: str = "200",
    errors: tuple[int, ...] = (),
    body: dict[str, Any] | None = None,
    auth: bool = False,
    idempotent: bool = False,
    parameters: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "responses": {status: response, **{str(e): ERRORS[str(e)] for e in errors}},
    }
    if body is not None:
        op["requestBody"] = body
    if auth:
        op["security"] = [{"bearer": []}]
    params = list(parameters or [])
    if idempotent:
        params.append({"$ref": "#/components/parameters/IdempotencyKey"})
    if params:
        op["parameters"] = params
    return op


def _public_read(summary: str, response: dict[str, Any], **options: Any) -> dict[str, Any]:
    """A read open to everyone, where a staff bearer token adds tickets' private fields."""
    op = _op(summary, response, **options)
    op["description"] = STAFF_SEES_MORE
    op["security"] = [{}, {"bearer": []}]
    return op


def _with_response(op: dict[str, Any], status: str, response: dict[str, Any]) -> dict[str, Any]:
    """`op` with one more response (one that needs more than the shared error's description)."""
    op["responses"][status] = response
    return op


COUNTER_PARAM = {"name": "number", "in": "path", "required": True, "schema": {"type": "integer"}}
TICKET_PARAM = {"name": "ticket_id", "in": "path", "required": True, "schema": {"type": "integer"}}
TICKET_ACTION_ERRORS = (400, 401, 403, 404, 409, 422)


def _counter_action(
    summary: str, body: dict[str, Any] | None = None, counter: bool = False
) -> dict[str, Any]:
    return {
        "post": _op(
            summary,
            _json(_ref("Counter" if counter else "Ticket")),
            errors=TICKET_ACTION_ERRORS,
            body=body,
            auth=True,
            idempotent=True,
            parameters=[COUNTER_PARAM],
        )
    }


HEALTH = _op(
    "Liveness (?deep=1 also checks that the database would store a write)",
    _json(_ref("Health")),
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
HEALTH["responses"]["503"] = _json(
    _ref("HealthUnavailable"), "?deep=1: storage cannot take a write now (full, read-only…)"
)

RETRY_AFTER = {
    "description": "whole seconds until the client may issue again",
    "schema": {"type": "integer", "minimum": 1},
}
ISSUE_TICKET: dict[str, Any] = {
    **_op(
        "Issue a ticket",
        _json(_ref("Ticket"), "the new ticket"),
        status="201",
        errors=(400, 404, 409, 413, 422, 503),
        idempotent=True,
        body=_body(
            {
                "type": "object",
                "required": ["service"],
                "properties": {
                    "service": {"type": "string", "maxLength": 8, "examples": ["A"]},
                    "priority": {"type": "string", "maxLength": 32, "examples": ["elderly"]},
                    "channel": {"enum": ["kiosk", "web", "counter", "phone"]},
                    "kiosk": {
                        "type": "string",
                        "maxLength": 64,
                        "description": "with a kiosk's key: that kiosk (or omitted); without "
                        "one it is only recorded, nothing prints",
                    },
                    "lang": {"enum": ["vi", "en"]},
                },
            }
        ),
    ),
    "description": (
        "A paired kiosk sends its X-Device-Key: it issues without limits, at its own kiosk, "
        "and its printer prints the ticket. Signed-in staff (bearer) issue without limits and "
        "print nowhere. Anyone else is anonymous: `[security] anonymous_tickets_per_minute` "
        "(default 3) per client address, then 429 with Retry-After and nothing issued."
    ),
    "security": [{"deviceKey": []}, {"bearer": []}, {}],
}
ISSUE_TICKET["responses"] |= {
    "401": {**ERRORS["401"], "description": "unknown or revoked X-Device-Key, or a bad token"},
    "403": {
        **ERRORS["403"],
        "description": "the device key is not a kiosk's, or belongs to another kiosk",
    },
    "415": {**ERRORS["400"], "description": "the body is not application/json"},
    "429": {
        **ERRORS["429"],
        "description": "this client address used up its anonymous tickets for now",
        "headers": {"Retry-After": RETRY_AFTER},
    },
}

PATHS: dict[str, Any] = {
    "/api/v1/health": {"get": HEALTH},
    "/api/v1/openapi.json": {"get": _op("This document", _json({"type": "object"}))},
    "/api/v1/services": {
        "get": _op(
            "Services, whether each issues tickets now, and how many wait",
            _json(
                {
                    "type": "object",
                    "required": ["services"],
                    "properties": {"services": {"type": "array", "items": _ref("Service")}},
                }
            ),
        )
    },
    "/api/v1/tickets": {"post": ISSUE_TICKET},
    "/api/v1/tickets/{ticket_id}": {
        "get": _public_read(
            "One ticket", _json(ANY_TICKET), errors=(404,), parameters=[TICKET_PARAM]
        )
    },
    "/api/v1/tickets/token/{token}": {
        "get": _op(
            "The ticket behind a status-page token (in full: the caller holds its token)",
            _json(_ref("Ticket")),
            errors=(404,),
            parameters=[
                {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
        )
    },
    "/api/v1/tickets/{ticket_id}/cancel": {
        "post": _op(
            "Cancel a waiting ticket (officer token, or the ticket's token in the body)",
            _json(_ref("Ticket")),
            errors=(400, 401, 404, 409, 422),
            idempotent=True,
            body=_body({"type": "object", "properties": {"token": {"type": "string"}}}, False),
            parameters=[TICKET_PARAM],
        )
    },
    "/api/v1/auth/login": {
        "post": _with_response(
            _op(
                "Sign in (at a counter, which opens it)",
                _json(_ref("Login")),
                errors=(400, 401, 403, 404, 409, 422),
                body=_body(
                    {
                        "type": "object",
                        "required": ["username", "password"],
                        "properties": {
                            "username": {"type": "string", "minLength": 1, "maxLength": 64},
                            "password": {"type": "string", "minLength": 1, "maxLength": 200},
                            "counter": {"type": "integer", "minimum": 1, "maximum": 9999},
                            "new_password": {
                                "type": "string",
                                "minLength": 8,
                                "maxLength": 200,
                                "description": "the officer's own password, replacing a first "
                                "one from the site file (403 password_change_required without "
                                "it; 422 unfit_password when shorter than 8 or unchanged)",
                            },
                        },
                    }
                ),
            ),
            "429",
            {
                "description": "too many failed sign-ins for this username from this address, "
                "or from this address (limits: [security] signin_failures_per_user, "
                "signin_failures_per_address, signin_window_minutes)",
                "headers": {
                    "Retry-After": {
                        "description": "seconds until a sign-in may be tried again",
                        "schema": {"type": "integer", "minimum": 1},
                    }
                },
                "content": {"application/json": {"schema": _ref("Error")}},
            },
        )
    },
    "/api/v1/auth/logout": {
        "post": _op(
            "Sign out (closes the officer's counter)",
            _json({"type": "object", "properties": {"signed_out": {"const": True}}}),
            errors=(401, 409),
            auth=True,
        )
    },
    "/api/v1/auth/me": {
        "get": _op("Who the token belongs to", _json({"type": "object"}), errors=(401,), auth=True)
    },
    "/api/v1/officers/me/today": {
        "get": _op(
            "The signed-in officer's day", _json(_ref("OfficerDay")), errors=(401,), auth=True
        )
    },
    "/api/v1/counters": {
        "get": _public_read(
            "Every counter",
            _json(
                {
                    "type": "object",
                    "required": ["counters"],
                    "properties": {"counters": {"type": "array", "items": _ref("Counter")}},
                }
            ),
        )
    },
    "/api/v1/counters/{number}": {
        "get": _public_read(
            "One counter", _json(_ref("Counter")), errors=(404,), parameters=[COUNTER_PARAM]
        )
    },
    "/api/v1/counters/{number}/call-next": _counter_action(
        "Call the next citizen (priority policy, then service order, then arrival)"
    ),
    "/api/v1/counters/{number}/call": _counter_action(
        "Call a given ticket (or a no-show within the grace window)",
        _body(
            {
                "type": "object",
                "properties": {"ticket": {"type": "integer"}, "number": {"type": "string"}},
            }
        ),
    ),
    "/api/v1/counters/{number}/recall": _counter_action("Call the current ticket again"),
    "/api/v1/counters/{number}/start": _counter_action("Start service"),
    "/api/v1/counters/{number}/finish": _counter_action(
        "Finish service (a bundled procedure continues at its next service)"
    ),
    "/api/v1/counters/{number}/no-show": _counter_action("The called citizen did not come"),
    "/api/v1/counters/{number}/transfer": _counter_action(
        "Send the citizen to another service or counter, keeping the number",
        _body(
            {
                "type": "object",
                "required": ["service"],
                "properties": {
                    "service": {"type": "string"},
                    "position": {"enum": ["front", "arrival"]},
                    "counter": {"type": "integer"},
                },
            }
        ),
    ),
    "/api/v1/counters/{number}/pause": _counter_action(
        "Pause with a reason",
        _body(
            {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}}
        ),
        counter=True,
    ),
    "/api/v1/counters/{number}/resume": _counter_action("Resume after a pause", counter=True),
    "/api/v1/counters/{number}/open": _counter_action("Open the counter", counter=True),
    "/api/v1/counters/{number}/close": _counter_action("Close the counter", counter=True),
    "/api/v1/queue": {
        "get": _public_read(
            "Waiting per service, each counter's call, recent calls", _json(_ref("Queue"))
        )
    },
}


def base_document() -> dict[str, Any]:
    """The core's document, before features add their paths."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Lượt API",
            "version": __version__,
            "description": (
                'Queue and counter management. Errors are {"error", "message"}; messages are '
                "Vietnamese unless Accept-Language asks for English. POSTs that change state "
                "accept an Idempotency-Key header: a retry with the same key replays the answer."
            ),
        },
        "paths": copy.deepcopy(PATHS),
        "components": {
            "schemas": copy.deepcopy(SCHEMAS),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "deviceKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Device-Key",
                    "description": "the key of a paired kiosk or rating tablet "
                    "(site file, or pairing in administration)",
                },
            },
            "parameters": {
                "IdempotencyKey": {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "maxLength": 128},
                }
            },
        },
    }


def add_paths(app: Flask, paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> None:
    """Let a feature describe its endpoints in the document."""
    extra = app.extensions.setdefault("luot.openapi", {"paths": {}, "schemas": {}})
    extra["paths"].update(paths)
    extra["schemas"].update(schemas or {})


def document(app: Flask) -> dict[str, Any]:
    """The full document of `app`: core and features."""
    doc = base_document()
    extra = app.extensions.get("luot.openapi", {"paths": {}, "schemas": {}})
    doc["paths"].update(extra["paths"])
    doc["components"]["schemas"].update(extra["schemas"])
    return doc


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI document."""
    return jsonify(document(current_app._get_current_object()))  # type: ignore[attr-defined]
