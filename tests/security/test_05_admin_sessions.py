"""Hole 5: administration sessions are 12-hour, HttpOnly, SameSite=Lax cookies (Secure under
HTTPS) naming a record on the server, which sign-out, deactivation or a new password end."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from display_server.models import Officer
from display_server.trust.models import AdminSession
from tests.factories import PASSWORD, FakeClock, make_site

ADMIN = "display_server.admin"
COOKIE = "session"


def admin_app(make_app: Callable[..., Flask], clock: FakeClock, **security: object) -> Flask:
    """An app with administration and a second supervisor, thu."""
    site = make_site()
    site["officers"].append({**site["officers"][3], "username": "thu", "full_name": "Đỗ Thu"})
    site["security"] = dict(security)
    return make_app(site=site, features=[ADMIN], clock=clock)


def sign_in(
    client: FlaskClient, username: str = "mai", base_url: str = "http://localhost", **environ: str
) -> TestResponse:
    """Post the sign-in form (with its CSRF token); returns the answer that sets the cookie."""
    client.get("/admin/login", base_url=base_url, environ_base=environ)
    with client.session_transaction(base_url=base_url) as session:
        token = session["csrf_token"]
    response = client.post(
        "/admin/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        base_url=base_url,
        environ_base=environ,
    )
    assert response.status_code == 302, response.data.decode()[:300]
    return response


def csrf(client: FlaskClient) -> str:
    """The signed-in session's CSRF token."""
    with client.session_transaction() as session:
        token: str = session["csrf_token"]
    return token


def cookie_of(response: TestResponse) -> str:
    """The Set-Cookie header for the session cookie."""
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{COOKIE}=")]
    assert len(headers) == 1
    return headers[0]


def attributes(header: str) -> dict[str, str]:
    """A Set-Cookie header's attributes, names lower-cased."""
    parts = [part.strip() for part in header.split(";")[1:]]
    return {name.lower(): value for name, _, value in (part.partition("=") for part in parts)}


def officer_id(app: Flask, username: str) -> int:
    with app.extensions["luot.db"].read_session() as read:
        return int(read.scalars(select(Officer.id).where(Officer.username == username)).one())


def sessions_of(app: Flask, username: str) -> list[AdminSession]:
    with app.extensions["luot.db"].read_session() as read:
        found = read.scalars(
            select(AdminSession).where(AdminSession.officer_id == officer_id(app, username))
        )
        return list(found)


def test_the_cookie_is_httponly_lax_and_lasts_twelve_hours(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    app = admin_app(make_app, clock)
    header = cookie_of(sign_in(app.test_client()))
    found = attributes(header)
    assert "httponly" in found
    assert found["samesite"] == "Lax"
    assert "secure" not in found  # plain HTTP: a Secure cookie would never come back
    # Flask dates the cookie by the wall clock; twelve hours, not Flask's 31 days.
    expires = parsedate_to_datetime(found["expires"])
    assert abs(expires - (datetime.now(UTC) + timedelta(hours=12))) < timedelta(minutes=5)
    (record,) = sessions_of(app, "mai")
    assert record.expires_at - record.created_at == timedelta(hours=12)


def test_the_cookie_is_secure_when_the_request_came_over_https(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    app = admin_app(make_app, clock, trusted_proxies=["10.0.0.1"])
    direct = cookie_of(sign_in(app.test_client(), base_url="https://localhost"))
    assert "secure" in attributes(direct)
    # Behind the office's TLS proxy, which says so in X-Forwarded-Proto...
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_PROTO"] = "https"
    proxied = cookie_of(sign_in(client, REMOTE_ADDR="10.0.0.1"))
    assert "secure" in attributes(proxied)
    # ...but the header counts for nothing from anyone else.
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_PROTO"] = "https"
    forged = cookie_of(sign_in(client, REMOTE_ADDR="192.168.1.30"))
    assert "secure" not in attributes(forged)


def test_a_cookie_copied_before_logout_is_refused_after_it(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    app = admin_app(make_app, clock)
    client = app.test_client()
    sign_in(client)
    stolen = client.get_cookie(COOKIE)
    assert stolen is not None
    thief = app.test_client()
    thief.set_cookie(COOKIE, stolen.value)
    assert thief.get("/admin/live").status_code == 200
    assert client.post("/admin/logout", data={"csrf_token": csrf(client)}).status_code == 302
    assert client.get("/admin/live").status_code == 302
    refused = thief.get("/admin/live")
    assert refused.status_code == 302
    assert refused.headers["Location"].startswith("/admin/login")
    assert thief.get("/admin/live.json").status_code == 401
    (record,) = sessions_of(app, "mai")
    assert record.ended_at == clock.now


def test_deactivation_ends_the_session_for_good(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    app = admin_app(make_app, clock)
    admin, thu = app.test_client(), app.test_client()
    sign_in(admin)
    sign_in(thu, "thu")
    kept = thu.get_cookie(COOKIE)
    assert kept is not None and thu.get("/admin/live").status_code == 200
    page = f"/admin/officers/{officer_id(app, 'thu')}"
    form = {"csrf_token": csrf(admin), "full_name": "Đỗ Thu", "role": "supervisor"}
    assert admin.post(page, data=form).status_code == 302  # no "active": deactivated
    assert admin.post(page, data={**form, "active": "on"}).status_code == 302
    # Active again, but the session it had is over: a new sign-in is needed.
    later = app.test_client()
    later.set_cookie(COOKIE, kept.value)
    assert later.get("/admin/live").status_code == 302
    assert all(record.ended_at is not None for record in sessions_of(app, "thu"))
    sign_in(thu, "thu")
    assert thu.get("/admin/live").status_code == 200


def test_a_new_password_ends_the_sessions_on_the_server(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    app = admin_app(make_app, clock)
    admin, thu, thu_elsewhere = app.test_client(), app.test_client(), app.test_client()
    sign_in(admin)
    sign_in(thu, "thu")
    sign_in(thu_elsewhere, "thu")
    new = "mat-khau-moi-123"
    response = admin.post(
        f"/admin/officers/{officer_id(app, 'thu')}/password",
        data={"csrf_token": csrf(admin), "password": new, "password_confirm": new},
    )
    assert response.status_code == 302
    assert thu.get("/admin/live").status_code == 302
    assert thu_elsewhere.get("/admin/live").status_code == 302
    records = sessions_of(app, "thu")
    assert len(records) == 2 and all(record.ended_at == clock.now for record in records)
    assert admin.get("/admin/live").status_code == 200  # other officers' sessions go on


def test_a_session_ends_on_the_server_after_twelve_hours(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    app = admin_app(make_app, clock)
    client = app.test_client()
    sign_in(client)
    clock.now += timedelta(hours=11, minutes=59)
    assert client.get("/admin/live").status_code == 200
    clock.now += timedelta(minutes=2)
    assert client.get("/admin/live").status_code == 302  # the cookie is still presented
    # Expired records go as new sessions start: the table keeps only usable ones.
    sign_in(client)
    (record,) = sessions_of(app, "mai")
    assert record.created_at == clock.now
