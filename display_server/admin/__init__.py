"""Administration: the office set up in a browser, the live dashboard, reports and exports, the
public transparency page, and apology slips.

`init_app(app)` registers /admin (supervisor and admin roles, session sign-in, CSRF on every
form, throttled sign-in, every change audited), /cong-khai, GET /api/v1/reports and
POST /api/v1/tickets/{id}/apology.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..extensions import add_serve_task
from . import (
    api,
    config_pages,
    devices_page,
    live_pages,
    public,
    report_pages,
    settings_pages,
    signin,
)
from .blueprint import api_bp, bp, public_bp
from .openapi import PATHS, SCHEMAS, apology_kiosks
from .reporting import build_rollups
from .security import ensure_secret_key

__all__ = ["init_app"]

_ROUTES = (
    api,
    config_pages,
    devices_page,
    live_pages,
    public,
    report_pages,
    settings_pages,
    signin,
)


def init_app(app: Flask) -> None:
    """Join the app: secret key, blueprints, API description (cookie settings: app.py)."""
    from ..api.openapi import add_paths, add_refiner

    ensure_secret_key(app)
    app.register_blueprint(bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(api_bp)
    add_paths(app, PATHS, SCHEMAS)
    add_refiner(app, apology_kiosks)
    # The closed days of the last year as rollups before anyone asks, so the first supervisor
    # of the day does not wait for a year of tickets to be read (reports build what is missing
    # themselves; this only moves the wait off the first request).
    add_serve_task(app, build_rollups)
    pages: list[Any] = app.config.setdefault("LUOT_PAGES", [])
    pages += [("admin", "/admin"), ("reports", "/admin/reports"), ("public", "/cong-khai")]
