"""The OpenAPI description of the reports and apology endpoints."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..api.context import LANGUAGES
from ..api.openapi_fields import body, choice, error, json_response, path_id, text
from ..reports import GROUPINGS
from ..reports.periods import MAX_DAYS
from .api import FORMATS, MAX_APOLOGY, XLSX, kiosk_ids

_DURATION = {
    "type": "object",
    "description": "minutes; median and p90 by linear interpolation (PERCENTILE.INC)",
    "properties": {
        "count": {"type": "integer"},
        "average": {"type": ["number", "null"]},
        "median": {"type": ["number", "null"]},
        "p90": {"type": ["number", "null"]},
    },
}
_FIGURES = {
    "type": "object",
    "properties": {
        "issued": {"type": "integer", "description": "tickets issued"},
        "served": {"type": "integer", "description": "steps finished (outcome done)"},
        "no_show": {"type": "integer"},
        "cancelled": {"type": "integer", "description": "tickets cancelled"},
        "transferred": {"type": "integer"},
        "wait_minutes": _DURATION,
        "service_minutes": _DURATION,
        "within_target": {
            "type": "object",
            "properties": {
                "count": {"type": "integer"},
                "of": {"type": "integer"},
                "share": {"type": ["number", "null"]},
            },
        },
        "satisfaction": {
            "type": "object",
            "properties": {
                "ratings": {"type": "integer"},
                "satisfied": {"type": "integer"},
                "rate": {"type": ["number", "null"]},
                "average_score": {"type": ["number", "null"]},
                "levels": {"type": "object", "additionalProperties": {"type": "integer"}},
            },
        },
    },
}
SCHEMAS: dict[str, Any] = {
    "ReportFigures": _FIGURES,
    "Report": {
        "type": "object",
        "required": ["from", "to", "group", "rows", "total"],
        "properties": {
            "office": {"type": "object"},
            "from": {"type": "string", "format": "date"},
            "to": {"type": "string", "format": "date"},
            "group": {"enum": ["day", "hour", "service", "counter", "officer"]},
            "satisfied_score": {"type": "integer"},
            "generated_at": {"type": "string", "format": "date-time"},
            "rows": {
                "type": "array",
                "items": {
                    "allOf": [
                        {"$ref": "#/components/schemas/ReportFigures"},
                        {
                            "type": "object",
                            "properties": {
                                "key": {"type": ["string", "integer", "null"]},
                                "label": {"type": "string"},
                            },
                        },
                    ]
                },
            },
            "total": {"$ref": "#/components/schemas/ReportFigures"},
        },
    },
}


def _param(
    name: str, schema: dict[str, Any], required: bool = False, **more: Any
) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema, **more}


_DAY = {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}

PATHS: dict[str, Any] = {
    "/api/v1/reports": {
        "get": {
            "summary": "Report figures for a period (supervisor or admin token)",
            "description": (
                f"`from` must not come after `to`, and a period spans at most {MAX_DAYS} days "
                "(422 invalid_period / period_too_long). Any other parameter: 422."
            ),
            "security": [{"bearer": []}],
            "parameters": [
                _param("from", _DAY, True, description="first local day (YYYY-MM-DD)"),
                _param("to", _DAY, True, description="last local day, included"),
                _param("group", {"enum": list(GROUPINGS)}, description="absent: day"),
                _param("format", {"enum": list(FORMATS)}, description="absent: json"),
                _param("lang", {"type": "string"}, description="vi or en: the labels' language"),
            ],
            "responses": {
                "200": {
                    "description": "the report",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Report"}},
                        "text/csv": {"schema": {"type": "string"}},
                        XLSX: {"schema": {"type": "string", "format": "binary"}},
                    },
                },
                "401": error("no valid token"),
                "403": error("not a supervisor"),
                "422": error("bad parameters, or a backward or too long period"),
            },
        }
    },
    "/api/v1/tickets/{ticket_id}/apology": {
        "post": {
            "summary": "Print an apology slip for a citizen who waited past the target",
            "security": [{"bearer": []}],
            "parameters": [path_id("ticket_id")],
            "requestBody": body(
                {
                    "reason": text(MAX_APOLOGY, required=True),
                    # The office's kiosks: the served document lists them.
                    "kiosk": choice([], description="default: the ticket's kiosk"),
                    "lang": choice(LANGUAGES, description="absent: the request's language"),
                },
                required=["reason"],
            ),
            "responses": {
                "200": json_response(
                    {"type": "object"}, "sent to the printer; print.status printed|pending|failed"
                ),
                "401": error("no valid token"),
                "404": error("no such ticket"),
                "409": error(
                    "printing not configured, no printer at that kiosk, or the ticket names no "
                    "kiosk that prints (name one)"
                ),
                "422": error("a missing reason, an unknown kiosk, or a bad field"),
            },
        }
    },
}


def apology_kiosks(app: Flask, document: dict[str, Any]) -> None:
    """Name the office's kiosks in the apology body."""
    operation = document["paths"]["/api/v1/tickets/{ticket_id}/apology"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    schema["properties"]["kiosk"]["enum"] = [*kiosk_ids(app), None]
