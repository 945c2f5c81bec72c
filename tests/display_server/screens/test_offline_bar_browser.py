"""The red "lost connection" bar sits above the header of the phone, kiosk and tablet pages,
never over it (the office name, the clock, the language switch stay readable)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from .conftest import CHROMIUM, CHROMIUM_ARGS, issue, start_server

pytestmark = pytest.mark.browser


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def overlap(page: Page, header: str) -> float:
    """How many pixels of `header` the offline bar covers (0 when it is above it)."""
    bar = page.locator("#offline").bounding_box()
    head = page.locator(header).bounding_box()
    assert bar is not None and head is not None
    return max(0.0, bar["y"] + bar["height"] - head["y"])


def test_the_offline_bar_does_not_cover_the_header(browser: Browser, tmp_path: Path) -> None:
    server = start_server(tmp_path / "server")
    pages: list[tuple[Page, str]] = []
    try:
        ticket = issue(server.url, "A")
        for path, size, header in (
            (f"/t/{ticket['token']}", {"width": 390, "height": 844}, ".status-head"),
            ("/kiosk/sanh-chinh", {"width": 1920, "height": 1080}, ".kiosk-head"),
            ("/rate/1", {"width": 1280, "height": 800}, ".rating-head"),
        ):
            context = browser.new_context(viewport=size, locale="vi-VN")  # type: ignore[arg-type]
            page = context.new_page()
            page.goto(f"{server.url}{path}")
            page.wait_for_selector(header)
            page.wait_for_load_state("networkidle")
            pages.append((page, header))
        server.stop()
        for page, header in pages:
            page.wait_for_selector("#offline:not([hidden])", timeout=8000)
            assert overlap(page, header) == 0, header
    finally:
        server.stop()
        for page, _ in pages:
            page.context.close()
