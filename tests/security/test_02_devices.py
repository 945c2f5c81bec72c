"""Hole 2, "any web page can write": one client issued 297 tickets in 0.7 s and used up a
service's day, and anyone could take a citizen's rating through the tablet path. Now anonymous
clients are limited per address, paired kiosks are not, and ratings need the ticket's token or
the key of the tablet at the counter that served."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select

from display_server.models import Counter, Office
from display_server.trust.devices import revoke_tablet
from tests.display_server.screens.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import FakeClock, login, make_site, pair_device
from tests.servers import LiveServer

KIOSK_KEY = "sanh-chinh-kiosk-key-0001"
TABLET_KEYS = {1: "tablet-key-at-counter-1", 2: "tablet-key-at-counter-2"}
FLOOD = 297
DAILY_LIMIT = 50


def guarded_site(**security: Any) -> dict[str, Any]:
    """The test site with the default anonymous limit (3 a minute), a paired kiosk and tablets."""
    site = make_site()
    site["security"] = security
    site["services"][0]["daily_limit"] = DAILY_LIMIT
    site["kiosks"] = [{"id": "sanh-chinh", "name": "Sảnh chính", "key": KIOSK_KEY}]
    site["tablets"] = [
        {"id": f"tablet-{n}", "counter": n, "name": f"Quầy {n}", "key": key}
        for n, key in TABLET_KEYS.items()
    ]
    return site


def from_address(app: Flask, address: str) -> FlaskClient:
    """A test client whose requests come from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def take(client: FlaskClient, service: str = "A", **headers: str) -> Any:
    return client.post("/api/v1/tickets", json={"service": service}, headers=headers)


def waiting(client: FlaskClient, service: str = "A") -> int:
    queue: dict[str, Any] = client.get("/api/v1/queue").get_json()
    return int(next(s["waiting"] for s in queue["services"] if s["code"] == service))


def flood(app: Flask, address: str, total: int, threads: int = 8) -> list[Any]:
    """`total` anonymous ticket requests from one address, on `threads` threads at once."""
    answers: list[Any] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def work(share: int) -> None:
        client = from_address(app, address)
        start.wait()
        for _ in range(share):
            answer = take(client)
            with lock:
                answers.append(answer)

    shares = [total // threads + (1 if i < total % threads else 0) for i in range(threads)]
    pool = [threading.Thread(target=work, args=(share,)) for share in shares]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(120)
    return answers


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str | None:
    """SQLite (the app's default) or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("pg_url")
    return url


def test_one_address_cannot_use_up_a_services_day(
    make_app: Callable[..., Flask], clock: FakeClock, database: str | None
) -> None:
    app = make_app(site=guarded_site(), database=database, clock=clock)
    answers = flood(app, "10.0.0.66", FLOOD)
    issued = [a for a in answers if a.status_code == 201]
    refused = [a for a in answers if a.status_code == 429]
    assert len(issued) == 3 and len(refused) == FLOOD - 3
    assert {a.get_json()["error"] for a in refused} == {"too_many_requests"}
    assert all(1 <= int(a.headers["Retry-After"]) <= 61 for a in refused)
    client = from_address(app, "10.0.0.66")
    assert waiting(client) == 3

    # Others still have the service's day: another address, the paired kiosk, and staff.
    neighbour = from_address(app, "10.0.0.67")
    assert [take(neighbour).status_code for _ in range(4)] == [201, 201, 201, 429]
    assert take(client, **{"X-Device-Key": KIOSK_KEY}).status_code == 201
    assert take(client, **login(client, "lan")).status_code == 201
    service = next(s for s in client.get("/api/v1/services").get_json()["services"])
    assert service["code"] == "A" and service["issuing"]["open"] is True
    assert waiting(client) == 8

    clock.advance(seconds=61)  # a new minute: a new allowance
    assert take(client).status_code == 201


def test_a_patient_client_gets_a_handful_a_day_not_the_services_day(
    make_app: Callable[..., Flask], clock: FakeClock, database: str | None
) -> None:
    """Three a minute alone would let one address take 180 numbers an hour."""
    app = make_app(site=guarded_site(anonymous_tickets_per_day=10), database=database, clock=clock)
    client = from_address(app, "10.0.0.66")
    codes = []
    for _ in range(10):  # ten minutes, three tries a minute
        codes += [take(client).status_code for _ in range(3)]
        clock.advance(seconds=61)
    assert codes.count(201) == 10 and waiting(client) == 10
    refused = take(client)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 60
    clock.advance(hours=24)
    assert take(client).status_code == 201


def test_forwarded_for_counts_only_from_a_trusted_proxy(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    direct = make_app(site=guarded_site(), clock=clock)
    client = from_address(direct, "10.0.0.66")
    codes = [take(client, **{"X-Forwarded-For": f"192.168.1.{n}"}).status_code for n in range(1, 6)]
    assert codes == [201, 201, 201, 429, 429]  # forged hops change nothing

    proxied = make_app(site=guarded_site(trusted_proxies=["10.0.0.1"]), clock=clock)
    nginx = from_address(proxied, "10.0.0.1")
    for citizen in ("192.168.1.20", "192.168.1.21"):
        codes = [take(nginx, **{"X-Forwarded-For": citizen}).status_code for _ in range(4)]
        assert codes == [201, 201, 201, 429], citizen
    # A forged hop left of the proxy's own does not buy a new allowance.
    forged = take(nginx, **{"X-Forwarded-For": "1.2.3.4, 192.168.1.20"})
    assert forged.status_code == 429


def test_a_paired_kiosk_issues_without_limit_and_only_as_itself(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    app = make_app(site=guarded_site(), clock=clock)
    client = from_address(app, "10.0.0.30")
    kiosk = {"X-Device-Key": KIOSK_KEY}
    answers = [
        client.post("/api/v1/tickets", json={"service": "B", "kiosk": "sanh-chinh"}, headers=kiosk)
        for _ in range(50)
    ]
    assert [a.status_code for a in answers] == [201] * 50
    assert {a.get_json()["kiosk"] for a in answers} == {"sanh-chinh"}
    assert take(client, "B", **kiosk).get_json()["kiosk"] == "sanh-chinh"  # from the key

    other = client.post("/api/v1/tickets", json={"service": "B", "kiosk": "tang-2"}, headers=kiosk)
    assert (other.status_code, other.get_json()["error"]) == (403, "wrong_kiosk")
    unknown = take(client, "B", **{"X-Device-Key": "a-key-nobody-paired"})
    assert (unknown.status_code, unknown.get_json()["error"]) == (401, "invalid_device_key")
    tablet = take(client, "B", **{"X-Device-Key": TABLET_KEYS[1]})
    assert (tablet.status_code, tablet.get_json()["error"]) == (403, "not_a_kiosk")
    assert waiting(client, "B") == 51

    pair_device(app, "kiosk", "sanh-chinh")  # a new key; the site file's still counts
    fresh = pair_device(app, "kiosk", "sanh-chinh")
    assert take(client, "B", **fresh).status_code == 201
    assert take(client, "B", **kiosk).status_code == 201


# --- ratings ---------------------------------------------------------------------------------


def serve_one(client: FlaskClient, auth: dict[str, str], counter: int) -> dict[str, Any]:
    """Issue a ticket at the kiosk, call it to `counter` and finish it."""
    ticket: dict[str, Any] = take(client, **{"X-Device-Key": KIOSK_KEY}).get_json()
    client.post(f"/api/v1/counters/{counter}/call-next", headers=auth)
    finished = client.post(f"/api/v1/counters/{counter}/finish", headers=auth)
    assert finished.get_json()["id"] == ticket["id"]
    return ticket


def rate(client: FlaskClient, ticket_id: int, headers: dict[str, str], **body: Any) -> Any:
    return client.post(
        f"/api/v1/tickets/{ticket_id}/rating",
        json={"level": "unsatisfied", **body},
        headers=headers,
    )


@pytest.fixture
def served(make_app: Callable[..., Flask], clock: FakeClock) -> tuple[FlaskClient, dict[str, Any]]:
    app = make_app(site=guarded_site(), features=["display_server.screens"], clock=clock)
    client = from_address(app, "10.0.0.99")
    return client, serve_one(client, login(client, "lan", counter=1), 1)


def test_the_tablet_path_needs_the_key_of_the_tablet_at_that_counter(
    served: tuple[FlaskClient, dict[str, Any]],
) -> None:
    client, ticket = served
    target = "/api/v1/counters/1/rating-target"
    assert client.get(target).status_code == 401
    assert client.get(target, headers={"X-Device-Key": TABLET_KEYS[2]}).status_code == 403
    assert client.get(target, headers={"X-Device-Key": KIOSK_KEY}).status_code == 403
    assert client.get(target, headers={"X-Device-Key": TABLET_KEYS[1]}).status_code == 200

    refusals = [
        (rate(client, ticket["id"], {}), 401, "device_key_required"),
        (
            rate(client, ticket["id"], {"X-Device-Key": "forged-key-0000000"}),
            401,
            "invalid_device_key",
        ),
        (rate(client, ticket["id"], {"X-Device-Key": TABLET_KEYS[2]}), 403, "wrong_counter"),
        (rate(client, ticket["id"], {"X-Device-Key": KIOSK_KEY}), 403, "not_a_tablet"),
    ]
    for answer, status, error in refusals:
        assert (answer.status_code, answer.get_json()["error"]) == (status, error)

    # The real citizen still rates, at the tablet, after all those forgeries.
    tablet = {"X-Device-Key": TABLET_KEYS[1]}
    answer = rate(client, ticket["id"], tablet, level="very_satisfied")
    assert answer.status_code == 201 and answer.get_json()["level"] == "very_satisfied"


def test_a_revoked_tablet_rates_no_more(served: tuple[FlaskClient, dict[str, Any]]) -> None:
    client, ticket = served
    app: Flask = client.application
    with app.extensions["luot.db"].write_session() as session:
        office_id = session.scalars(select(Office.id)).one()
        counter_id = session.scalars(select(Counter.id).where(Counter.number == 1)).one()
        assert revoke_tablet(session, office_id, counter_id, FakeClock().now) == 1
    answer = rate(client, ticket["id"], {"X-Device-Key": TABLET_KEYS[1]})
    assert (answer.status_code, answer.get_json()["error"]) == (401, "invalid_device_key")
    assert rate(client, ticket["id"], {}, token=ticket["token"]).status_code == 201


def test_the_phone_path_needs_the_token(served: tuple[FlaskClient, dict[str, Any]]) -> None:
    client, ticket = served
    wrong = rate(client, ticket["id"], {}, token="x" * 43)
    assert (wrong.status_code, wrong.get_json()["error"]) == (403, "wrong_token")
    bare = rate(client, ticket["id"], {})
    assert bare.status_code == 401
    answer = rate(client, ticket["id"], {}, token=ticket["token"], level="satisfied")
    assert answer.status_code == 201 and answer.get_json()["level"] == "satisfied"


# --- in a browser ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """Pages, each in its own context (its own storage: its own device)."""
    contexts = []
    errors: list[str] = []

    def open_() -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield open_
    for context in contexts:
        context.close()
    assert errors == []


def tap(page: Page, service: str) -> str:
    """Tap a service on the kiosk; the number it shows, or the message."""
    page.click(f".service-button[data-service={service}]:not([disabled])")
    page.wait_for_selector("#result:not([hidden]), #message:not([hidden])")
    if page.is_visible("#message"):
        text = page.inner_text("#message-text")
        page.click("#message-close")
        return text
    number = page.inner_text("#result-number")
    page.click("#result-done")
    return number


@pytest.mark.browser
def test_a_kiosk_paired_in_administration_issues_without_the_limit(
    live_server: Callable[..., LiveServer], new_page: Callable[[], Page]
) -> None:
    server = live_server(guarded_site())
    # Unpaired, the kiosk page is one more anonymous client: its fourth ticket is refused.
    unpaired = new_page()
    unpaired.goto(f"{server.url}/kiosk/tang-2")
    unpaired.wait_for_selector("body[data-ready=true]")
    answers = [tap(unpaired, "C") for _ in range(4)]
    assert [a.startswith("C") for a in answers] == [True, True, True, False]
    assert "quá nhiều số" in answers[3]

    # A supervisor pairs kiosk tang-2 and opens the address it shows on the kiosk.
    admin = new_page()
    admin.goto(f"{server.url}/admin/devices")
    admin.fill("#username", "mai")
    admin.fill("#password", "mat-khau-thu")
    admin.click("button[type=submit]")
    admin.wait_for_url("**/admin/devices")
    admin.fill("#new-kiosk", "tang-2")
    admin.click("form.actions button[type=submit]")
    address = admin.inner_text("#pairing-address")
    assert "/kiosk/tang-2#pair=" in address
    kiosk = new_page()
    kiosk.goto(address)
    kiosk.wait_for_selector("body[data-ready=true]")
    assert "pair" not in kiosk.url  # the key left the address bar
    stored = kiosk.evaluate("() => localStorage.getItem('luot.deviceKey')")
    assert stored and address.endswith(stored)
    kiosk.reload()  # the key stays with the device
    kiosk.wait_for_selector("body[data-ready=true]")
    numbers = [tap(kiosk, "C") for _ in range(5)]
    assert all(n.startswith("C") for n in numbers), numbers

    # A rating tablet nobody paired says so.
    tablet = new_page()
    tablet.goto(f"{server.url}/rate/3")
    tablet.wait_for_selector("#unpaired:not([hidden])")
    assert "ghép" in tablet.inner_text("#unpaired")


def test_the_api_document_states_keys_refusals_and_retry_after(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    app = make_app(site=guarded_site(), features=["display_server.screens"], clock=clock)
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    scheme = document["components"]["securitySchemes"]["deviceKey"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "X-Device-Key")
    issue = document["paths"]["/api/v1/tickets"]["post"]
    assert {"deviceKey": []} in issue["security"] and {} in issue["security"]
    assert {"401", "403", "415", "429"} <= set(issue["responses"])
    assert "Retry-After" in issue["responses"]["429"]["headers"]
    rating = document["paths"]["/api/v1/tickets/{ticket_id}/rating"]["post"]
    target = document["paths"]["/api/v1/counters/{number}/rating-target"]["get"]
    for operation in (rating, target):
        assert {"401", "403"} <= set(operation["responses"])
        assert {"deviceKey": []} in operation["security"]
