"""The shapes the JSON API answers with, for the OpenAPI document (JSON Schema 2020-12).

Tests validate real responses against them; tickets' two shapes live in ticket_schemas.py.
"""

from __future__ import annotations

from typing import Any

from .openapi_fields import ref
from .ticket_schemas import TICKET_SCHEMAS

NULLABLE_STR = {"type": ["string", "null"]}
NULLABLE_INT = {"type": ["integer", "null"]}
TIME = {"type": ["string", "null"], "format": "date-time"}


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
            "issuing": ref("Issuing"),
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
            "officer": ref("OfficerRef"),
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
            "officer": ref("OfficerRef"),
            "current_ticket": {
                "oneOf": [ref("Ticket"), ref("PublicTicket"), {"type": "null"}],
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
                        "tickets": {"type": "array", "items": ref("WaitingTicket")},
                    },
                },
            },
            "counters": {"type": "array", "items": ref("Counter")},
            "recent_calls": {"type": "array", "items": ref("RecentCall")},
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
            "counter": {"oneOf": [ref("Counter"), {"type": "null"}]},
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
SCHEMAS["Me"] = {
    "type": "object",
    "required": ["officer", "counter", "expires_at"],
    "properties": {
        "officer": SCHEMAS["Login"]["properties"]["officer"],
        "counter": {"oneOf": [ref("Counter"), {"type": "null"}]},
        "expires_at": {"type": "string", "format": "date-time"},
    },
}
