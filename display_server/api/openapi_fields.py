"""Building blocks of the OpenAPI document: request fields stated as the server checks them,
and the answers any route may give (the front end's, storage's, a malformed write's).

Every feature's document uses these, so a limit is written once, next to the rule it states.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .context import MAX_INT, MAX_KEY
from .text_rules import FILLED_TEXT_PATTERN, TEXT_PATTERN

ERROR = {"$ref": "#/components/schemas/Error"}
WRITE_METHODS = ("post", "put", "patch", "delete")
TEXT_RULE = (
    "Text fields: whitespace around is trimmed, control and format characters (but U+200D) are "
    "refused (422 invalid_text), and maxLength holds for the text as sent and after Unicode "
    "NFC normalisation; their `pattern` states the rest."
)


def ref(name: str) -> dict[str, str]:
    """A reference to a schema in components."""
    return {"$ref": f"#/components/schemas/{name}"}


def error(description: str) -> dict[str, Any]:
    """A response carrying the JSON error {"error", "message"}."""
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def json_response(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    """A JSON response with `schema`."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def text(max_length: int, *, required: bool = False, **annotations: Any) -> dict[str, Any]:
    """A text field as `api.context.text_field` takes it (null = absent unless required)."""
    schema: dict[str, Any] = {
        "type": "string" if required else ["string", "null"],
        "maxLength": max_length,
        "pattern": FILLED_TEXT_PATTERN if required else TEXT_PATTERN,
    }
    if required:
        schema["minLength"] = 1
    return {**schema, **annotations}


def choice(values: Iterable[str], *, required: bool = False, **annotations: Any) -> dict[str, Any]:
    """A field that is exactly one of `values` (`api.context.choice_field`)."""
    options: list[str | None] = list(values)
    if not required:
        options.append(None)
    return {"enum": options, **annotations}


def integer(
    minimum: int = 1, maximum: int = MAX_INT, *, required: bool = False, **annotations: Any
) -> dict[str, Any]:
    """A whole-number field as `api.context.int_field` takes it."""
    kind = "integer" if required else ["integer", "null"]
    return {"type": kind, "minimum": minimum, "maximum": maximum, **annotations}


def body(
    properties: dict[str, Any], required: Iterable[str] = (), **keywords: Any
) -> dict[str, Any]:
    """A JSON object request body. Every write sends one (`{}` when it has nothing to say):
    JSON is what keeps other web pages from writing (415 otherwise)."""
    schema: dict[str, Any] = {"type": "object", "properties": properties, **keywords}
    if required:
        schema["required"] = list(required)
    return {"required": True, "content": {"application/json": {"schema": schema}}}


EMPTY_BODY = body({}, description="nothing to say: send {} (an empty body is taken too)")


def path_id(name: str, description: str | None = None) -> dict[str, Any]:
    """A whole-number path parameter (ids and counter numbers start at 1)."""
    parameter: dict[str, Any] = {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
    if description:
        parameter["description"] = description
    return parameter


def query_integer(name: str, minimum: int, maximum: int, description: str) -> dict[str, Any]:
    """An optional whole-number query parameter (`api.context.int_arg`)."""
    schema = {"type": "integer", "minimum": minimum, "maximum": maximum}
    return {"name": name, "in": "query", "schema": schema, "description": description}


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "a retry with the same key replays the first answer; visible ASCII",
    "schema": {"type": "string", "maxLength": MAX_KEY, "pattern": "^[!-~](?:[ -~]*[!-~])?$"},
}
IDEMPOTENT = {"$ref": "#/components/parameters/IdempotencyKey"}

# Answers any route may give, whatever it does: described once, referred to everywhere.
SHARED_RESPONSES: dict[str, Any] = {
    "BadRequest": error(
        "malformed write: not JSON, not a JSON object, no body where one is needed, or a bad "
        "Idempotency-Key"
    ),
    "TooLarge": error("the body is larger than 64 KiB"),
    "UnsupportedMediaType": error("the body is not Content-Type: application/json"),
    "HeadersTooLarge": error("the request line and headers are larger than `luot serve` takes"),
    "Unavailable": error(
        "storage_unavailable: the disk is full or the database read-only or unreachable; or "
        "busy: `luot serve` has as many connections open as it allows"
    ),
}
_EVERY_ROUTE = {"431": "HeadersTooLarge", "503": "Unavailable"}
_EVERY_WRITE = {"400": "BadRequest", "413": "TooLarge", "415": "UnsupportedMediaType"}


def add_shared_responses(paths: dict[str, Any]) -> None:
    """Give every operation the answers it may give whatever it does (unless it says more)."""
    for operations in paths.values():
        for method, operation in operations.items():
            shared = _EVERY_ROUTE | (_EVERY_WRITE if method in WRITE_METHODS else {})
            responses = operation["responses"]
            for status, name in shared.items():
                responses.setdefault(status, {"$ref": f"#/components/responses/{name}"})
