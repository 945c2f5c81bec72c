"""Hole 4: one sign-in throttle for the API and administration, kept in the database.

Per username from one client address and per address; shared by the two doors and by every
server process on one database (SQLite file and PostgreSQL); X-Forwarded-For believed only
from a trusted proxy; failures and lock-outs audited; the table bounded whatever is guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from display_server.models import AuditLog
from display_server.trust.models import ThrottleHit
from tests.factories import PASSWORD, FakeClock, make_site

ADMIN = "display_server.admin"
ENGINES = pytest.mark.parametrize(
    "engine", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)


def site(**security: Any) -> dict[str, Any]:
    """The test site with a `[security]` table."""
    made = make_site()
    made["security"] = security
    return made


def api_login(
    client: FlaskClient,
    username: str,
    password: str = "sai-mat-khau",
    address: str = "192.168.1.21",
    forwarded: str | None = None,
) -> TestResponse:
    """POST /api/v1/auth/login from `address` (through a proxy when `forwarded` is given)."""
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password},
        headers=headers,
        environ_base={"REMOTE_ADDR": address},
    )


def admin_login(
    client: FlaskClient,
    username: str,
    password: str = "sai-mat-khau",
    address: str = "192.168.1.21",
) -> TestResponse:
    """The administration sign-in form posted from `address`, with its CSRF token."""
    client.get("/admin/login", environ_base={"REMOTE_ADDR": address})
    with client.session_transaction() as session:
        token = session["csrf_token"]
    return client.post(
        "/admin/login",
        data={"username": username, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def database(engine: str, request: pytest.FixtureRequest) -> str | None:
    """A fresh PostgreSQL database for "postgresql"; None (the app's own SQLite file) else."""
    return str(request.getfixturevalue("pg_url")) if engine == "postgresql" else None


def audit(app: Flask, action: str) -> list[AuditLog]:
    """The audit entries of one kind, oldest first."""
    with app.extensions["luot.db"].read_session() as read:
        return list(
            read.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id))
        )


def hits(app: Flask) -> int:
    """Rows in the throttle's table."""
    with app.extensions["luot.db"].read_session() as read:
        return int(read.scalar(select(func.count(ThrottleHit.id))) or 0)


def test_the_api_and_administration_share_one_count(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    app = make_app(site=site(), features=[ADMIN], clock=clock)
    api, admin = app.test_client(), app.test_client()
    for _ in range(3):
        assert api_login(api, "mai").status_code == 401
    for _ in range(2):
        assert admin_login(admin, "mai").status_code == 401
    clock.now += timedelta(seconds=1)
    blocked = api_login(api, "mai", PASSWORD)
    assert blocked.status_code == 429
    assert blocked.get_json()["error"] == "too_many_attempts"
    assert "5 phút" in blocked.get_json()["message"]
    assert blocked.headers["Retry-After"] == "300"
    page = admin_login(admin, "mai", PASSWORD)
    assert page.status_code == 429
    assert page.headers["Retry-After"] == "300"
    assert "thử lại sau 5 phút" in page.data.decode()
    # Once the window has passed, the right password works again, through either door.
    clock.now += timedelta(minutes=5)
    assert api_login(api, "mai", PASSWORD).status_code == 200
    assert admin_login(admin, "mai", PASSWORD).status_code == 302


@ENGINES
def test_two_servers_on_one_database_share_the_count(
    make_app: Callable[..., Flask], clock: FakeClock, engine: str, request: pytest.FixtureRequest
) -> None:
    first = make_app(site=site(), clock=clock, database=database(engine, request))
    second = make_app(site=site(), clock=clock, database=first.config["LUOT_DATABASE_URL"])
    for app in (first, second, first, second, first):
        assert api_login(app.test_client(), "binh").status_code == 401
    assert api_login(second.test_client(), "binh", PASSWORD).status_code == 429
    assert api_login(first.test_client(), "binh", PASSWORD).status_code == 429
    # Another username from the same address is still let in, on either server.
    assert api_login(second.test_client(), "lan", PASSWORD).status_code == 200


def test_forwarded_for_counts_only_from_a_trusted_proxy(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    app = make_app(site=site(trusted_proxies=["10.0.0.1"]), clock=clock)
    client = app.test_client()
    # Behind the office's proxy every request comes from 10.0.0.1: each client counts apart.
    for _ in range(5):
        assert (
            api_login(client, "binh", address="10.0.0.1", forwarded="192.168.1.21").status_code
            == 401
        )
    assert api_login(client, "binh", PASSWORD, "10.0.0.1", "192.168.1.21").status_code == 429
    assert api_login(client, "binh", PASSWORD, "10.0.0.1", "192.168.1.22").status_code == 200
    # A client that is not the proxy cannot choose its address by writing the header.
    for n in range(5):
        response = api_login(client, "hung", address="192.168.1.30", forwarded=f"172.16.0.{n}")
        assert response.status_code == 401
    assert api_login(client, "hung", PASSWORD, "192.168.1.30", "172.16.0.99").status_code == 429
    failed = audit(app, "signin.failed")
    assert {entry.detail["address"] for entry in failed} == {"192.168.1.21", "192.168.1.30"}


@ENGINES
def test_one_address_is_capped_across_many_usernames(
    make_app: Callable[..., Flask], clock: FakeClock, engine: str, request: pytest.FixtureRequest
) -> None:
    app = make_app(
        site=site(signin_failures_per_address=6),
        features=[ADMIN],
        clock=clock,
        database=database(engine, request),
    )
    client = app.test_client()
    for n in range(3):
        assert api_login(client, f"khach{n}").status_code == 401
        assert admin_login(client, f"quan-tri{n}").status_code == 401
    # Every username is refused from this address now, even a real one with its password...
    assert api_login(client, "lan", PASSWORD).status_code == 429
    assert admin_login(client, "mai", PASSWORD).status_code == 429
    # ...and from another address nothing is.
    assert api_login(client, "lan", PASSWORD, address="192.168.1.40").status_code == 200
    # A right password takes its own attempt back: an office's sign-ins never lock it out.
    for _ in range(10):
        assert api_login(client, "hung", PASSWORD, address="192.168.1.41").status_code == 200


def test_failures_and_lockouts_are_in_the_audit_log(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    app = make_app(site=site(signin_failures_per_address=7), features=[ADMIN], clock=clock)
    client = app.test_client()
    for _ in range(4):
        assert api_login(client, "binh").status_code == 401
    assert admin_login(client, "binh").status_code == 401
    for _ in range(3):  # refused without a check: no more entries
        assert api_login(client, "binh").status_code == 429
    failed = audit(app, "signin.failed")
    assert [entry.target for entry in failed] == ["binh"] * 5
    assert [entry.detail["via"] for entry in failed] == ["api"] * 4 + ["admin"]
    assert {entry.detail["address"] for entry in failed} == {"192.168.1.21"}
    assert all(entry.officer_id is None for entry in failed)
    locked = audit(app, "signin.locked")
    assert [(entry.target, entry.detail["scope"]) for entry in locked] == [("binh", "user")]
    assert locked[0].detail["address"] == "192.168.1.21" and locked[0].detail["minutes"] == 5
    assert "sai-mat-khau" not in str([entry.detail for entry in failed + locked])
    # Two more usernames fill the address's seven: that lock-out is audited too.
    assert api_login(client, "khong-co").status_code == 401
    assert admin_login(client, "ai-do").status_code == 401
    locked = audit(app, "signin.locked")
    assert [(entry.target, entry.detail["scope"]) for entry in locked][1:] == [("ai-do", "address")]


def test_the_table_stays_bounded_after_many_guessed_names(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    app = make_app(site=site(signin_failures_per_address=10), clock=clock)
    client = app.test_client()
    answers = [api_login(client, f"doan-{n}").status_code for n in range(200)]
    assert answers == [401] * 10 + [429] * 190
    assert hits(app) == 20  # one per username tried and one for the address, ten times
    assert len(audit(app, "signin.failed")) == 10
    # A window later the old rows are gone as new ones arrive, from any address.
    clock.now += timedelta(minutes=5, seconds=1)
    assert api_login(client, "doan-mot-lan-nua", address="192.168.1.50").status_code == 401
    assert hits(app) == 2
