"""The screens in a real headless Chromium against a real `luot serve`; screenshots for the docs."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.screenshots import SCREENSHOTS
from tests.servers import LiveServer

from .conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TABLET_KEYS,
    Officer,
    issue,
    ratings,
    start_server,
    tablet_key,
)

pytestmark = pytest.mark.browser

FULL_HD = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("browser") / "server")
    yield live
    live.stop()


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """New pages (each in its own context); JavaScript errors fail the test."""
    contexts = []
    errors: list[str] = []

    def open_(url: str, viewport: dict[str, int] | None = None) -> Page:
        context = browser.new_context(viewport=viewport or FULL_HD, locale="vi-VN")
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert errors == []


def ready(page: Page) -> None:
    """Wait until the page has its first snapshot."""
    page.wait_for_selector("body[data-ready=true]", timeout=5000)


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)  # fonts and the last paint
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def tickets_of(server: LiveServer, service: str) -> int:
    queue: dict[str, Any] = httpx.get(f"{server.url}/api/v1/queue", timeout=5).json()
    return next(s["waiting"] for s in queue["services"] if s["code"] == service)


def test_kiosk_tap_issues_one_ticket(server: LiveServer, open_page: Callable[..., Page]) -> None:
    page = open_page(f"{server.url}/kiosk/sanh-chinh")
    ready(page)
    page.wait_for_selector(".service-button[data-service=B]:not([disabled])")
    shoot(page, "kiosk")
    before = tickets_of(server, "B")

    page.click("[data-priority=elderly]")
    page.dblclick(".service-button[data-service=B]")  # a double tap: one ticket
    page.wait_for_selector("#result:not([hidden])")
    number = page.inner_text("#result-number")
    assert number.startswith("B")
    assert page.inner_text("#result-print")  # printed, printing, failed or "remember it"
    page.wait_for_function("() => document.getElementById('result-qr').naturalWidth > 0")
    shoot(page, "kiosk-ticket")

    page.wait_for_timeout(500)
    assert tickets_of(server, "B") == before + 1
    token = page.get_attribute("#result-qr", "src").rsplit("%2Ft%2F", 1)[1]  # type: ignore[union-attr]
    ticket = httpx.get(f"{server.url}/api/v1/tickets/token/{token}", timeout=5).json()
    assert (ticket["number"], ticket["priority"], ticket["kiosk"]) == (
        number,
        "elderly",
        "sanh-chinh",
    )


def test_the_kiosk_says_when_a_service_stops_issuing(
    server: LiveServer, open_page: Callable[..., Page]
) -> None:
    page = open_page(f"{server.url}/kiosk/tang-2")
    ready(page)
    button = ".service-button[data-service=E]"
    page.click(button)  # E issues one ticket a day on this site
    page.wait_for_selector("#result:not([hidden])")
    page.click("#result-done")
    page.click(button)
    page.wait_for_selector("#message:not([hidden])")
    assert "hết số thứ tự trong ngày" in page.inner_text("#message-text")
    page.click("#message-close")
    assert page.is_disabled(button)
    assert "hết số thứ tự" in page.inner_text(f"{button} .service-note")


def test_a_call_reaches_the_display_within_a_second(
    server: LiveServer, open_page: Callable[..., Page]
) -> None:
    page = open_page(f"{server.url}/display")
    ready(page)
    officers = [
        Officer(server.url, "lan", 1),
        Officer(server.url, "hung", 2),
        Officer(server.url, "binh", 3),
    ]
    first, second, third = officers
    delays = []
    try:
        issue(server.url, "A")
        issue(server.url, "D")
        first.act("call-next")
        third.act("call-next")
        third.act("start")
        for _ in range(3):
            issue(server.url, "C")
            started = time.monotonic()
            called = second.act("call-next")
            page.wait_for_function(
                "n => document.getElementById('hero-number').textContent === n",
                arg=called["number"],
                polling="raf",
                timeout=2000,
            )
            delays.append(time.monotonic() - started)
            assert page.inner_text("[data-counter='2'] .counter-number") == called["number"]
            assert page.inner_text(".recent-row.newest .recent-number") == called["number"]
            assert "flash" in (page.get_attribute("#hero", "class") or "")
            second.act("finish")
        issue(server.url, "C")
        second.act("call-next")
        page.wait_for_timeout(1000)
        shoot(page, "display")
        for officer in officers:
            officer.act("finish")
    finally:
        for officer in officers:
            officer.close()
    print(f"call → display: {', '.join(f'{d * 1000:.0f} ms' for d in delays)}")
    assert max(delays) < 1.0


def test_display_portrait_and_counter_display(
    server: LiveServer, open_page: Callable[..., Page]
) -> None:
    officer = Officer(server.url, "lan", 1)
    try:
        issue(server.url, "A")
        called = officer.act("call-next")
        portrait = open_page(f"{server.url}/display", {"width": 1080, "height": 1920})
        ready(portrait)
        assert "layout-portrait" in (portrait.get_attribute("body", "class") or "")
        # Every service name whole, the 3-in-1's too: none cut off with "…".
        clipped = portrait.evaluate(
            "() => [...document.querySelectorAll('.waiting-name')].filter((n) => "
            "n.scrollHeight - n.clientHeight > parseFloat(getComputedStyle(n).fontSize) / 2)"
            ".map((n) => [n.textContent, n.scrollHeight, n.clientHeight])"
        )
        assert clipped == []
        cut = portrait.evaluate(
            "() => [...document.querySelectorAll('.recent-counter')]"
            ".filter((n) => n.scrollWidth > n.clientWidth).map((n) => n.textContent)"
        )
        assert cut == []  # "Quầy 1", not "Quầ…"
        shoot(portrait, "display-portrait")
        counter = open_page(f"{server.url}/display/counter/1")
        ready(counter)
        assert counter.inner_text("#counter-number") == called["number"]
        shoot(counter, "counter-display")
        officer.act("start")
        counter.wait_for_function(
            "() => document.getElementById('counter-label').textContent.includes('Đang phục vụ')"
        )
        officer.act("finish")
        counter.wait_for_function(
            "() => document.getElementById('counter-number').textContent === '—'"
        )
    finally:
        officer.close()


def test_a_priority_call_is_marked_without_saying_which_class(
    server: LiveServer, open_page: Callable[..., Page]
) -> None:
    display = open_page(f"{server.url}/display")
    counter = open_page(f"{server.url}/display/counter/1")
    ready(display)
    ready(counter)
    officer = Officer(server.url, "lan", 1)
    try:
        issue(server.url, "B", priority="disabled")
        called = officer.act("call-next")
        assert called["priority"] == "disabled"  # the officer's answer names the class
        display.wait_for_function(
            "n => document.getElementById('hero-number').textContent === n",
            arg=called["number"],
        )
        star = "s => getComputedStyle(document.querySelector(s), '::before').content"
        for selector in ("#hero", "[data-counter='1']", ".recent-row.newest"):
            assert "prioritised" in (display.get_attribute(selector, "class") or ""), selector
        assert display.evaluate(star, "#hero .hero-number") == '"★"'
        assert display.inner_text("#hero-number") == called["number"]
        counter.wait_for_function(
            "() => document.getElementById('counter-screen').classList.contains('prioritised')"
        )
        assert counter.evaluate(star, "#counter-number") == '"★"'
        for page in (display, counter):
            assert "Người khuyết tật" not in page.content()
        officer.act("finish")
        counter.wait_for_function(
            "() => !document.getElementById('counter-screen').classList.contains('prioritised')"
        )
    finally:
        officer.close()


def test_the_index_lists_every_screen(server: LiveServer, open_page: Callable[..., Page]) -> None:
    page = open_page(f"{server.url}/screens")
    for number in (1, 2, 3):
        assert page.is_visible(f"a[href='/display/counter/{number}']")
        assert page.is_visible(f"a[href='/rate/{number}']")
    shoot(page, "screens-index")


def test_status_page_follows_the_ticket_and_alerts_when_called(
    server: LiveServer, open_page: Callable[..., Page]
) -> None:
    officer = Officer(server.url, "binh", 3)
    try:
        issue(server.url, "D")
        ticket = issue(server.url, "D")
        page = open_page(f"{server.url}/t/{ticket['token']}", PHONE)
        page.wait_for_function(
            "() => document.getElementById('state-main').textContent.includes('1')"
        )
        assert "Còn 1 người trước quý khách" in page.inner_text("#state-main")
        shoot(page, "status")

        officer.act("call-next")  # the one ahead
        page.wait_for_function(
            "() => document.getElementById('state-main').textContent.includes('tiếp theo')"
        )
        officer.act("finish")
        officer.act("call-next")  # this one
        page.wait_for_selector("#called-alert:not([hidden])", timeout=2000)
        assert "Quầy 3" in page.inner_text("#called-alert")
        shoot(page, "status-called")

        officer.act("finish")
        page.wait_for_selector("#rating:not([hidden])")
        assert "Trần" not in page.inner_text("#rating")  # served by binh, not hung
        assert "Phạm Văn Bình" in page.inner_text("#rating-officer")
        shoot(page, "status-rating")
        page.click(".level-button[data-level=satisfied]")
        page.wait_for_selector("#rating-done:not([hidden])")
        stored = [r for r in ratings(server) if r.level == "satisfied"]
        assert len(stored) == 1 and stored[0].counter_id is not None
    finally:
        officer.close()


def test_a_rating_click_on_the_tablet_is_stored(
    server: LiveServer, open_page: Callable[..., Page]
) -> None:
    page = open_page(f"{server.url}/rate/1#pair={TABLET_KEYS[1]}")  # paired on first load
    ready(page)
    officer = Officer(server.url, "lan", 1)
    try:
        issue(server.url, "A")
        called = officer.act("call-next")
        officer.act("finish")
    finally:
        officer.close()
    page.wait_for_function(
        "n => !document.getElementById('ask').hidden"
        " && document.getElementById('ask-ticket').textContent.includes(n)",
        arg=called["number"],
        timeout=2000,
    )
    assert "Nguyễn Thị Lan" in page.inner_text("#ask-officer")
    shoot(page, "rating")
    page.fill("#comment", "Cán bộ hướng dẫn rất tận tình")
    page.click(".level-button[data-level=very_satisfied]")
    page.wait_for_selector("#thanks:not([hidden])")
    [rating] = [r for r in ratings(server) if r.level == "very_satisfied"]
    assert rating.comment == "Cán bộ hướng dẫn rất tận tình" and rating.score == 3
    target = httpx.get(
        f"{server.url}/api/v1/counters/1/rating-target", headers=tablet_key(1), timeout=5
    ).json()
    assert target["target"] is None


def test_sound_plays_announcements_one_after_another(
    server: LiveServer, open_page: Callable[..., Page]
) -> None:
    page = open_page(f"{server.url}/display?counters=2")
    ready(page)
    page.click("#sound-button")  # browsers play sound only after a person allowed it
    page.wait_for_selector("#sound-on:not([hidden])")
    officer = Officer(server.url, "hung", 2)
    try:
        for _ in range(2):
            issue(server.url, "C")
            officer.act("call-next")
            officer.act("finish")
    finally:
        officer.close()
    played = page.wait_for_function(
        "() => { const log = window.__luotSound.log; return log.length >= 2 ? log : null; }",
        timeout=30000,
    ).json_value()
    assert [entry["kind"] for entry in played[:2]] == ["audio", "audio"]
    assert played[0]["url"] != played[1]["url"]
    assert played[1]["start"] >= played[0]["end"]  # never two at once


def test_the_display_recovers_by_itself_after_a_server_restart(
    server: LiveServer, open_page: Callable[..., Page]
) -> None:
    """Last in the module: it stops the shared server and starts it again on the same port."""
    page = open_page(f"{server.url}/display")
    ready(page)
    marker = page.evaluate("window.__luotLoadMarker")
    assert page.is_hidden("#offline")

    # A frozen server (or a dead network) sends nothing, not even a close: the watchdog notices.
    assert server.process is not None
    server.process.send_signal(signal.SIGSTOP)
    try:
        page.wait_for_selector("#offline:not([hidden])", timeout=8000)
    finally:
        server.process.send_signal(signal.SIGCONT)
    page.wait_for_selector("#offline", state="hidden", timeout=10000)

    server.stop()
    page.wait_for_selector("#offline:not([hidden])", timeout=5000)
    assert "Mất kết nối" in page.inner_text("#offline")
    shoot(page, "display-offline")

    server.start()
    page.wait_for_selector("#offline", state="hidden", timeout=15000)
    assert page.evaluate("window.__luotLoadMarker") == marker  # recovered without a reload
    officer = Officer(server.url, "lan", 1)
    try:
        issue(server.url, "A")
        called = officer.act("call-next")
    finally:
        officer.close()
    page.wait_for_function(
        "n => document.getElementById('hero-number').textContent === n",
        arg=called["number"],
        timeout=2000,
    )
    assert page.evaluate("window.__luotLoadMarker") == marker


def test_every_services_waiting_row_fits_on_a_full_hd_display(
    server: LiveServer, open_page: Callable[..., Page]
) -> None:
    """As calls fill the recent list the waiting panel gets shorter: its rows (long Vietnamese
    names wrap) shrink to fit instead of the last service being cut off."""
    page = open_page(f"{server.url}/display")
    ready(page)
    officer = Officer(server.url, "hung", 2)
    try:
        for _ in range(8):  # more calls than the recent list shows
            issue(server.url, "C")
            officer.act("call-next")
            officer.act("finish")
    finally:
        officer.close()
    page.wait_for_function("() => document.querySelectorAll('#recent .recent-row').length >= 6")
    page.wait_for_timeout(500)  # fonts, the last paint, the fit
    boxes = page.evaluate(
        """() => {
          const bottom = document.getElementById("waiting").getBoundingClientRect().bottom;
          const rows = [...document.querySelectorAll("#waiting .waiting-row")];
          const edge = (r) => [r.dataset.service, r.getBoundingClientRect().bottom];
          return {bottom, rows: rows.map(edge)};
        }"""
    )
    shown = [code for code, _ in boxes["rows"]]
    assert len(shown) >= 4
    cut = [code for code, bottom in boxes["rows"] if bottom > boxes["bottom"] + 1]
    assert cut == [], f"rows cut off at the bottom: {cut} of {shown}"
