"""Builders shared by the tests: a site, a controllable clock, sign-ins and tickets."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from display_server.auth import hash_password
from display_server.models import Counter, Office
from display_server.trust import devices

PASSWORD = "mat-khau-thu"
# Hashed once: provisioning every test app from plain passwords would hash each again.
PASSWORD_HASH = hash_password(PASSWORD)

BASE_SITE: dict[str, Any] = {
    "office": {
        "name": "UBND phường Phú Đô",
        "unit": "Bộ phận Một cửa",
        "timezone": "Asia/Ho_Chi_Minh",
    },
    # Tests issue many tickets from one address on a clock that stands still; the default
    # (3 a minute) is tested in tests/security/test_02_devices.py.
    "security": {"anonymous_tickets_per_minute": 1000, "anonymous_tickets_per_day": 100_000},
    "services": [
        {"code": "A", "name": "Hộ tịch", "name_en": "Civil status", "target_wait_minutes": 20},
        {
            "code": "B",
            "name": "Liên thông khai sinh – thường trú – BHYT trẻ em dưới 6 tuổi",
            "name_en": "Birth, residence and child health insurance (3-in-1)",
            "target_wait_minutes": 30,
        },
        {"code": "C", "name": "Chứng thực", "name_en": "Certification"},
        {"code": "D", "name": "Đăng ký đất đai", "name_en": "Land registration"},
    ],
    "counters": [
        {"number": 1, "name": "Quầy 1", "services": ["A", "B"]},
        {"number": 2, "name": "Quầy 2", "services": ["C", "A"]},
        {"number": 3, "name": "Quầy 3", "services": ["D", "C"]},
    ],
    "officers": [
        {"username": "lan", "full_name": "Nguyễn Thị Lan", "password_hash": PASSWORD_HASH},
        {"username": "hung", "full_name": "Trần Văn Hùng", "password_hash": PASSWORD_HASH},
        {"username": "binh", "full_name": "Phạm Văn Bình", "password_hash": PASSWORD_HASH},
        {
            "username": "mai",
            "full_name": "Lê Thị Mai",
            "password_hash": PASSWORD_HASH,
            "role": "supervisor",
        },
    ],
}


def make_site(**office: Any) -> dict[str, Any]:
    """A fresh copy of the test site, with [office] keys overridden."""
    site = copy.deepcopy(BASE_SITE)
    site["office"].update(office)
    return site


def many_counters(site: dict[str, Any], count: int, services: list[str]) -> dict[str, Any]:
    """Add counters numbered 1..count serving `services`, and one officer per counter."""
    site["counters"] = [
        {"number": n, "name": f"Quầy {n}", "services": services} for n in range(1, count + 1)
    ]
    site["officers"] += [
        {"username": f"cb{n}", "full_name": f"Cán bộ {n}", "password_hash": PASSWORD_HASH}
        for n in range(1, count + 1)
    ]
    return site


class FakeClock:
    """A clock the test moves by hand; starts on a working morning in Hanoi."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 25, 1, 30, tzinfo=UTC)  # 08:30 in Hanoi

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def login(client: FlaskClient, username: str, counter: int | None = None) -> dict[str, str]:
    """Sign in and return the Authorization header."""
    body: dict[str, Any] = {"username": username, "password": PASSWORD}
    if counter is not None:
        body["counter"] = counter
    response = client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def issue(client: FlaskClient, service: str = "A", **extra: Any) -> dict[str, Any]:
    """Issue a ticket through the API and return its JSON."""
    response = client.post("/api/v1/tickets", json={"service": service, **extra})
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def pair_device(app: Flask, kind: str, name: str) -> dict[str, str]:
    """Pair kiosk `name` (or the tablet at counter `name`) as administration does; its header."""
    with app.extensions["luot.db"].write_session() as session:
        office_id = session.scalars(select(Office.id)).one()
        if kind == devices.TABLET:
            counter = session.scalars(select(Counter).where(Counter.number == int(name))).one()
            key = devices.pair_tablet(session, office_id, counter, FakeClock().now)
        else:
            key = devices.pair_kiosk(session, office_id, name, name, FakeClock().now)
    return {"X-Device-Key": key}
