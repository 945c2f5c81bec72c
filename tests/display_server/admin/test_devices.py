"""Administration pairs kiosks and rating tablets (a key shown once, with its QR code) and
revokes them; every change is in the audit log."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from display_server.models import AuditLog
from tests.factories import FakeClock, issue, login, make_site

from .conftest import admin_site, sign_in
from .test_pages import VIETNAMESE

SITE_KEY = "hall-kiosk-key-in-the-site-file"


def devices_app(make_app: Callable[..., Flask], clock: FakeClock) -> Flask:
    site = admin_site(kiosks=[{"id": "sanh", "name": "Ki-ốt sảnh", "key": SITE_KEY}])
    return make_app(site=site, features=["display_server.admin"], clock=clock)


def pair(client: FlaskClient, csrf: str, **form: str) -> str:
    """Pair through the form; the key from the address it shows once."""
    response = client.post("/admin/devices/pair", data={"csrf_token": csrf, **form})
    assert response.status_code == 200, response.data.decode()[:300]
    page = response.data.decode()
    assert "<svg" in page  # the QR code, drawn on the server
    match = re.search(r'id="pairing-address">([^<]+)#pair=([A-Za-z0-9_-]+)<', page)
    assert match, page
    return match[2]


def ticket_status(client: FlaskClient, key: str, **body: str) -> int:
    response = client.post(
        "/api/v1/tickets", json={"service": "A", **body}, headers={"X-Device-Key": key}
    )
    return response.status_code


def test_a_kiosk_is_paired_re_paired_and_revoked(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    app = devices_app(make_app, clock)
    client = app.test_client()
    csrf = sign_in(client)
    listing = client.get("/admin/devices").data.decode()
    assert "Khóa trong tệp cấu hình" in listing and 'data-kiosk="sanh"' in listing
    assert 'data-counter="3"' in listing

    response = client.post(
        "/admin/devices/pair", data={"csrf_token": csrf, "kind": "kiosk", "kiosk": "tang-2"}
    )
    address = re.search(r'id="pairing-address">([^<]+)<', response.data.decode())
    assert address and address[1].startswith("http://localhost/kiosk/tang-2#pair=")
    first = address[1].rsplit("=", 1)[1]
    ticket = client.post("/api/v1/tickets", json={"service": "A"}, headers={"X-Device-Key": first})
    assert ticket.status_code == 201 and ticket.get_json()["kiosk"] == "tang-2"
    assert "Đã ghép lúc" in client.get("/admin/devices").data.decode()

    second = pair(client, csrf, kind="kiosk", kiosk="tang-2")
    assert ticket_status(client, first) == 401  # pairing again replaces the old key
    assert ticket_status(client, second) == 201
    assert ticket_status(client, SITE_KEY, kiosk="sanh") == 201

    for kiosk in ("tang-2", "sanh"):
        revoked = client.post(
            "/admin/devices/revoke", data={"csrf_token": csrf, "kind": "kiosk", "kiosk": kiosk}
        )
        assert revoked.status_code == 302
    assert ticket_status(client, second) == ticket_status(client, SITE_KEY) == 401
    with app.extensions["luot.db"].read_session() as session:
        actions = session.scalars(
            select(AuditLog.action + " " + AuditLog.target).order_by(AuditLog.id)
        ).all()
    assert actions[-4:] == [
        "device.pair kiosk tang-2",
        "device.pair kiosk tang-2",
        "device.revoke kiosk tang-2",
        "device.revoke kiosk sanh",
    ]


def test_a_revoked_site_key_stays_revoked_when_the_server_starts_again(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    app = devices_app(make_app, clock)
    client = app.test_client()
    csrf = sign_in(client)
    client.post(
        "/admin/devices/revoke", data={"csrf_token": csrf, "kind": "kiosk", "kiosk": "sanh"}
    )
    site = admin_site(
        kiosks=[{"id": "sanh", "name": "Ki-ốt sảnh (đổi tên)", "key": SITE_KEY}],
        tablets=[
            {"id": "t1", "counter": 1, "name": "Máy quầy 1", "key": "tablet-key-at-counter-1"}
        ],
    )
    again = make_app(
        site=site,
        database=app.config["LUOT_DATABASE_URL"],
        features=["display_server.admin"],
        clock=clock,
    )
    client = again.test_client()
    assert ticket_status(client, SITE_KEY) == 401
    target = client.get(
        "/api/v1/counters/1/rating-target", headers={"X-Device-Key": "tablet-key-at-counter-1"}
    )
    assert target.status_code == 404  # a key that counts: only the screens feature is off


def test_a_tablet_is_paired_to_its_counter(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    app = make_app(
        site=admin_site(), features=["display_server.admin", "display_server.screens"], clock=clock
    )
    client = app.test_client()
    csrf = sign_in(client)
    key = pair(client, csrf, kind="tablet", counter="2")
    tablet = {"X-Device-Key": key}
    assert client.get("/api/v1/counters/2/rating-target", headers=tablet).status_code == 200
    other = client.get("/api/v1/counters/1/rating-target", headers=tablet)
    assert (other.status_code, other.get_json()["error"]) == (403, "wrong_counter")
    assert ticket_status(client, key) == 403  # a tablet's key issues nothing
    client.post(
        "/admin/devices/revoke", data={"csrf_token": csrf, "kind": "tablet", "counter": "2"}
    )
    assert client.get("/api/v1/counters/2/rating-target", headers=tablet).status_code == 401


def test_bad_forms_change_nothing(make_app: Callable[..., Flask], clock: FakeClock) -> None:
    app = devices_app(make_app, clock)
    client = app.test_client()
    csrf = sign_in(client)
    assert (
        client.post("/admin/devices/pair", data={"kind": "kiosk", "kiosk": "x"}).status_code == 400
    )
    bad_id = client.post(
        "/admin/devices/pair", data={"csrf_token": csrf, "kind": "kiosk", "kiosk": "a b"}
    )
    assert bad_id.status_code == 302
    assert "Mã ki-ốt chỉ gồm" in client.get("/admin/devices").data.decode()
    for form in ({"kind": "phone"}, {"kind": "tablet", "counter": "x"}):
        assert (
            client.post("/admin/devices/pair", data={"csrf_token": csrf, **form}).status_code == 400
        )
    missing = {"csrf_token": csrf, "kind": "tablet", "counter": "99"}
    assert client.post("/admin/devices/pair", data=missing).status_code == 404
    assert "Đã ghép lúc" not in client.get("/admin/devices").data.decode()


def test_officers_cannot_pair(make_app: Callable[..., Flask], clock: FakeClock) -> None:
    app = devices_app(make_app, clock)
    client = app.test_client()
    client.get("/admin/login")
    issue(client, "A")
    login(client, "lan")
    assert client.get("/admin/devices").status_code == 302  # to the sign-in page


def test_the_pages_in_english(make_app: Callable[..., Flask], clock: FakeClock) -> None:
    site = make_site(name="Ward One", unit="One-stop desk")
    for counter in site["counters"]:
        counter["name"] = f"Counter {counter['number']}"
    for officer in site["officers"]:
        officer["full_name"] = officer["username"].title()
    site["kiosks"] = [{"id": "hall", "name": "Hall", "key": SITE_KEY}]
    app = make_app(site=site, features=["display_server.admin"], clock=clock)
    client = app.test_client()
    client.get("/admin/login?lang=en")
    csrf = sign_in(client)
    pair(client, csrf, kind="kiosk", kiosk="upstairs")
    for text in (
        client.get("/admin/devices").data.decode(),
        client.post(
            "/admin/devices/pair", data={"csrf_token": csrf, "kind": "tablet", "counter": "1"}
        ).data.decode(),
    ):
        text = text.replace("Lượt", "").replace("Tiếng Việt", "")
        assert not VIETNAMESE.findall(text), re.findall(r"[^<>]{0,40}" + VIETNAMESE.pattern, text)


def test_a_site_files_key_never_reaches_a_form_or_the_audit_log(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    app = devices_app(make_app, clock)
    client = app.test_client()
    csrf = sign_in(client)
    assert SITE_KEY not in client.get("/admin/kiosks").data.decode()
    form = {
        "csrf_token": csrf,
        "kiosk_1_id": "sanh",
        "kiosk_1_name": "Sảnh",
        "kiosk_1_qr": "native",
    }
    assert client.post("/admin/kiosks", data=form).status_code == 302
    with app.extensions["luot.db"].read_session() as session:
        details = session.scalars(select(AuditLog.detail)).all()
    assert details and SITE_KEY not in repr(details)
    assert SITE_KEY not in client.get("/admin/audit").data.decode()
    assert ticket_status(client, SITE_KEY) == 201  # the key itself still counts
