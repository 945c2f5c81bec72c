"""Live screens: the event stream, waiting-room and counter displays, the kiosk, the citizen's
status page and the rating tablet.

`init_app(app)` registers the pages and the rating API, and serves GET /api/v1/events (and
/api/v1/events/stats) on the ASGI event loop of `luot serve`.
"""

from __future__ import annotations

import os
from functools import partial

from flask import Flask

from ..api.openapi import add_paths, add_refiner
from ..extensions import add_asgi_route, get_bus
from .api import bp as api_bp
from .openapi import PATHS as OPENAPI_PATHS
from .openapi import rating_levels
from .pages import EVENTS_URL, EXTENSION_KEY
from .pages import bp as pages_bp
from .state import office_timezone, screen_snapshot, waiting_counts
from .stream import KEEPALIVE_SECONDS, QUEUE_SIZE, EventStream

__all__ = ["EXTENSION_KEY", "init_app"]


def _setting(app: Flask, name: str, default: float) -> float:
    """A number from app.config or the environment (how tests shorten the keep-alive)."""
    value = app.config.get(name, os.environ.get(name))
    try:
        return float(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default


def init_app(app: Flask) -> None:
    """Register the pages, the rating API and the event stream."""
    stream = EventStream(
        get_bus(app),
        partial(screen_snapshot, app),
        partial(waiting_counts, app),
        keepalive=max(0.05, _setting(app, "LUOT_SSE_KEEPALIVE", KEEPALIVE_SECONDS)),
        queue_size=max(1, int(_setting(app, "LUOT_SSE_QUEUE", QUEUE_SIZE))),
        timezone=partial(office_timezone, app),
    )
    app.extensions[EXTENSION_KEY] = stream
    add_asgi_route(app, EVENTS_URL, stream)
    add_asgi_route(app, f"{EVENTS_URL}/stats", stream.stats_endpoint)
    app.register_blueprint(pages_bp)
    app.register_blueprint(api_bp)
    add_paths(app, OPENAPI_PATHS)
    add_refiner(app, rating_levels)
    pages = app.config.setdefault("LUOT_PAGES", [])
    pages += [
        ("display", "/display"),
        ("kiosk", "/kiosk/1"),
        ("screens", "/screens"),
    ]
