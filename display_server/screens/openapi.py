"""The screens' endpoints in the OpenAPI document: the event stream and ratings."""

from __future__ import annotations

from typing import Any

ERROR = {"$ref": "#/components/schemas/Error"}
_NULL_OBJECT = {"type": ["object", "null"]}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


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
                {"name": "kinds", "in": "query", "required": False, "schema": {"type": "string"}},
            ],
            "responses": {
                "200": {
                    "description": "an endless event stream",
                    "content": {"text/event-stream": {"schema": {"type": "string"}}},
                }
            },
        }
    },
    "/api/v1/events/stats": {
        "get": {
            "summary": "How many displays are connected to the event stream",
            "responses": {"200": _json({"type": "object"})},
        }
    },
    "/api/v1/tickets/{ticket_id}/rating": {
        "post": {
            "summary": "Rate a served step (from the counter's tablet, or the status page with "
            "the ticket's token); one rating per step",
            "description": (
                "With `token` (the status page): the ticket's holder, within 24 hours. Without "
                "it: only the rating tablet paired to the counter that served the step, sending "
                "its X-Device-Key, and only for that counter's current rating target."
            ),
            "security": [{"deviceKey": []}, {}],
            "parameters": [
                {"name": "ticket_id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["level"],
                            "properties": {
                                "level": {
                                    "type": "string",
                                    "maxLength": 64,
                                    "examples": ["very_satisfied"],
                                },
                                "comment": {"type": "string", "maxLength": 500},
                                "step": {"type": "integer", "minimum": 1},
                                "token": {"type": "string", "maxLength": 64},
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": _json(
                    {"type": "object", "required": ["step_id", "level", "score"]},
                    "the stored rating",
                ),
                "400": _error("malformed request"),
                "401": _error("no token and no X-Device-Key, or an unknown or revoked key"),
                "403": _error(
                    "a wrong token; a key that is not the tablet of the counter that served; "
                    "a step that is not the counter's rating target"
                ),
                "404": _error("unknown ticket or step"),
                "409": _error("already rated, not finished, or past the rating window"),
                "422": _error("unknown level or a bad field"),
            },
        }
    },
    "/api/v1/counters/{number}/rating-target": {
        "get": {
            "summary": "What the counter's rating tablet should ask about now",
            "description": "Only the rating tablet paired to this counter (X-Device-Key).",
            "security": [{"deviceKey": []}],
            "parameters": [
                {"name": "number", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "responses": {
                "200": _json(RATING_TARGET),
                "401": _error("no X-Device-Key, or an unknown or revoked one"),
                "403": _error("the key is not the rating tablet of this counter"),
                "404": _error("unknown counter"),
            },
        }
    },
    "/api/v1/tickets/token/{token}/rating-target": {
        "get": {
            "summary": "What the citizen's status page may still rate",
            "parameters": [
                {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {"200": _json(RATING_TARGET), "404": _error("unknown ticket")},
        }
    },
}
