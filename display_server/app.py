"""The Flask application factory."""

from __future__ import annotations

import importlib
import logging
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Request, jsonify, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from platformdirs import user_data_dir

from . import midnight
from .api import bp as api_bp
from .api.errors import register_error_handlers
from .db import Database, create_database_engine
from .events import EventBus
from .extensions import FEATURES
from .queue.clock import utc_now
from .schema import upgrade
from .site import ensure_office, load_site, provision_if_changed
from .storage import watch_engine
from .trust import cross_site
from .trust.scheme import came_over_https
from .trust.settings import security_settings

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 64 * 1024
ADMIN_SESSION_LIFETIME = timedelta(hours=12)


def default_data_dir() -> Path:
    """The per-user data directory (e.g. %LOCALAPPDATA%\\Luot on Windows)."""
    return Path(user_data_dir("luot", appauthor=False))


def database_url(data_dir: Path) -> str:
    """The default SQLite database inside `data_dir`."""
    return f"sqlite:///{(data_dir / 'luot.db').as_posix()}"


class CookieSessionOutsideApi(SecureCookieSessionInterface):
    """Administration's signed-cookie session, left closed for the JSON API.

    API callers sign in with bearer tokens and never read the cookie session; opening it
    builds a signer and checks a signature on every request, about 4 % of issuing a ticket.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith("/api/"):
            return None  # Flask uses a null session, which it neither reads nor saves
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure whenever the request came over HTTPS, so the cookie never leaves it."""
        proxies = security_settings(app).trusted_proxies
        return bool(app.config["SESSION_COOKIE_SECURE"]) or came_over_https(request, proxies)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, database (migrated), site provisioning, API and features.

    Settings: LUOT_DATA_DIR, LUOT_DATABASE_URL, LUOT_SITE_FILE (a TOML path) or LUOT_SITE
    (an already-parsed dict), LUOT_CLOCK (tests), LUOT_FEATURES (list; default: all).
    """
    app = Flask(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        JSON_AS_ASCII=False,
        LUOT_DATA_DIR=os.environ.get("LUOT_DATA_DIR") or None,
        LUOT_DATABASE_URL=os.environ.get("LUOT_DATABASE_URL") or None,
        LUOT_SITE_FILE=None,
        LUOT_SITE=None,
        # Administration's cookie (set here: Flask's defaults would win over setdefault).
        PERMANENT_SESSION_LIFETIME=ADMIN_SESSION_LIFETIME,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.session_interface = CookieSessionOutsideApi()

    data_dir = Path(app.config["LUOT_DATA_DIR"] or default_data_dir())
    data_dir.mkdir(parents=True, exist_ok=True)
    app.config["LUOT_DATA_DIR"] = data_dir
    url = app.config["LUOT_DATABASE_URL"] or database_url(data_dir)
    app.config["LUOT_DATABASE_URL"] = url

    site = app.config["LUOT_SITE"]
    if site is None and app.config["LUOT_SITE_FILE"]:
        site = load_site(Path(app.config["LUOT_SITE_FILE"]))
    app.config["LUOT_SITE"] = site or {}

    bus = EventBus()
    engine = create_database_engine(url)
    watch_engine(engine)
    upgrade(engine)
    db = Database(engine=engine, bus=bus)
    app.extensions["luot.bus"] = bus
    app.extensions["luot.db"] = db
    with db.write_session() as session:
        if site:
            provision_if_changed(session, site, utc_now())
        else:
            ensure_office(session)
    midnight.init_app(app)

    register_error_handlers(app)
    cross_site.register(app)
    app.register_blueprint(api_bp)

    @app.get("/")
    def index() -> Any:
        """Where things are."""
        return jsonify({"name": "Lượt", "api": "/api/v1", "openapi": "/api/v1/openapi.json"})

    features = app.config.get("LUOT_FEATURES")
    for name in FEATURES if features is None else features:
        importlib.import_module(name).init_app(app)
    return app
