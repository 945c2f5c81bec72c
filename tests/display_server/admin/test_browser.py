"""Administration in a real headless Chromium against a real `luot serve`: the dashboard (drawn
and updated by its script), the apology button, the report page with its charts, the public
page on a phone and on a display. Screenshots go to build/screenshots/ (or, with
LUOT_REFRESH_SCREENSHOTS=1, to the README's docs/screenshots/)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright
from sqlalchemy import select

from display_server import queue
from display_server.app import create_app
from display_server.models import Officer
from display_server.queue.clock import local_day
from display_server.queue.counters import sign_in_at_counter
from display_server.queue.lookups import get_office
from tests.factories import PASSWORD
from tests.printer.fakeprinter import FakePrinter
from tests.screenshots import SCREENSHOTS
from tests.servers import LiveServer

from .conftest import admin_site
from .scenario import HANOI, Record, plan_day, run_day

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP: ViewportSize = {"width": 1440, "height": 1000}
PHONE: ViewportSize = {"width": 390, "height": 844}
FULL_HD: ViewportSize = {"width": 1920, "height": 1080}


def _history(folder: Path, site: dict[str, Any]) -> None:
    """Three earlier days played through the engine, then this morning so far."""
    app = create_app(
        {
            "LUOT_DATA_DIR": folder,
            "LUOT_DATABASE_URL": f"sqlite:///{(folder / 'luot.db').as_posix()}",
            "LUOT_SITE": site,
            "LUOT_FEATURES": [],
        }
    )
    db = app.extensions["luot.db"]
    now = datetime.now(UTC)
    rng = random.Random(3)
    records: dict[int, Record] = {}
    with db.read_session() as session:
        today = local_day(get_office(session), now)
    for back in (3, 2, 1):
        day = today - timedelta(days=back)
        run_day(db, day, plan_day(day, rng, 28), rng, records)
    midnight = datetime.combine(today, datetime.min.time(), HANOI).astimezone(UTC)
    start = max(midnight + timedelta(minutes=1), now - timedelta(minutes=55))
    with db.write_session() as session:
        office = get_office(session)
        for minute, code in enumerate("AABACDABCAB"):
            at = min(start + timedelta(minutes=minute * 4), now)
            queue.issue_ticket(session, office, code, kiosk="k1", now=at)
        for number, username in ((1, "lan"), (2, "hung")):
            officer = session.scalars(select(Officer).where(Officer.username == username)).one()
            at = min(start + timedelta(minutes=44 + number), now)
            sign_in_at_counter(session, office, number, officer, at)
            queue.call_next(session, office, number, officer, now=at)
            queue.start_service(session, office, number, officer, now=at)
        queue.close_counter(session, office, 3, None, now=min(start, now))  # nobody there today
    db.dispose()


@pytest.fixture(scope="module")
def printer() -> Iterator[FakePrinter]:
    with FakePrinter() as fake:
        yield fake


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, printer: FakePrinter) -> Iterator[LiveServer]:
    from tests.servers import write_site

    folder = tmp_path_factory.mktemp("admin-browser")
    site = admin_site(
        kiosks=[
            {"id": "k1", "name": "Sảnh chính", "printer": f"network://127.0.0.1:{printer.port}"}
        ]
    )
    _history(folder, site)
    live = LiveServer(folder, write_site(folder / "site.toml", site)).start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Pages in their own contexts; a JavaScript error fails the test."""
    contexts = []
    errors: list[str] = []

    def open_(viewport: ViewportSize | None = None) -> Page:
        context = browser.new_context(viewport=viewport or DESKTOP, locale="vi-VN")
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield open_
    for context in contexts:
        context.close()
    assert errors == []


def shoot(page: Page, name: str, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)  # fonts and the last paint
    page.screenshot(path=str(SCREENSHOTS / f"admin-{name}.png"), full_page=full_page)


def sign_in(page: Page, server: LiveServer, path: str) -> None:
    page.goto(f"{server.url}{path}")
    page.fill("#username", "mai")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path.split('?')[0]}*")


def test_dashboard_draws_updates_and_prints_an_apology(
    server: LiveServer,
    open_page: Callable[..., Page],
    printer: FakePrinter,
) -> None:
    page = open_page()
    sign_in(page, server, "/admin/live")
    page.wait_for_selector("#waiting-chart svg rect.bar")
    assert page.locator("#waiting-chart svg rect.bar").count() == 4
    assert page.locator("#counters article.counter").count() == 3
    assert page.locator("#counters article.open").count() == 2
    assert page.locator("#totals .card").count() == 9
    before = page.locator("#services tbody tr").first.locator("td").nth(1).inner_text()
    printed = len(printer.tickets)
    response = httpx.post(f"{server.url}/api/v1/tickets", json={"service": "A"})
    assert response.status_code == 201
    page.wait_for_function(
        "([before]) => document.querySelector('#services tbody tr td:nth-child(2)')"
        ".textContent !== before",
        arg=[before],
        timeout=9000,
    )
    late = page.locator("#late button.apology")
    if late.count():
        shoot(page, "live")
        late.first.click()
        page.fill("#apology-reason", "Số lượng hồ sơ đông hơn dự kiến")
        page.click("#apology-send")
        page.wait_for_function(
            "() => document.getElementById('apology-result').textContent.includes('A')",
            timeout=9000,
        )
        assert "Đã gửi phiếu xin lỗi" in page.inner_text("#apology-result")
        assert len(printer.wait_for_tickets(printed + 1)) == printed + 1  # the slip
        # The late list says what the dialog says: printed once the printer confirmed it.
        result = page.inner_text("#apology-result")
        if "đang chờ máy in" in result:
            assert page.locator("#late .pending").count() or page.locator("#late .done").count()
        page.wait_for_selector("#late .done", timeout=9000)
        shoot(page, "live-apology", full_page=False)
    else:  # just after midnight nobody has waited long yet
        shoot(page, "live")


def test_report_page_draws_its_charts(server: LiveServer, open_page: Callable[..., Page]) -> None:
    page = open_page()
    today = datetime.now(HANOI).date()
    start = (today - timedelta(days=3)).isoformat()
    sign_in(page, server, f"/admin/reports?from={start}&to={today.isoformat()}&group=service")
    charts = page.locator("svg.chart")
    assert charts.count() == 4
    assert page.locator("svg.chart rect.bar").count() > 10
    assert page.locator("svg.chart path.line").count() >= 4
    assert page.locator("table.report tbody tr").count() >= 4
    shoot(page, "reports")
    page.select_option("select[name=group]", "hour")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**group=hour*")
    assert page.locator("table.report tbody th").first.inner_text().endswith(":00")
    page.emulate_media(media="print")
    shoot(page, "reports-print")


def test_settings_form_shows_its_problems(
    server: LiveServer, open_page: Callable[..., Page]
) -> None:
    page = open_page()
    sign_in(page, server, "/admin/services/new")
    page.fill("#f-code", "A")
    page.fill("#f-name", "")
    page.fill("#f-daily_limit", "nhiều")
    page.fill("#f-issue_start", "17:00")
    page.fill("#f-issue_end", "07:00")
    page.click("form.settings button[type=submit]")
    page.wait_for_selector(".field.invalid")
    assert page.locator(".field.invalid").count() == 2  # name, daily limit
    shoot(page, "form-errors")


def test_public_page_on_a_phone_and_a_display(
    server: LiveServer, open_page: Callable[..., Page]
) -> None:
    phone = open_page(PHONE)
    phone.goto(f"{server.url}/cong-khai")
    assert phone.locator("table.services tbody tr").count() == 4
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing runs off the side of a phone
    shoot(phone, "public-phone")
    display = open_page(FULL_HD)
    display.goto(f"{server.url}/cong-khai")
    # The page fits the TV: the service table turns its pages rather than running off the end.
    assert display.evaluate("document.documentElement.scrollHeight") <= FULL_HD["height"]
    pages = display.evaluate("window.__luotPublic.pages()")
    seen: set[str] = set()
    for index in range(pages):
        display.evaluate("(i) => window.__luotPublic.show(i)", index)
        for row in display.locator("table.services tbody tr:not([hidden]) .code").all():
            seen.add(row.inner_text())
    assert seen == {"A", "B", "C", "D"}
    display.evaluate("() => window.__luotPublic.show(0)")
    shoot(display, "public-display", full_page=False)


def test_public_page_and_administration_stay_vietnamese_in_an_english_browser(
    server: LiveServer, browser: Browser
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    try:
        page = context.new_page()
        page.goto(f"{server.url}/cong-khai")
        assert "Công khai thời gian giải quyết" in page.inner_text("h1")
        page.goto(f"{server.url}/admin/login")
        assert page.get_attribute("html", "lang") == "vi"
        page.goto(f"{server.url}/cong-khai?lang=en")  # English only when asked for
        assert page.get_attribute("html", "lang") == "en"
    finally:
        context.close()


def test_public_page_turns_its_pages_on_a_tv_with_many_services(
    tmp_path: Path, open_page: Callable[..., Page]
) -> None:
    from tests.servers import write_site

    site = admin_site()
    site["services"] += [
        {"code": code, "name": f"Thủ tục hành chính số {n} về lĩnh vực đất đai và xây dựng"}
        for n, code in enumerate("EFGHIJKLMN", start=1)
    ]
    live = LiveServer(tmp_path, write_site(tmp_path / "site.toml", site)).start()
    try:
        display = open_page(FULL_HD)
        display.goto(f"{live.url}/cong-khai")
        assert display.evaluate("document.documentElement.scrollHeight") <= FULL_HD["height"]
        pages = display.evaluate("window.__luotPublic.pages()")
        assert pages >= 2
        assert display.is_visible("#services-page")
        seen: list[str] = []
        for index in range(pages):
            display.evaluate("(i) => window.__luotPublic.show(i)", index)
            assert display.evaluate("document.documentElement.scrollHeight") <= FULL_HD["height"]
            seen += [c.inner_text() for c in display.locator("tbody tr:not([hidden]) .code").all()]
        assert sorted(seen) == sorted("ABCDEFGHIJKLMN")  # every service, each once
        phone = open_page(PHONE)
        phone.goto(f"{live.url}/cong-khai")
        assert phone.locator("table.services tbody tr:not([hidden])").count() == 14  # scrolls
    finally:
        live.stop()
