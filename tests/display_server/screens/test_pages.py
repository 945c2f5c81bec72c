"""The screens' pages as the server renders them: languages, options, local assets only."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from display_server.extensions import asgi_routes
from display_server.i18n import catalog
from display_server.screens import EXTENSION_KEY
from display_server.screens.strings import script_strings
from tests.factories import issue

from .conftest import NOTICE

PACKAGE = Path(__file__).resolve().parents[3] / "display_server"
TEMPLATES = PACKAGE / "templates" / "screens"
STATIC = PACKAGE / "static" / "screens"
PAGES = ["/display", "/display/counter/2", "/kiosk/sanh-chinh", "/rate/1", "/screens"]


def config_of(html: str) -> dict[str, object]:
    match = re.search(
        r'<script type="application/json" id="luot-config">(.*?)</script>', html, re.S
    )
    assert match
    config: dict[str, object] = json.loads(match.group(1))
    return config


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_vietnamese_by_default_and_english_on_request(
    screens_client: FlaskClient, path: str
) -> None:
    page = screens_client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="vi">' in html and "Mất kết nối — đang kết nối lại…" in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    english = screens_client.get(f"{path}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "Connection lost — reconnecting…" in english
    assert config_of(english)["strings"]["Quầy {number}"] == "Counter {number}"  # type: ignore[index]


def test_the_status_page_needs_a_real_token(screens_client: FlaskClient) -> None:
    ticket = issue(screens_client, "B")
    page = screens_client.get(f"/t/{ticket['token']}")
    assert page.status_code == 200 and ticket["number"] in page.get_data(as_text=True)
    assert config_of(page.get_data(as_text=True))["ticket_id"] == ticket["id"]
    assert screens_client.get("/t/not-a-token").status_code == 404
    assert screens_client.get("/display/counter/42").status_code == 404
    assert screens_client.get("/rate/42").status_code == 404
    assert screens_client.get("/kiosk/no spaces").status_code == 404


def test_display_options(screens_client: FlaskClient) -> None:
    html = screens_client.get(
        "/display?services=a,B,bad1&counters=2,x,3&layout=portrait&sound=0&recent=4"
    ).get_data(as_text=True)
    config = config_of(html)
    assert config["services"] == ["A", "B"] and config["counters"] == [2, 3]
    assert (config["layout"], config["sound"], config["recent"]) == ("portrait", False, 4)
    assert config["notice"] == NOTICE
    assert "layout-portrait" in html
    assert (
        config_of(screens_client.get("/display?layout=sideways").get_data(as_text=True))["layout"]
        == "auto"
    )


def test_qr_codes_are_drawn_by_the_server(screens_client: FlaskClient) -> None:
    answer = screens_client.get("/qr.svg?data=http%3A%2F%2F192.168.1.10%3A8080%2Ft%2Fabc")
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
    svg = answer.get_data(as_text=True)
    assert svg.startswith("<svg") and "<path" in svg
    assert screens_client.get("/qr.svg").status_code == 400
    assert screens_client.get("/qr.svg?data=" + "x" * 301).status_code == 400


def test_nothing_is_loaded_from_elsewhere(screens_client: FlaskClient) -> None:
    """Offices may have no internet: every page, script and style refers to this server only."""
    external = re.compile(
        r"""(?:src|href)\s*=\s*["'](?:https?:)?//|url\(\s*["']?(?:https?:)?//|"""
        r"""from\s+["'](?:https?:)?//|import\(\s*["'](?:https?:)?//"""
    )
    ticket = issue(screens_client, "A")
    for path in [*PAGES, f"/t/{ticket['token']}"]:
        assert not external.search(screens_client.get(path).get_data(as_text=True)), path
    for asset in STATIC.glob("*.*"):
        text = asset.read_text(encoding="utf-8")
        assert not external.search(text.replace('"http://www.w3.org/2000/svg"', "")), asset
    assert (STATIC / "fonts" / "NotoSans-Regular.woff").stat().st_size < 40_000
    assert (STATIC / "fonts" / "OFL.txt").is_file()


def test_every_string_on_screen_has_an_english_translation() -> None:
    english = catalog("en")
    from_templates = set()
    for template in TEMPLATES.glob("*.html"):
        from_templates |= set(
            re.findall(r"""_\(\s*["']([^"']+)["']""", template.read_text("utf-8"))
        )
    wanted = (
        from_templates
        | set(script_strings())
        | {
            "Người cao tuổi",
            "Người khuyết tật",
            "Phụ nữ mang thai",
            "Người có con nhỏ",
            "Rất hài lòng",
            "Hài lòng",
            "Không hài lòng",
        }
    )
    assert len(wanted) > 60
    assert sorted(m for m in wanted if m not in english) == []

    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    assert all(fields(m) == fields(english[m]) for m in wanted)


def test_the_feature_registers_its_stream_and_page_addresses(screens_app: Flask) -> None:
    routes = asgi_routes(screens_app)
    assert routes["/api/v1/events"] is screens_app.extensions[EXTENSION_KEY]
    assert "/api/v1/events/stats" in routes
    assert ("display", "/display") in screens_app.config["LUOT_PAGES"]
