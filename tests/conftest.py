"""Shared fixtures: apps on fresh SQLite files, a clock, PostgreSQL databases, live servers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from display_server.app import create_app
from tests.factories import FakeClock, make_site
from tests.servers import LiveServer, create_pg_database, drop_pg_database, write_site

AppFactory = Callable[..., Flask]


class JsonTestClient(FlaskClient):
    """A test client whose body-less writes send `{}` as JSON, as every real client does.

    The API refuses writes that are not JSON (no cross-site forms); tests of that rule send
    their bodies explicitly with `data=`.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        method = str(kwargs.get("method", "GET")).upper()
        if (
            method in ("POST", "PUT", "PATCH", "DELETE")
            and kwargs.get("json") is None
            and not {"data", "content_type"} & kwargs.keys()
        ):
            kwargs["json"] = {}
        return super().open(*args, **kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[AppFactory]:
    """Build apps on fresh databases; options become config (site, database, features, clock)."""
    apps: list[Flask] = []

    def factory(
        site: dict[str, Any] | None = None,
        *,
        database: str | None = None,
        features: list[str] | None = None,
        clock: Callable[..., Any] | None = None,
        **config: Any,
    ) -> Flask:
        data_dir = tmp_path / f"data{len(apps)}"
        app = create_app(
            {
                "TESTING": True,
                "LUOT_DATA_DIR": data_dir,
                "LUOT_DATABASE_URL": database or f"sqlite:///{(data_dir / 'luot.db').as_posix()}",
                "LUOT_SITE": site if site is not None else make_site(),
                "LUOT_FEATURES": features if features is not None else [],
                "LUOT_CLOCK": clock,
                **config,
            }
        )
        app.test_client_class = JsonTestClient
        apps.append(app)
        return app

    yield factory
    for app in apps:
        for extension in app.extensions.values():
            shutdown = getattr(extension, "shutdown", None)
            if callable(shutdown):
                shutdown()
        app.extensions["luot.db"].dispose()


@pytest.fixture
def app(make_app: AppFactory, clock: FakeClock) -> Flask:
    return make_app(clock=clock)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh database on the local PostgreSQL server (never skipped: make test starts it)."""
    url = create_pg_database()
    yield url
    drop_pg_database(url)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """Start `luot serve` subprocesses: live_server(site=..., database=..., env=...)."""
    servers: list[LiveServer] = []

    def start(
        site: dict[str, Any] | None = None,
        *,
        database: str | None = None,
        env: dict[str, str] | None = None,
        data_dir: Path | None = None,
        port: int | None = None,
    ) -> LiveServer:
        folder = data_dir or tmp_path / f"server{len(servers)}"
        folder.mkdir(parents=True, exist_ok=True)
        site_file = write_site(folder / "site.toml", site or make_site())
        server = LiveServer(folder, site_file, database=database, port=port, env=env).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
