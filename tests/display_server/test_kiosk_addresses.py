"""Addresses people are told to open: each listed kiosk's own, and the machine's LAN address."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

from flask import Flask

from display_server.banner import banner, lan_addresses
from tests.factories import make_site

AppFactory = Callable[..., Flask]
FEATURES = ["display_server.screens", "display_server.admin"]


def kiosk_site() -> dict[str, object]:
    site = make_site()
    site["kiosks"] = [
        {"id": "sanh-chinh", "name": "Ki-ốt sảnh chính", "key": "key-of-the-hall-kiosk"},
        {"id": "tang-2", "name": "Ki-ốt tầng 2"},
    ]
    return site


def test_the_banner_names_each_listed_kiosk(make_app: AppFactory) -> None:
    app = make_app(site=kiosk_site(), features=FEATURES)
    text = banner(app, "http", "127.0.0.1", 8080)
    assert "http://localhost:8080/kiosk/sanh-chinh   (Ki-ốt sảnh chính)" in text
    assert "http://localhost:8080/kiosk/tang-2" in text
    assert "/kiosk/1" not in text
    assert "--host 0.0.0.0" in text  # bound to loopback: say how TVs can reach it


def test_the_banner_gives_lan_addresses_when_bound_everywhere(make_app: AppFactory) -> None:
    app = make_app(features=FEATURES)  # no [[kiosks]]: any kiosk name works
    text = banner(app, "http", "0.0.0.0", 8080, lan=["192.168.1.10", "10.0.0.7"])
    assert "http://192.168.1.10:8080/display" in text
    assert "http://192.168.1.10:8080/kiosk/1" in text
    assert "also at    http://10.0.0.7:8080" in text
    assert "localhost" not in text


def test_lan_addresses_leave_out_loopback_and_link_local() -> None:
    def address(text: str) -> SimpleNamespace:
        return SimpleNamespace(address=text)

    interfaces = {
        "lo": [address("127.0.0.1"), address("::1")],
        "eth0": [address("192.168.1.10"), address("fe80::1"), address("00:11:22:33:44:55")],
        "wlan0": [address("169.254.3.4"), address("10.0.0.7")],
    }
    assert lan_addresses(interfaces) == ["192.168.1.10", "10.0.0.7"]  # type: ignore[arg-type]


def test_screens_lists_the_configured_kiosks(make_app: AppFactory) -> None:
    app = make_app(site=kiosk_site(), features=FEATURES)
    page = app.test_client().get("/screens").get_data(as_text=True)
    assert 'href="/kiosk/sanh-chinh"' in page and "Ki-ốt sảnh chính" in page
    assert 'href="/kiosk/tang-2"' in page
    assert 'href="/kiosk/1"' not in page
    assert 'href="/kiosk/1"' in make_app(features=FEATURES).test_client().get("/screens").text


def test_the_kiosk_list_saved_in_administration_wins(make_app: AppFactory) -> None:
    from display_server.settings import save_section

    app = make_app(site=kiosk_site(), features=FEATURES)
    save_section(app, "kiosks", {"items": [{"id": "cong", "name": "Ki-ốt cổng"}]})
    page = app.test_client().get("/screens").get_data(as_text=True)
    assert 'href="/kiosk/cong"' in page and "/kiosk/sanh-chinh" not in page
    assert "/kiosk/cong   (Ki-ốt cổng)" in banner(app, "http", "127.0.0.1", 8080)
