"""Printing's endpoints in the OpenAPI document: the kiosk printers and reprinting a ticket."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..api.context import LANGUAGES, MAX_TOKEN
from ..api.openapi_fields import body, choice, error, json_response, path_id, text

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
PRINT_RESULT = {
    "type": "object",
    "required": ["ticket", "number", "print"],
    "properties": {
        "ticket": {"type": "integer"},
        "number": {"type": "string"},
        "print": {"$ref": "#/components/schemas/PrintResult"},
    },
}
OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/printers": {
        "get": {
            "summary": "Each kiosk printer's state, last error, pending jobs and last print",
            "responses": {
                "200": json_response(
                    {
                        "type": "object",
                        "required": ["printers"],
                        "properties": {
                            "printers": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/Printer"},
                            }
                        },
                    }
                )
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
            "security": [{"bearer": []}, {"deviceKey": []}, {}],
            "parameters": [path_id("ticket_id")],
            "requestBody": body(
                {
                    # The office's kiosks: the served document lists them.
                    "kiosk": choice([], description="default: the kiosk that issued the ticket"),
                    "token": text(MAX_TOKEN, description="the ticket's token (at a kiosk)"),
                    "lang": choice(LANGUAGES, description="absent: the request's language"),
                }
            ),
            "responses": {
                "200": json_response(PRINT_RESULT, "the print result"),
                "401": error("no officer and no right token, or an unknown device key"),
                "403": error("the token without the printing kiosk's own key"),
                "404": error("unknown ticket"),
                "409": error(
                    "the kiosk has no printer, or the ticket names no kiosk that prints (name one)"
                ),
                "422": error("an unknown kiosk or a bad field"),
            },
        }
    },
}


def kiosk_choices(app: Flask, document: dict[str, Any]) -> None:
    """Name the office's kiosks in the reprint body."""
    extension = app.extensions.get("luot.printing")
    kiosks = list(extension.kiosks) if extension is not None else []
    operation = document["paths"]["/api/v1/tickets/{ticket_id}/print"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    schema["properties"]["kiosk"]["enum"] = [*kiosks, None]
