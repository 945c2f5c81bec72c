"""Driving a real counter window from tests: pump Tk until a condition holds, sign in, capture."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from counter_app.state import Action
from counter_app.ui.app import CounterApp
from tests.factories import PASSWORD
from tests.screenshots import SCREENSHOTS
from tests.servers import LiveServer


def pump(
    apps: CounterApp | list[CounterApp],
    until: Callable[[], Any],
    timeout: float = 20.0,
    what: str = "condition",
) -> None:
    """Run the Tk loop of `apps` until `until()` is true; fail with `what` after `timeout`."""
    windows = apps if isinstance(apps, list) else [apps]
    deadline = time.monotonic() + timeout
    while True:
        for window in windows:
            window.update()
        if until():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


def settle(app: CounterApp, seconds: float) -> None:
    """Let the window run for a while."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.update()
        time.sleep(0.01)


def sign_in(app: CounterApp, username: str = "lan", password: str = PASSWORD) -> None:
    """Type the credentials on the sign-in page and wait for the serving page with its queue."""
    pump(app, lambda: app.page == "signin", what="the sign-in page")
    page = app.signin_page
    page.username_entry.delete(0, "end")
    page.username_entry.insert(0, username)
    page.password_entry.delete(0, "end")
    page.password_entry.insert(0, password)
    page.button.invoke()
    pump(app, lambda: app.page == "main" and app.desk.snapshot is not None, what="the serving page")


def press(app: CounterApp, action: Action) -> None:
    """Click an action's button (it must be enabled)."""
    button = app.main_page.actions.button(action)
    assert button.cget("state") == "normal", f"{action} is disabled"
    button.invoke()


def enabled(app: CounterApp) -> set[Action]:
    """Actions whose buttons are enabled on screen right now."""
    panel = app.main_page.actions
    result = set()
    for slot, button in panel.buttons.items():
        if button.cget("state") == "normal":
            result.add(panel.toggle_action if slot is Action.PAUSE else slot)
    return result


def shown_number(app: CounterApp) -> str:
    """The big ticket number on screen."""
    return str(app.main_page.ticket.number.cget("text"))


def timer_seconds(app: CounterApp) -> int:
    """The running service timer on screen, in seconds (-1 when none runs)."""
    text = str(app.main_page.ticket.timer.cget("text"))
    if not text.startswith(("Thời gian phục vụ", "Service time")):
        return -1
    minutes, seconds = text.rsplit(" ", 1)[1].split(":")[-2:]
    return int(minutes) * 60 + int(seconds)


def queue_text(app: CounterApp) -> str:
    """The waiting list as plain text (no-break spaces read as spaces)."""
    return str(app.main_page.queue.text.get("1.0", "end")).replace("\u00a0", " ")


def counter_state(app: CounterApp) -> str | None:
    """The counter's state as the window holds it (open, paused, closed)."""
    return app.desk.counter.state if app.desk.counter else None


def current_id(app: CounterApp) -> int | None:
    """The id of the ticket the window holds as current."""
    current = app.desk.counter.current if app.desk.counter else None
    return current.id if current and current.active else None


def issue(server: LiveServer, service: str = "A", **extra: Any) -> dict[str, Any]:
    """Issue a ticket through the API, as a kiosk would."""
    response = httpx.post(f"{server.url}/api/v1/tickets", json={"service": service, **extra})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def ticket(server: LiveServer, ticket_id: int) -> dict[str, Any]:
    """GET /api/v1/tickets/{id}."""
    response = httpx.get(f"{server.url}/api/v1/tickets/{ticket_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def age_tickets(server: LiveServer, minutes: dict[str, float]) -> None:
    """Pretend tickets were issued earlier (a live server keeps real time): shift their times."""
    database = sqlite3.connect(server.data_dir / "luot.db", timeout=30)
    try:
        for number, age in minutes.items():
            for table, column in (("ticket", "issued_at"), ("ticket", "queued_at")):
                row = database.execute(
                    f"SELECT id, {column} FROM {table} WHERE number = ?", (number,)
                ).fetchone()
                moved = _shift(row[1], age)
                database.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (moved, row[0]))
            ticket_id = row[0]
            for step_id, queued in database.execute(
                "SELECT id, queued_at FROM ticket_step WHERE ticket_id = ?", (ticket_id,)
            ).fetchall():
                database.execute(
                    "UPDATE ticket_step SET queued_at = ? WHERE id = ?",
                    (_shift(queued, age), step_id),
                )
        database.commit()
    finally:
        database.close()


def _shift(stored: str, minutes: float) -> str:
    value = datetime.fromisoformat(stored).replace(tzinfo=UTC) - timedelta(minutes=minutes)
    return value.replace(tzinfo=None).isoformat(sep=" ")


def screenshot(app: CounterApp, name: str) -> Path:
    """Capture the window into docs/screenshots/<name>.png (ImageMagick's `import`)."""
    app.update_idletasks()
    app.update()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    window = str(int(app.wm_frame(), 16))
    subprocess.run(
        ["import", "-window", window, str(path)],
        check=True,
        env={**os.environ},
        capture_output=True,
        timeout=30,
    )
    return path


def xdotool_key(app: CounterApp, key: str) -> None:
    """A real key press through the X server (XTEST), to the focused window."""
    app.focus_force()
    app.update()
    subprocess.run(["xdotool", "key", "--clearmodifiers", key], check=True, timeout=10)


def xdotool_type(app: CounterApp, text: str) -> None:
    """Type text through the X server into the focused widget."""
    subprocess.run(["xdotool", "type", "--delay", "5", text], check=True, timeout=10)
