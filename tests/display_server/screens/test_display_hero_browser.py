"""The TV's big "now calling" shows only a call that still stands, and says so when none does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from .conftest import CHROMIUM, CHROMIUM_ARGS, Officer, issue, start_server

pytestmark = pytest.mark.browser


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def hero(page: Page) -> tuple[str, str, bool]:
    """The hero's label, number, and whether its "… đến <counter>" line is visible."""
    return (
        page.inner_text("#hero-label"),
        page.inner_text("#hero-number"),
        page.is_visible(".hero-counter"),
    )


def test_the_hero_drops_a_no_show_and_a_paused_counter(browser: Browser, tmp_path: Path) -> None:
    server = start_server(tmp_path / "server")
    officers: list[Officer] = []
    errors: list[str] = []
    try:
        context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN")
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{server.url}/display")
        page.wait_for_selector("body[data-ready=true]", timeout=5000)
        assert hero(page) == ("Chưa có lượt gọi", "", False)  # not "— đến"

        lan = Officer(server.url, "lan", 1)
        hung = Officer(server.url, "hung", 2)
        officers += [lan, hung]
        first = issue(server.url, "A")["number"]
        second = issue(server.url, "A")["number"]
        lan.act("call-next")
        page.wait_for_function(f"() => document.body.dataset.lastCall === '{first}'")
        assert hero(page) == ("Mời công dân có số", first, True)

        lan.act("no-show")
        page.wait_for_function("() => document.getElementById('hero-number').textContent === ''")
        assert hero(page) == ("Xin mời quý khách chờ đến lượt", "", False)

        hung.act("call-next")
        page.wait_for_function(f"() => document.body.dataset.lastCall === '{second}'")
        assert hero(page)[1] == second
        hung.act("pause", reason="Nghỉ giữa giờ")
        page.wait_for_function("() => document.getElementById('hero-number').textContent === ''")
        assert "Tạm nghỉ" in page.inner_text("[data-counter='2'] .counter-status")
        context.close()
    finally:
        for officer in officers:
            officer.close()
        server.stop()
    assert errors == []
