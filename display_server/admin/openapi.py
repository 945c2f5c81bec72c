"""The OpenAPI description of the reports and apology endpoints."""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/schemas/Error"}
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


def _param(name: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema}


PATHS: dict[str, Any] = {
    "/api/v1/reports": {
        "get": {
            "summary": "Report figures for a period (supervisor or admin token)",
            "security": [{"bearer": []}],
            "parameters": [
                _param("from", {"type": "string", "format": "date"}, True),
                _param("to", {"type": "string", "format": "date"}, True),
                _param("group", {"enum": ["day", "hour", "service", "counter", "officer"]}),
                _param("format", {"enum": ["json", "csv", "xlsx"]}),
            ],
            "responses": {
                "200": {
                    "description": "the report",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Report"}},
                        "text/csv": {},
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                    },
                },
                "401": {
                    "description": "no valid token",
                    "content": {"application/json": {"schema": _ERROR}},
                },
                "403": {
                    "description": "not a supervisor",
                    "content": {"application/json": {"schema": _ERROR}},
                },
                "422": {
                    "description": "bad parameters",
                    "content": {"application/json": {"schema": _ERROR}},
                },
            },
        }
    },
    "/api/v1/tickets/{ticket_id}/apology": {
        "post": {
            "summary": "Print an apology slip for a citizen who waited past the target",
            "security": [{"bearer": []}],
            "parameters": [
                {"name": "ticket_id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["reason"],
                            "properties": {
                                "reason": {"type": "string", "maxLength": 200},
                                "kiosk": {"type": "string"},
                                "lang": {"enum": ["vi", "en"]},
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": {
                    "description": "sent to the printer; print.status printed|pending|failed",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "404": {
                    "description": "no such ticket",
                    "content": {"application/json": {"schema": _ERROR}},
                },
                "409": {
                    "description": "printing not configured / no printer at that kiosk",
                    "content": {"application/json": {"schema": _ERROR}},
                },
                "422": {
                    "description": "missing reason, unknown kiosk",
                    "content": {"application/json": {"schema": _ERROR}},
                },
            },
        }
    },
}
