"""The JSON API under /api/v1: the contract spoken by kiosks, displays, counter apps and reports."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import counters, openapi, queue, sessions, tickets  # noqa: E402,F401  (routes register on bp)
