"""The ticket's two shapes in the OpenAPI document: private (its holder, staff) and public.

`Ticket` goes to whoever issued the ticket, holds its token, or reads with a staff bearer token;
`PublicTicket` (no token, status URL or priority class) to everyone else and the event stream.
The rule itself lives in display_server/queue/views.py (`PRIVATE_TICKET_FIELDS`).
"""

from __future__ import annotations

from typing import Any

_NULLABLE_STR = {"type": ["string", "null"]}
_NULLABLE_INT = {"type": ["integer", "null"]}
_PRIORITY = {"enum": ["none", "elderly", "disabled", "pregnant", "with_infant", "veteran"]}
_PRIORITISED = {
    "type": "boolean",
    "description": "served first by law; which class is said only to the holder and staff",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


_PUBLIC_REQUIRED = [
    "id",
    "number",
    "service",
    "service_name",
    "status",
    "prioritised",
    "channel",
    "issued_at",
    "ahead",
    "estimated_wait_minutes",
    "steps",
]
_PUBLIC_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer"},
    "number": {"type": "string", "examples": ["A012"]},
    "service": {"type": "string"},
    "service_name": {"type": "string"},
    "service_name_en": {"type": "string"},
    "status": {"enum": ["waiting", "called", "serving", "done", "no_show", "cancelled"]},
    "closed_reason": {
        "enum": ["day_end", None],
        "description": "why a rule closed the ticket: day_end = still waiting at the "
        "end of its day under the rule at_day_end = cancel",
    },
    "prioritised": _PRIORITISED,
    "channel": {"enum": ["kiosk", "web", "counter", "phone"]},
    "kiosk": _NULLABLE_STR,
    "issued_at": {"type": "string", "format": "date-time"},
    "local_day": {"type": "string", "format": "date"},
    "ahead": {**_NULLABLE_INT, "description": "people before this ticket (when waiting)"},
    "estimated_wait_minutes": {
        **_NULLABLE_INT,
        "description": "null while no counter of the service is open (no time can be promised)",
    },
    "target_wait_minutes": _NULLABLE_INT,
    "waited_minutes": {"type": "number"},
    "counter": _NULLABLE_INT,
    "counter_name": _NULLABLE_STR,
    "planned": {"type": "array", "items": {"type": "string"}},
    "steps": {"type": "array", "items": _ref("Step")},
    "office": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "unit": {"type": "string"},
            "timezone": {"type": "string"},
        },
    },
    "serving_counters": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"number": {"type": "integer"}, "name": {"type": "string"}},
        },
    },
}
_PRIVATE = ["token", "status_url", "priority"]

TICKET_SCHEMAS: dict[str, Any] = {
    "Ticket": {
        "type": "object",
        "description": (
            "A ticket in full: the answer to whoever issued it, to its token's holder "
            "(GET /tickets/token/{token}), and to signed-in staff"
        ),
        "required": [*_PUBLIC_REQUIRED, *_PRIVATE],
        "properties": {
            **_PUBLIC_PROPERTIES,
            "priority": _PRIORITY,
            "token": {
                "type": "string",
                "description": "the ticket's secret: cancels, reprints, rates, follows",
            },
            "status_url": {"type": "string", "description": "the status page (the QR code)"},
            "print": {"type": "object", "description": "added by the printing feature"},
        },
    },
    "PublicTicket": {
        "type": "object",
        "description": (
            "A ticket as anyone may read it (no bearer token) and as the event stream carries "
            "it: never its token, status URL or priority class"
        ),
        "required": _PUBLIC_REQUIRED,
        "properties": _PUBLIC_PROPERTIES,
        "not": {"anyOf": [{"required": [field]} for field in _PRIVATE]},
    },
    "WaitingTicket": {
        "type": "object",
        "description": "A ticket in a service's waiting list (GET /queue)",
        "required": ["id", "number", "prioritised", "issued_at", "waited_minutes", "past_target"],
        "properties": {
            "id": {"type": "integer"},
            "number": {"type": "string"},
            "local_day": {"type": "string", "format": "date", "description": "its issuing day"},
            "priority": {**_PRIORITY, "description": "signed-in staff only"},
            "prioritised": _PRIORITISED,
            "issued_at": {"type": "string", "format": "date-time"},
            "waited_minutes": {"type": "number"},
            "past_target": {"type": "boolean"},
        },
        "not": {"anyOf": [{"required": ["token"]}, {"required": ["status_url"]}]},
    },
    "RecentCall": {
        "type": "object",
        "required": [
            "ticket_id",
            "number",
            "service",
            "counter",
            "counter_name",
            "called_at",
            "recall_count",
            "status",
            "prioritised",
        ],
        "properties": {
            "ticket_id": {"type": "integer"},
            "number": {"type": "string"},
            "service": {"type": "string"},
            "counter": _NULLABLE_INT,
            "counter_name": _NULLABLE_STR,
            "called_at": {"type": "string", "format": "date-time"},
            "recall_count": {"type": "integer"},
            "status": {"type": "string"},
            "prioritised": _PRIORITISED,
        },
    },
}

# Reads anyone may make; a live staff bearer token adds the tickets' private fields.
STAFF_SEES_MORE = (
    "Open to everyone. Without a bearer token tickets come as PublicTicket (no token, status "
    "URL or priority class); with a signed-in officer's bearer token, as Ticket."
)
ANY_TICKET = {"oneOf": [_ref("Ticket"), _ref("PublicTicket")]}
