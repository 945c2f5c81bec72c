"""Hole 7: printer URLs typed in administration name printer devices only, never a file to
overwrite (python-escpos opens a file:// path with "wb", as root under `make run`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from display_server.admin.sections import NOT_A_PRINTER
from display_server.i18n import translate
from display_server.models import OfficeSetting
from display_server.printing import EXTENSION_KEY, read_kiosks
from display_server.settings import save_section
from printer import NotAPrinterDeviceError, parse_device_url, parse_printer_url
from tests.display_server.admin.conftest import admin_site, sign_in
from tests.factories import FakeClock, login
from tests.printer.samples import FAST

VICTIM_TEXT = "dữ liệu quan trọng\n"
REFUSED = [
    "file://{victim}",
    "file:///etc/passwd",
    "FILE:///root/.bashrc",
    "file:///dev/sda",
    "file:///dev/mem",
    "file:///dev/watchdog",
    "file:///dev/shm/luot",
    "file:///dev/usb/../../etc/passwd",
    "file:///dev/usb/lp0/../../../etc/passwd",
    "file:///dev/%2e%2e/etc/passwd",
    "file:///dev/serial/by-id/..",
    "file://dev/usb/lp0",
    "serial:///etc/passwd",
    "serial://{victim}",
    "dummy://",
    "lpt1",
]
ACCEPTED = [
    "file:///dev/usb/lp0",
    "file:///dev/lp1",
    "file:///dev/ttyUSB0",
    "file:///dev/serial/by-id/usb-1a86_USB_Serial-if00-port0",
    "network://192.0.2.10:9100",
    "network://printer.local",
    "serial:///dev/ttyS0?baudrate=19200",
    "serial://COM3",
    "cups://TM-T88V",
    "win32://EPSON TM-T88V Receipt",
    "usb://04b8:0202",
]


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file a hostile supervisor wants to overwrite."""
    path = tmp_path / "victim.txt"
    path.write_text(VICTIM_TEXT, encoding="utf-8")
    return path


def post_kiosk(client: FlaskClient, token: str, printer: str) -> Any:
    return client.post(
        "/admin/kiosks",
        data={
            "csrf_token": token,
            "kiosk_1_id": "k1",
            "kiosk_1_name": "Sảnh",
            "kiosk_1_printer": printer,
            "kiosk_2_id": "",
        },
    )


def saved_kiosks(app: Flask) -> Any:
    with app.extensions["luot.db"].read_session() as read:
        row = read.get(OfficeSetting, (1, "kiosks"))
        return None if row is None else row.value


@pytest.mark.parametrize("url", REFUSED)
def test_administration_refuses_anything_but_a_printer_device(
    make_app: Callable[..., Flask], victim: Path, url: str
) -> None:
    app = make_app(site=admin_site(), features=["display_server.admin"])
    client = app.test_client()
    token = sign_in(client, "mai")  # a supervisor
    response = post_kiosk(client, token, url.format(victim=victim))
    assert response.status_code == 422
    assert NOT_A_PRINTER in response.data.decode()
    assert saved_kiosks(app) is None
    client.get("/admin/kiosks?lang=en")
    english = post_kiosk(client, token, url.format(victim=victim)).data.decode()
    assert translate(NOT_A_PRINTER, "en") in english
    with pytest.raises(NotAPrinterDeviceError):
        parse_device_url(url.format(victim=victim))
    assert victim.read_text(encoding="utf-8") == VICTIM_TEXT


@pytest.mark.parametrize("url", ACCEPTED)
def test_administration_accepts_printer_devices(make_app: Callable[..., Flask], url: str) -> None:
    app = make_app(site=admin_site(), features=["display_server.admin"])
    client = app.test_client()
    response = post_kiosk(client, sign_in(client, "mai"), url)
    assert response.status_code == 302, response.data.decode()[:2000]
    assert saved_kiosks(app)["items"][0]["printer"] == url


def test_a_file_saved_before_this_rule_is_never_written(
    make_app: Callable[..., Flask], clock: FakeClock, victim: Path
) -> None:
    """A kiosk list stored by an older version (or straight into the database) is checked when
    the server starts: tickets, reprints and apology slips never reach the file."""
    first = make_app(site=admin_site(), features=["display_server.admin"], clock=clock)
    items = [{"id": "k1", "name": "Sảnh", "printer": f"file://{victim}"}]
    save_section(first, "kiosks", {"items": items})
    restarted = make_app(
        site=admin_site(),
        database=first.config["LUOT_DATABASE_URL"],
        features=["display_server.admin", "display_server.printing"],
        clock=clock,
        LUOT_PRINT_SPOOL_OPTIONS=FAST,
    )
    assert restarted.extensions[EXTENSION_KEY].kiosks == {}  # the site file names no kiosk
    client = restarted.test_client()
    ticket = client.post("/api/v1/tickets", json={"service": "A", "kiosk": "k1"})
    assert ticket.status_code == 201
    assert ticket.get_json()["print"]["status"] in ("none", "failed")
    clock.advance(minutes=40)
    headers = login(client, "lan", counter=1)
    reprint = client.post(
        f"/api/v1/tickets/{ticket.get_json()['id']}/print", json={"kiosk": "k1"}, headers=headers
    )
    assert reprint.status_code == 422
    apology = client.post(
        f"/api/v1/tickets/{ticket.get_json()['id']}/apology",
        json={"reason": "Đông", "kiosk": "k1"},
        headers=headers,
    )
    assert apology.status_code in (409, 422)
    assert victim.read_text(encoding="utf-8") == VICTIM_TEXT


def test_the_site_file_may_still_name_a_file(tmp_path: Path) -> None:
    """The site file is written by whoever installs the server (who can already write any file):
    tests and workshops print to a file there, and udev names a printer as they like."""
    device = f"file://{tmp_path}/lp0"
    assert parse_printer_url(device).target == f"{tmp_path}/lp0"
    kiosks = read_kiosks({"kiosks": [{"id": "k1", "printer": device}]})
    assert kiosks["k1"].printer == device
    with pytest.raises(Exception, match=r"\[\[kiosks\]\] #1"):
        read_kiosks({"kiosks": [{"id": "k1", "printer": device}]}, devices_only=True)
