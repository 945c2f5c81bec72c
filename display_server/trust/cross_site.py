"""No cross-site writes: API writes must be JSON, and CORS headers go only to named origins.

A browser sends a form or `text/plain` body to any address without asking first (a "simple"
request), so a page on the public Wi-Fi could otherwise issue tickets or rate officers. A
JSON body forces the browser's preflight, which this server answers only for the origins a
site names in `[security] allowed_origins`.
"""

from __future__ import annotations

from flask import Flask, Response, request

from ..api.errors import error_response
from .settings import security_settings

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, X-Device-Key, Accept-Language"
PREFLIGHT_MAX_AGE = "600"


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _allowed_origin(app: Flask) -> str | None:
    origin = request.headers.get("Origin", "").rstrip("/")
    if origin and origin in security_settings(app).allowed_origins:
        return origin
    return None


def register(app: Flask) -> None:
    """Install the JSON-only rule and the CORS answers on `app`."""

    @app.before_request
    def only_json_writes() -> Response | None:
        if not _is_api():
            return None
        if request.method == "OPTIONS":
            response = Response(status=204)
            if _allowed_origin(app) is not None:
                response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE"
                response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
                response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
            return response
        if request.routing_exception is not None:
            return None  # no such route or method: its 404 or 405 (with Allow) says more
        if request.method in WRITE_METHODS and request.mimetype != "application/json":
            return error_response(
                415,
                "unsupported_media_type",
                "Nội dung phải là JSON (Content-Type: application/json).",
            )
        return None

    @app.after_request
    def cors_headers(response: Response) -> Response:
        if _is_api():
            origin = _allowed_origin(app)
            if origin is not None:
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Vary"] = "Origin"
        return response
