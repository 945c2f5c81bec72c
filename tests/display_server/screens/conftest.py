"""Fixtures for the screens: an app with the feature, live servers, an event-stream reader, a
browser (Debian's chromium through Playwright), and helpers that act as officers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from display_server.models import Rating
from tests.factories import PASSWORD, FakeClock, make_site
from tests.servers import LiveServer, write_site

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
KEEPALIVE = "0.4"  # seconds between keep-alives on the test servers
NOTICE = (
    "Bộ phận Một cửa làm việc từ 7 giờ 30 đến 17 giờ, thứ Hai đến thứ Sáu. "
    "Quý khách vui lòng giữ phiếu và chú ý màn hình khi đến lượt."
)


TABLET_KEYS = {number: f"rating-tablet-at-counter-{number}" for number in (1, 2, 3)}
KIOSK_KEYS = {"sanh-chinh": "kiosk-key-of-sanh-chinh"}


def tablet_key(counter: int) -> dict[str, str]:
    """The headers of a request from the rating tablet paired to `counter`."""
    return {"X-Device-Key": TABLET_KEYS[counter]}


def screens_site(**extra: Any) -> dict[str, Any]:
    """The test site with a display notice, voice that never plays on this machine, a paired
    rating tablet at every counter and one paired kiosk (sanh-chinh)."""
    site = make_site()
    site["services"].append(
        {
            "code": "E",
            "name": "Xác nhận tình trạng hôn nhân",
            "name_en": "Marital status certificate",
            "daily_limit": 1,
        }
    )
    site["display"] = {"notice": NOTICE}
    site["voice"] = {"play_on_server": False, "repeat": 1}
    site["tablets"] = [
        {"id": f"tablet-{n}", "counter": n, "name": f"Máy đánh giá quầy {n}", "key": key}
        for n, key in TABLET_KEYS.items()
    ]
    site["kiosks"] = [
        {"id": k, "name": "Ki-ốt sảnh chính", "key": v} for k, v in KIOSK_KEYS.items()
    ]
    site.update(extra)
    return site


@pytest.fixture
def screens_app(make_app: Callable[..., Flask], clock: FakeClock) -> Flask:
    return make_app(site=screens_site(), features=["display_server.screens"], clock=clock)


@pytest.fixture
def screens_client(screens_app: Flask) -> FlaskClient:
    return screens_app.test_client()


def start_server(folder: Path, site: dict[str, Any] | None = None, **env: str) -> LiveServer:
    """`luot serve` with short keep-alives, in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    site_file = write_site(folder / "site.toml", site or screens_site())
    return LiveServer(folder, site_file, env={"LUOT_SSE_KEEPALIVE": KEEPALIVE, **env}).start()


class Officer:
    """Acts at one counter through the JSON API of a live server."""

    def __init__(self, url: str, username: str, counter: int) -> None:
        self.url = url
        self.counter = counter
        self.http = httpx.Client(base_url=url, timeout=10)
        answer = self.http.post(
            "/api/v1/auth/login",
            json={"username": username, "password": PASSWORD, "counter": counter},
        )
        answer.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {answer.json()['token']}"

    def close(self) -> None:
        self.http.close()

    def act(self, action: str, **body: Any) -> dict[str, Any]:
        answer = self.http.post(f"/api/v1/counters/{self.counter}/{action}", json=body or {})
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result


@pytest.fixture
def officers() -> Iterator[Callable[[str, str, int], Officer]]:
    """Sign officers in at counters of a live server; their connections close after the test."""
    made: list[Officer] = []

    def sign_in(url: str, username: str, counter: int) -> Officer:
        officer = Officer(url, username, counter)
        made.append(officer)
        return officer

    yield sign_in
    for officer in made:
        officer.close()


def issue(url: str, service: str = "A", **extra: Any) -> dict[str, Any]:
    """Issue a ticket on a live server."""
    answer = httpx.post(f"{url}/api/v1/tickets", json={"service": service, **extra}, timeout=10)
    assert answer.status_code == 201, answer.text
    ticket: dict[str, Any] = answer.json()
    return ticket


def ratings(server: LiveServer) -> list[Rating]:
    """The rating rows in a live server's SQLite database."""
    engine = create_engine(f"sqlite:///{server.data_dir / 'luot.db'}")
    try:
        with Session(engine) as session:
            return list(session.scalars(select(Rating).order_by(Rating.id)))
    finally:
        engine.dispose()


# --- reading an event stream ------------------------------------------------------------------


@dataclass
class Message:
    """One SSE message as a client sees it, with when it arrived."""

    event: str | None = None
    id: str | None = None
    data: str = ""
    comments: list[str] = field(default_factory=list)
    retry: int | None = None
    at: float = 0.0

    def json(self) -> Any:
        import json

        return json.loads(self.data)


class EventReader:
    """A plain HTTP client reading GET /api/v1/events message by message."""

    def __init__(self, url: str, headers: dict[str, str] | None = None, query: str = "") -> None:
        self.client = httpx.Client(timeout=httpx.Timeout(5.0))
        self.started = time.monotonic()
        self.context = self.client.stream(
            "GET", f"{url}/api/v1/events{query}", headers=headers or {}
        )
        self.response = self.context.__enter__()
        self.lines = self.response.iter_lines()

    def next(self, *, skip_keepalives: bool = True) -> Message:
        """The next message (a retry-only block is skipped, keep-alives too unless asked)."""
        while True:
            message = Message()
            for line in self.lines:
                if line == "":
                    break
                name, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if name == "":
                    message.comments.append(value)
                elif name == "event":
                    message.event = value
                elif name == "id":
                    message.id = value
                elif name == "data":
                    message.data += value
                elif name == "retry":
                    message.retry = int(value)
            else:
                raise EOFError("the stream ended")
            message.at = time.monotonic()
            if message.event is None and not message.data:
                continue
            if skip_keepalives and message.event == "keepalive":
                continue
            return message

    def until(self, kind: str) -> Message:
        """Skip messages until one of `kind`."""
        while True:
            message = self.next()
            if message.event == kind:
                return message

    def close(self) -> None:
        if not self.client.is_closed:
            self.context.__exit__(None, None, None)
            self.client.close()


@pytest.fixture
def events() -> Iterator[Callable[..., EventReader]]:
    """Open event streams; all are closed after the test."""
    readers: list[EventReader] = []

    def open_stream(url: str, **kwargs: Any) -> EventReader:
        reader = EventReader(url, **kwargs)
        readers.append(reader)
        return reader

    yield open_stream
    for reader in readers:
        reader.close()


def stream_stats(url: str) -> dict[str, Any]:
    stats: dict[str, Any] = httpx.get(f"{url}/api/v1/events/stats", timeout=5).json()
    return stats


def wait_for(predicate: Callable[[], Any], timeout: float = 5.0, interval: float = 0.05) -> Any:
    """Poll until `predicate()` is truthy; returns its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)
