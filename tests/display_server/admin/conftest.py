"""Fixtures for administration: an app with the feature, two synthetic days played through the
queue engine (once per module), and signing in through the real form."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from display_server.app import create_app
from tests.factories import PASSWORD, FakeClock, make_site

from .scenario import Record, play

# 12:00 in Hanoi on the second synthetic day.
NOON = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)


def admin_site(**extra: Any) -> dict[str, Any]:
    """The test site; voice never plays on this machine."""
    site = make_site()
    site["voice"] = {"play_on_server": False, "repeat": 1}
    site.update(extra)
    return site


@pytest.fixture
def admin_app(make_app: Callable[..., Flask], clock: FakeClock) -> Flask:
    return make_app(site=admin_site(), features=["display_server.admin"], clock=clock)


def sign_in(client: FlaskClient, username: str = "mai", password: str = PASSWORD) -> str:
    """Sign in through the form; returns the session's CSRF token."""
    client.get("/admin/login")
    with client.session_transaction() as session:
        token: str = session["csrf_token"]
    response = client.post(
        "/admin/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.data.decode()[:500]
    with client.session_transaction() as session:
        token = session["csrf_token"]
    return token


@pytest.fixture
def admin_client(admin_app: Flask) -> tuple[FlaskClient, str]:
    client = admin_app.test_client()
    return client, sign_in(client)


@pytest.fixture(scope="session")
def day_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, dict[int, Record]]]:
    """An app with two synthetic days of tickets, shared by the tests (read only)."""
    folder = tmp_path_factory.mktemp("admin-day")
    app = create_app(
        {
            "TESTING": True,
            "LUOT_DATA_DIR": folder,
            "LUOT_DATABASE_URL": f"sqlite:///{(folder / 'luot.db').as_posix()}",
            "LUOT_SITE": admin_site(),
            "LUOT_FEATURES": ["display_server.admin"],
            "LUOT_CLOCK": FakeClock(NOON),
        }
    )
    records = play(app.extensions["luot.db"])
    yield app, records
    app.extensions["luot.db"].dispose()


def table_rows(session: Session, model: Any) -> list[tuple[Any, ...]]:
    """Every row of a table as tuples of its column values (to prove nothing changed)."""
    columns = list(model.__table__.columns)
    return [tuple(row) for row in session.execute(select(*columns).order_by(*columns[:1]))]
