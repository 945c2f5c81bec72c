"""The OpenAPI 3.1 document of the API (placeholder until written out)."""

from __future__ import annotations

from flask import Response, jsonify

from . import bp


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI document."""
    return jsonify({"openapi": "3.1.0"})
