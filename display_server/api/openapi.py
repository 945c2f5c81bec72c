"""The OpenAPI 3.1 document: every endpoint of the JSON API and the shapes it answers with.

Schemas are JSON Schema 2020-12 (OpenAPI 3.1), so tests validate real responses against them.
Features (printing, voice, screens, reports) add their paths with `add_paths`, and what only
the running office knows (its rating levels, its kiosks) with `add_refiner`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, jsonify

from .. import __version__
from . import bp
from .openapi_fields import IDEMPOTENCY_KEY, SHARED_RESPONSES, TEXT_RULE, add_shared_responses
from .openapi_paths import PATHS
from .openapi_schemas import SCHEMAS

EXTENSION = "luot.openapi"
Refiner = Callable[[Flask, dict[str, Any]], None]


def base_document() -> dict[str, Any]:
    """The core's document, before features add their paths."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Lượt API",
            "version": __version__,
            "description": (
                'Queue and counter management. Errors are {"error", "message"}; messages are '
                "Vietnamese unless ?lang=en or Accept-Language asks for English. Every write "
                "sends a JSON object (Content-Type: application/json; `{}` when it has nothing "
                "to say), else 415. Writes that change the queue accept an Idempotency-Key "
                "header: a retry with the same key replays the answer. " + TEXT_RULE
            ),
        },
        "paths": copy.deepcopy(PATHS),
        "components": {
            "schemas": copy.deepcopy(SCHEMAS),
            "responses": copy.deepcopy(SHARED_RESPONSES),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "deviceKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Device-Key",
                    "description": "the key of a paired kiosk or rating tablet "
                    "(site file, or pairing in administration)",
                },
            },
            "parameters": {"IdempotencyKey": copy.deepcopy(IDEMPOTENCY_KEY)},
        },
    }


def _extra(app: Flask) -> dict[str, Any]:
    extra: dict[str, Any] = app.extensions.setdefault(
        EXTENSION, {"paths": {}, "schemas": {}, "refiners": []}
    )
    return extra


def add_paths(app: Flask, paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> None:
    """Let a feature describe its endpoints in the document."""
    extra = _extra(app)
    extra["paths"].update(paths)
    extra["schemas"].update(schemas or {})


def add_refiner(app: Flask, refiner: Refiner) -> None:
    """Let a feature fill in what only the running office knows, each time the document is
    served (e.g. the rating levels administration may change)."""
    _extra(app)["refiners"].append(refiner)


def document(app: Flask) -> dict[str, Any]:
    """The full document of `app`: core and features."""
    doc = base_document()
    extra = _extra(app)
    doc["paths"].update(copy.deepcopy(extra["paths"]))
    doc["components"]["schemas"].update(copy.deepcopy(extra["schemas"]))
    for refine in extra["refiners"]:
        refine(app, doc)
    add_shared_responses(doc["paths"])
    return doc


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI document."""
    return jsonify(document(current_app._get_current_object()))  # type: ignore[attr-defined]
