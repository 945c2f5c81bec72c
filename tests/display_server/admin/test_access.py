"""Sign-in, roles, CSRF, throttling and sessions that end when the officer changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from display_server.admin.security import SESSION_ID, SESSION_STAMP, password_stamp
from display_server.admin.session_records import start_session
from display_server.models import AuditLog, Office, Officer
from tests.factories import PASSWORD, FakeClock, login

from .conftest import sign_in, table_rows

PAGES = [
    "/admin/live",
    "/admin/live.json",
    "/admin/reports",
    "/admin/office",
    "/admin/services",
    "/admin/counters",
    "/admin/officers",
    "/admin/kiosks",
    "/admin/audit",
    "/admin/settings/voice",
    "/admin/reports/export.xlsx",
]


def test_pages_ask_for_sign_in_first(admin_app: Flask) -> None:
    client = admin_app.test_client()
    response = client.get("/admin/reports?group=hour")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=/admin/reports")
    assert client.get("/admin/live.json").status_code == 401
    token = sign_in(client)
    assert token
    for page in PAGES:
        assert client.get(page).status_code == 200, page


def test_sign_in_goes_back_to_the_page_asked_for_but_never_elsewhere(admin_app: Flask) -> None:
    client = admin_app.test_client()
    client.get("/admin/login")
    with client.session_transaction() as session:
        token = session["csrf_token"]
    form = {"username": "mai", "password": PASSWORD, "csrf_token": token}
    response = client.post("/admin/login", data={**form, "next": "/admin/officers"})
    assert response.headers["Location"] == "/admin/officers"
    client.post("/admin/logout", data={"csrf_token": sign_in(client)})
    client.get("/admin/login")
    with client.session_transaction() as session:
        token = session["csrf_token"]
    response = client.post(
        "/admin/login", data={**form, "csrf_token": token, "next": "//evil.example/admin"}
    )
    assert response.headers["Location"] == "/admin/live"


def test_an_officer_cannot_sign_in_or_reach_any_page(admin_app: Flask) -> None:
    client = admin_app.test_client()
    client.get("/admin/login")
    with client.session_transaction() as session:
        token = session["csrf_token"]
    response = client.post(
        "/admin/login", data={"username": "lan", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 403
    assert "không có quyền vào trang quản trị" in response.data.decode()
    # Even with a forged session for an officer account, every page answers 403.
    with admin_app.extensions["luot.db"].write_session() as write:
        lan = write.scalars(select(Officer).where(Officer.username == "lan")).one()
        now = admin_app.config["LUOT_CLOCK"]()
        session_id = start_session(write, lan.id, now, admin_app.permanent_session_lifetime)
        stamp = password_stamp(lan)
    with client.session_transaction() as session:
        session[SESSION_ID], session[SESSION_STAMP] = session_id, stamp
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 403, page
    assert "Không có quyền" in client.get("/admin/office").data.decode()
    assert client.get("/admin/live.json").get_json()["error"] == "Không có quyền"
    with client.session_transaction() as session:
        token = session["csrf_token"]
    assert client.post("/admin/office", data={"csrf_token": token, "name": "X"}).status_code == 403


def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(
    admin_client: tuple[FlaskClient, str],
    admin_app: Flask,
) -> None:
    client, token = admin_client
    db = admin_app.extensions["luot.db"]
    with db.read_session() as read:
        before = table_rows(read, Office)
    form = {
        "name": "Tên mới",
        "unit": "",
        "timezone": "Asia/Ho_Chi_Minh",
        "priority_policy": "strict",
        "priority_ratio": "3",
        "no_show_grace_minutes": "15",
    }
    for bad in ({}, {"csrf_token": "not-the-token"}):
        response = client.post("/admin/office", data={**form, **bad})
        assert response.status_code == 400
        assert "mã bảo vệ" in response.data.decode()
    with db.read_session() as read:
        assert table_rows(read, Office) == before
    assert client.post("/admin/office", data={**form, "csrf_token": token}).status_code == 302
    with db.read_session() as read:
        assert read.scalars(select(Office)).one().name == "Tên mới"


def test_the_sign_in_form_itself_needs_the_token(admin_app: Flask) -> None:
    client = admin_app.test_client()
    response = client.post("/admin/login", data={"username": "mai", "password": PASSWORD})
    assert response.status_code == 400


def test_repeated_failures_throttle_sign_in(admin_app: Flask, clock: FakeClock) -> None:
    client = admin_app.test_client()
    client.get("/admin/login")
    with client.session_transaction() as session:
        token = session["csrf_token"]
    for _ in range(5):
        response = client.post(
            "/admin/login", data={"username": "mai", "password": "sai", "csrf_token": token}
        )
        assert response.status_code == 401
        assert "Sai tên đăng nhập hoặc mật khẩu." in response.data.decode()
    clock.now += timedelta(seconds=1)
    response = client.post(
        "/admin/login", data={"username": "mai", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 429
    assert "thử lại sau 5 phút" in response.data.decode()
    assert response.headers["Retry-After"] == "300"
    # Another account from the same address is not blocked by this one's failures.
    with admin_app.extensions["luot.db"].write_session() as write:
        mai = write.scalars(select(Officer).where(Officer.username == "mai")).one()
        write.add(
            Officer(
                office_id=mai.office_id,
                username="thu",
                full_name="Đỗ Thu",
                role="admin",
                password_hash=mai.password_hash,
            )
        )
    sign_in(admin_app.test_client(), "thu")


def test_a_password_reset_ends_the_officers_sessions(
    admin_client: tuple[FlaskClient, str],
    admin_app: Flask,
) -> None:
    client, token = admin_client
    with admin_app.extensions["luot.db"].write_session() as write:
        mai = write.scalars(select(Officer).where(Officer.username == "mai")).one()
        write.add(
            Officer(
                office_id=mai.office_id,
                username="thu",
                full_name="Đỗ Thu",
                role="supervisor",
                password_hash=mai.password_hash,
            )
        )
    other = admin_app.test_client()
    sign_in(other, "thu")
    assert other.get("/admin/live").status_code == 200
    api = admin_app.test_client()
    bearer = login(api, "thu")
    with admin_app.extensions["luot.db"].read_session() as read:
        thu_id = read.scalars(select(Officer.id).where(Officer.username == "thu")).one()
    new = "mat-khau-moi-123"
    response = client.post(
        f"/admin/officers/{thu_id}/password",
        data={"csrf_token": token, "password": new, "password_confirm": new},
    )
    assert response.status_code == 302
    assert other.get("/admin/live").status_code == 302  # back to the sign-in page
    assert api.get("/api/v1/auth/me", headers=bearer).status_code == 401
    sign_in(other, "thu", "mat-khau-moi-123")
    with admin_app.extensions["luot.db"].read_session() as read:
        entry = read.scalars(
            select(AuditLog).where(AuditLog.action == "officer.password_reset")
        ).one()
        assert entry.target == "thu" and "password" not in str(entry.detail)


def test_secret_key_is_made_once_and_kept(make_app: Callable[..., Flask]) -> None:
    first = make_app(features=["display_server.admin"])
    key_file = first.config["LUOT_DATA_DIR"] / "secret_key"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    again = make_app(
        features=["display_server.admin"],
        database=first.config["LUOT_DATABASE_URL"],
        LUOT_DATA_DIR=first.config["LUOT_DATA_DIR"],
    )
    assert again.secret_key == first.secret_key == key_file.read_text().strip()
