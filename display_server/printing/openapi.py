"""The printing routes and schemas in the OpenAPI document."""

from __future__ import annotations

from typing import Any

_NULLABLE = {"type": ["string", "null"]}
OPENAPI_SCHEMAS: dict[str, Any] = {
    "PrintResult": {
        "type": "object",
        "required": ["status", "kiosk", "printer"],
        "properties": {
            "status": {
                "enum": ["printed", "pending", "failed", "dropped", "none"],
                "description": (
                    "pending: kept (also across restarts); it prints once the printer works "
                    "again, unless the ticket was called, served or cancelled by then"
                ),
            },
            "kiosk": _NULLABLE,
            "printer": {**_NULLABLE, "examples": ["network://192.168.1.50:9100"]},
            "job": {"type": "string", "description": "the print job's key"},
            "message": {"type": "string", "description": "why it is pending or failed"},
        },
    },
    "Printer": {
        "type": "object",
        "required": ["kiosk", "url", "state", "last_error", "pending", "last_printed_at"],
        "properties": {
            "kiosk": {"type": "string"},
            "name": {"type": "string"},
            "url": {"type": "string"},
            "profile": _NULLABLE,
            "width_dots": {"type": "integer", "examples": [576]},
            "state": {
                "enum": [
                    "online",
                    "paper_low",
                    "paper_out",
                    "cover_open",
                    "offline",
                    "not_escpos",
                    "unknown",
                ],
                "description": "not_escpos: the device answers, but is no ESC/POS printer",
            },
            "last_error": _NULLABLE,
            "pending": {"type": "integer", "description": "jobs waiting for this printer"},
            "last_printed_at": {**_NULLABLE, "format": "date-time"},
            "checked_at": {**_NULLABLE, "format": "date-time"},
        },
    },
}
_ERROR_RESPONSE = {
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
}
OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/printers": {
        "get": {
            "summary": "Each kiosk printer's state, last error, pending jobs and last print",
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "printers": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Printer"},
                                    }
                                },
                            }
                        }
                    },
                }
            },
        }
    },
    "/api/v1/tickets/{ticket_id}/print": {
        "post": {
            "summary": "Print a ticket again (default kiosk: the one that issued it)",
            "description": (
                "The slip is marked as a reprint. A signed-in officer may reprint at any kiosk. "
                "Otherwise the ticket's token and the X-Device-Key of the kiosk that prints are "
                "both needed."
            ),
            "security": [{"bearer": []}, {"deviceKey": []}],
            "parameters": [
                {"name": "ticket_id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "requestBody": {
                "required": False,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "kiosk": {"type": "string", "maxLength": 64},
                                "token": {"type": "string", "maxLength": 64},
                                "lang": {"enum": ["vi", "en"]},
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": {
                    "description": "the print result",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["ticket", "number", "print"],
                                "properties": {
                                    "ticket": {"type": "integer"},
                                    "number": {"type": "string"},
                                    "print": {"$ref": "#/components/schemas/PrintResult"},
                                },
                            }
                        }
                    },
                },
                "401": {
                    "description": "no officer and no right token, or an unknown device key",
                    **_ERROR_RESPONSE,
                },
                "403": {
                    "description": "the token without the printing kiosk's own key",
                    **_ERROR_RESPONSE,
                },
                "404": {"description": "unknown ticket", **_ERROR_RESPONSE},
                "409": {"description": "the kiosk has no printer", **_ERROR_RESPONSE},
                "422": {"description": "unknown or missing kiosk", **_ERROR_RESPONSE},
            },
        }
    },
}
