"""The announcements endpoints and shapes, added to the API's OpenAPI document."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..api.context import MAX_INT
from ..api.openapi_fields import path_id, query_integer
from .announcement import FAILED, PENDING, PLAYED, READY
from .api import DEFAULT_LIMIT, MAX_LIMIT

_ERROR = {"$ref": "#/components/schemas/Error"}
_NULLABLE_STR = {"type": ["string", "null"]}

SCHEMAS: dict[str, Any] = {
    "Announcement": {
        "type": "object",
        "required": ["id", "text", "ticket_number", "counter", "time", "audio_url", "status"],
        "properties": {
            "id": {"type": "integer"},
            "office_id": {"type": "integer"},
            "kind": {"enum": ["call", "recall"]},
            "ticket_id": {"type": ["integer", "null"]},
            "ticket_number": {"type": "string", "examples": ["A012"]},
            "counter": {"type": ["integer", "string"], "description": "the counter number"},
            "counter_name": _NULLABLE_STR,
            "text": {
                "type": "string",
                "examples": ["Mời công dân có số thứ tự A mười hai đến quầy số ba"],
            },
            "language": {"enum": ["vi", "en"]},
            "time": {"type": "string", "format": "date-time", "description": "of the call"},
            "status": {
                "enum": [PENDING, READY, PLAYED, FAILED],
                "description": "failed: no speech could be made; the audio is the chime alone",
            },
            "audio_url": {**_NULLABLE_STR, "examples": ["/api/v1/announcements/7/audio"]},
            "duration": {"type": ["number", "null"], "description": "seconds of audio"},
            "engine": {
                "type": ["string", "null"],
                "description": "pyttsx3, espeak-ng, or cache when the words were said before",
            },
            "error": _NULLABLE_STR,
        },
    },
    "Announcements": {
        "type": "object",
        "required": ["announcements", "enabled"],
        "properties": {
            "announcements": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Announcement"},
            },
            "enabled": {"type": "boolean", "description": "whether calls are announced now"},
        },
    },
}


def _json(name: str) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{name}"}
    return {"description": "OK", "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


_ID = path_id("announcement_id")
_UNKNOWN = _error("no such announcement (only the latest 200 are kept, in memory)")

PATHS: dict[str, Any] = {
    "/api/v1/announcements": {
        "get": {
            "summary": "The latest spoken announcements, newest first",
            "parameters": [
                query_integer("limit", 1, MAX_LIMIT, f"how many (default {DEFAULT_LIMIT})"),
                query_integer("office_id", 1, MAX_INT, "only this office's"),
            ],
            "responses": {
                "200": _json("Announcements"),
                "422": _error("limit or office_id is not a whole number in range"),
            },
        }
    },
    "/api/v1/announcements/{announcement_id}": {
        "get": {
            "summary": "One announcement",
            "parameters": [_ID],
            "responses": {"200": _json("Announcement"), "404": _UNKNOWN},
        }
    },
    "/api/v1/announcements/{announcement_id}/audio": {
        "get": {
            "summary": "The announcement's audio: chime, then the sentence (twice by default)",
            "parameters": [_ID],
            "responses": {
                "200": {
                    "description": "16-bit mono WAV; Range requests are answered",
                    "content": {"audio/wav": {"schema": {"type": "string", "format": "binary"}}},
                },
                "404": _UNKNOWN,
                "409": _error("the audio is still being made"),
                "410": _error("the audio file is no longer kept"),
            },
        }
    },
}


def describe(app: Flask) -> None:
    """Add the announcements endpoints to the app's OpenAPI document."""
    from ..api.openapi import add_paths

    add_paths(app, PATHS, SCHEMAS)
