"""The kiosk in a real browser says plainly when the slip did not print, and when it came out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.printer.fakeprinter import FakePrinter
from tests.screenshots import SCREENSHOTS
from tests.servers import LiveServer, free_port

from .conftest import CHROMIUM, CHROMIUM_ARGS, screens_site, start_server

pytestmark = pytest.mark.browser

KEY = "kiosk-key-of-the-hall-printer"


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def printing_server(folder: Path, port: int) -> LiveServer:
    """A server whose kiosk "hall" prints to 127.0.0.1:`port`."""
    site = screens_site()
    site["kiosks"] = [
        {"id": "hall", "name": "Ki-ốt sảnh", "printer": f"network://127.0.0.1:{port}", "key": KEY}
    ]
    return start_server(folder, site)


def test_the_kiosk_says_the_slip_did_not_print_then_that_it_did(
    browser: Browser, tmp_path: Path
) -> None:
    port = free_port()  # the printer is off
    server = printing_server(tmp_path / "server", port)
    errors: list[str] = []
    fake: FakePrinter | None = None
    try:
        context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN")
        page: Page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{server.url}/kiosk/hall#pair={KEY}")
        page.wait_for_selector("body[data-ready=true]", timeout=5000)
        page.click(".service-button[data-service=A]")
        page.wait_for_selector("#result:not([hidden])")
        assert page.get_attribute("#result", "data-print") == "failed"
        assert "Chưa in được phiếu" in page.inner_text("#result-print")
        assert page.inner_text("#result-label") == "Xin ghi nhớ số thứ tự của quý khách"
        assert page.is_visible("#result-print-later")
        assert "Đang in" not in page.inner_text("#result")
        # No counter is open yet: no "you will be called right away".
        assert page.inner_text("#result-ahead") == "Chưa có quầy nào đang mở cho dịch vụ này"
        page.wait_for_function("() => document.getElementById('result-qr').naturalWidth > 0")
        page.wait_for_timeout(300)  # fonts and the last paint
        page.screenshot(path=str(SCREENSHOTS / "kiosk-not-printed.png"))

        fake = FakePrinter(port=port).start()  # the printer comes back while the card is still up
        page.wait_for_selector("#result[data-print=printed]", timeout=20000)
        assert "Đã in phiếu" in page.inner_text("#result-print")
        assert not page.is_visible("#result-print-later")
        assert len(fake.wait_for_tickets(1)) == 1
        context.close()
    finally:
        server.stop()
        if fake is not None:
            fake.stop()
    assert errors == []
