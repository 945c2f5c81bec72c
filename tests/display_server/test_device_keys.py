"""Device keys from the site file: checked when the file is read, stored hashed, applied at
provisioning, ended when the file drops them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from display_server.site import SiteError, check_site
from display_server.trust.models import DeviceKey
from tests.factories import FakeClock, make_site

KEY = "a-kiosk-key-from-the-site-file"


def site_with(kiosk_key: str | None = KEY, **extra: Any) -> dict[str, Any]:
    site = make_site()
    site["kiosks"] = [{"id": "hall", "name": "Sảnh"} | ({"key": kiosk_key} if kiosk_key else {})]
    site.update(extra)
    return site


@pytest.mark.parametrize(
    ("site", "problem"),
    [
        (site_with("short"), "[[kiosks]] #1: key must be 16–128"),
        (site_with("has spaces in the key, sadly"), "[[kiosks]] #1: key must be"),
        (site_with(tablets=[{"id": "t1", "key": KEY + "-t"}]), "counter must be"),
        (site_with(tablets=[{"id": "t 1", "counter": 1, "key": KEY + "-t"}]), "unique id"),
        (site_with(tablets=[{"id": "t1", "counter": 1}]), "[[tablets]] #1: key must be"),
        (site_with(tablets=[{"id": "t1", "counter": 1, "key": KEY}]), "a key of its own"),
        (site_with(tablets={"id": "t1"}), "[[tablets]] must be a list"),
    ],
)
def test_the_site_file_is_refused_with_the_reason(site: dict[str, Any], problem: str) -> None:
    with pytest.raises(SiteError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        check_site(site)


def test_a_tablet_at_no_counter_stops_the_start(make_app: Callable[..., Flask]) -> None:
    tablets = [{"id": "t9", "counter": 9, "name": "Quầy 9", "key": KEY + "-at-9"}]
    with pytest.raises(SiteError, match="there is no counter 9"):
        make_app(site=site_with(tablets=tablets))


def test_keys_are_stored_hashed_and_follow_the_site_file(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    first = make_app(site=site_with(), clock=clock)
    client = first.test_client()
    issued = client.post("/api/v1/tickets", json={"service": "A"}, headers={"X-Device-Key": KEY})
    assert issued.status_code == 201 and issued.get_json()["kiosk"] == "hall"
    with first.extensions["luot.db"].read_session() as session:
        [row] = session.scalars(select(DeviceKey)).all()
        assert (row.kind, row.name, row.source) == ("kiosk", "hall", "site")
        assert KEY not in (row.key_hash, row.name, row.label)
    database = first.config["LUOT_DATABASE_URL"]

    def status(app: Flask, key: str) -> int:
        answer = app.test_client().post(
            "/api/v1/tickets", json={"service": "A"}, headers={"X-Device-Key": key}
        )
        return answer.status_code

    new_key = KEY + "-2"
    changed = make_app(site=site_with(new_key), database=database, clock=clock)
    assert (status(changed, KEY), status(changed, new_key)) == (401, 201)
    dropped = make_app(site=site_with(None), database=database, clock=clock)
    assert status(dropped, new_key) == 401
    restored = make_app(site=site_with(new_key), database=database, clock=clock)
    assert status(restored, new_key) == 401  # once ended, a key never counts again
