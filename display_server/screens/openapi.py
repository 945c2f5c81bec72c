"""The screens' endpoints in the OpenAPI document: the event stream and ratings."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..api.context import MAX_TOKEN
from ..api.openapi_fields import (
    IDEMPOTENT,
    body,
    choice,
    error,
    integer,
    json_response,
    path_id,
    text,
)
from .api import MAX_COMMENT, rating_settings

_NULL_OBJECT = {"type": ["object", "null"]}

RATING_TARGET = {
    "type": "object",
    "required": ["target", "levels", "comment"],
    "properties": {
        "target": {
            **_NULL_OBJECT,
            "description": "the finished step awaiting a rating (officer, service, counter)",
        },
        "levels": {"type": "array", "items": {"type": "object"}},
        "comment": {"type": "boolean", "description": "whether a comment may be added"},
    },
}
# One event of the stream, as an EventSource hands it over (OpenAPI 3.1 has no word for a
# stream's items, so `schema` describes each event, as tools reading 3.1 documents expect).
SERVER_SENT_EVENT = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "examples": ["snapshot", "ticket.called"]},
        "id": {"type": "string", "pattern": "^[0-9a-f]+-[0-9]+$", "description": "<boot>-<seq>"},
        "data": {"type": "string", "contentMediaType": "application/json"},
        "retry": {"type": "integer", "minimum": 0},
    },
}
RATING = {
    "summary": "Rate a served step (from the counter's tablet, or the status page with the "
    "ticket's token); one rating per step",
    "description": (
        "With `token` (the status page): the ticket's holder, within 24 hours. Without "
        "it: only the rating tablet paired to the counter that served the step, sending "
        "its X-Device-Key, and only for that counter's current rating target."
    ),
    "security": [{"deviceKey": []}, {}],
    "parameters": [path_id("ticket_id"), IDEMPOTENT],
    "requestBody": body(
        {
            # The levels are the office's ([rating] levels): the served document lists them.
            "level": choice([], required=True, examples=["very_satisfied"]),
            "comment": text(MAX_COMMENT, description="dropped when [rating] comment = false"),
            "step": integer(description="the step to rate (default: the last one served)"),
            "token": text(MAX_TOKEN, description="the ticket's token (the status page)"),
        },
        required=["level"],
    ),
    "responses": {
        "201": json_response(
            {"type": "object", "required": ["step_id", "level", "score"]}, "the stored rating"
        ),
        "401": error("no token and no X-Device-Key, or an unknown or revoked key"),
        "403": error(
            "a wrong token; a key that is not the tablet of the counter that served; "
            "a step that is not the counter's rating target"
        ),
        "404": error("unknown ticket or step"),
        "409": error("already rated, not finished, or past the rating window"),
        "422": error("unknown level or a bad field"),
    },
}

PATHS: dict[str, Any] = {
    "/api/v1/events": {
        "get": {
            "summary": "Live server-sent events: a snapshot first, then every committed change",
            "description": (
                "Ids are '<boot>-<seq>'; send Last-Event-ID to resume (a restarted server "
                "answers with a fresh snapshot). Event names are the bus kinds (ticket.called, "
                "counter.state, announcement.ready, …); keep-alive comments every 15 s. "
                "?kinds=a,b filters. Open to everyone, so every ticket it carries (in events, "
                "the replay and the opening snapshot) is a PublicTicket: never a token, status "
                "URL or priority class, only `prioritised`."
            ),
            "parameters": [
                {
                    "name": "Last-Event-ID",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string"},
                },
                {
                    "name": "last_event_id",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string"},
                    "description": "the same, for clients that cannot set the header",
                },
                {
                    "name": "kinds",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "examples": ["ticket.,counter.state"]},
                    "description": "comma-separated prefixes of the event names wanted",
                },
            ],
            "responses": {
                "200": {
                    "description": "an endless event stream; each event: name, id, JSON data",
                    "content": {"text/event-stream": {"schema": SERVER_SENT_EVENT}},
                },
            },
        }
    },
    "/api/v1/events/stats": {
        "get": {
            "summary": "How many displays are connected to the event stream",
            "responses": {
                "200": json_response(
                    {
                        "type": "object",
                        "required": ["subscribers", "served", "dropped", "boot_id", "last_seq"],
                    }
                ),
            },
        }
    },
    "/api/v1/tickets/{ticket_id}/rating": {"post": RATING},
    "/api/v1/counters/{number}/rating-target": {
        "get": {
            "summary": "What the counter's rating tablet should ask about now",
            "description": "Only the rating tablet paired to this counter (X-Device-Key).",
            "security": [{"deviceKey": []}],
            "parameters": [path_id("number", "the counter's number")],
            "responses": {
                "200": json_response(RATING_TARGET),
                "401": error("no X-Device-Key, or an unknown or revoked one"),
                "403": error("the key is not the rating tablet of this counter"),
                "404": error("unknown counter"),
            },
        }
    },
    "/api/v1/tickets/token/{token}/rating-target": {
        "get": {
            "summary": "What the citizen's status page may still rate",
            "parameters": [
                {
                    "name": "token",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "maxLength": MAX_TOKEN},
                }
            ],
            "responses": {"200": json_response(RATING_TARGET), "404": error("unknown ticket")},
        }
    },
}


def rating_levels(app: Flask, document: dict[str, Any]) -> None:
    """Name the office's rating levels (administration may change them) in the rating body."""
    with app.app_context():
        keys = [level.key for level in rating_settings().levels]
    operation = document["paths"]["/api/v1/tickets/{ticket_id}/rating"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    schema["properties"]["level"]["enum"] = keys
