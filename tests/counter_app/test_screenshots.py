"""Screenshots of a realistic morning for docs/screenshots/, checked for what they must show."""

from __future__ import annotations

import sqlite3

from PIL import Image

from counter_app.state import Action
from tests.counter_app.conftest import OpenApp, StartServer
from tests.counter_app.window import (
    age_tickets,
    enabled,
    issue,
    press,
    pump,
    queue_text,
    screenshot,
    settle,
    shown_number,
    sign_in,
    timer_seconds,
)


def test_main_window_screenshots(live_server: StartServer, open_app: OpenApp) -> None:
    server = live_server()
    app = open_app(server, 1)
    sign_in(app)

    # Earlier today: two citizens served, one who did not come.
    for _ in range(3):
        issue(server, "A")
    for outcome in (Action.FINISH, Action.FINISH, Action.NO_SHOW):
        pump(app, lambda: Action.CALL_NEXT in enabled(app), what="idle")
        press(app, Action.CALL_NEXT)
        pump(app, lambda done=outcome: done in enabled(app), what=f"{outcome} enabled")
        press(app, outcome)
    database = sqlite3.connect(server.data_dir / "luot.db", timeout=30)
    with database:  # as if each took six and a half minutes
        database.execute(
            "UPDATE ticket_step SET called_at = datetime(finished_at, '-7 minutes'), "
            "started_at = datetime(finished_at, '-390 seconds') "
            "WHERE outcome = 'done'"
        )
    database.close()

    # The line now: some waited long, two are priority cases.
    ages = {}
    for service, minutes, priority in [
        ("A", 34, "none"),
        ("A", 27, "none"),
        ("A", 16, "none"),
        ("A", 9, "elderly"),
        ("A", 3, "none"),
        ("B", 41, "none"),
        ("B", 12, "with_infant"),
        ("B", 2, "none"),
        ("C", 5, "none"),
    ]:
        ages[issue(server, service, priority=priority)["number"]] = minutes
    age_tickets(server, ages)

    pump(app, lambda: Action.CALL_NUMBER in enabled(app), what="idle")
    press(app, Action.CALL_NUMBER)
    assert app.sheet is not None
    app.sheet.entry.insert(0, "A004")  # the citizen waiting 34 minutes
    app.sheet.confirm_button.invoke()
    pump(app, lambda: shown_number(app) == "A004", what="A004 called")
    press(app, Action.START)
    pump(app, lambda: timer_seconds(app) >= 2, what="two seconds of service")
    pump(app, lambda: app.desk.stats is not None and app.desk.stats.served == 2, what="the day")
    pump(app, lambda: "B001" in queue_text(app), what="the list")

    hint = app.main_page.ticket.hint
    assert hint.winfo_ismapped() and "Xin lỗi công dân" in hint.cget("text")
    late = app.main_page.queue.text.tag_ranges("late")
    late_text = " ".join(
        app.main_page.queue.text.get(a, b) for a, b in zip(late[::2], late[1::2], strict=True)
    )
    assert "A005" in late_text and "B001" in late_text and "A006" not in late_text
    assert "trung bình 6,5 phút/người" in app.main_page.footer.cget("text")

    light = screenshot(app, "counter-main-light")
    app.event_generate("<KeyPress-F12>")
    settle(app, 0.3)
    dark = screenshot(app, "counter-main-dark")
    app.main_page.language_button.invoke()
    settle(app, 0.3)
    assert app.main_page.actions.button(Action.CALL_NEXT).cget("text") == "Call next\nF1"
    english = screenshot(app, "counter-main-en")
    app.main_page.language_button.invoke()
    app.event_generate("<KeyPress-F12>")
    app.event_generate("<KeyPress-F11>")
    settle(app, 0.3)
    # Always-on-top is a request to the window manager; Xvfb has none to grant it, so check ours.
    assert app.settings.compact and app.winfo_width() == 400
    compact = screenshot(app, "counter-compact-light")

    for path, size in (
        (light, (1040, 680)),
        (dark, (1040, 680)),
        (english, (1040, 680)),
        (compact, (400, 700)),
    ):
        with Image.open(path) as image:
            assert image.size == size
            colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
            assert len(colours) > 200  # a drawn window, not a blank one
    with Image.open(light) as bright, Image.open(dark) as dim:
        assert _mean(bright) > 150 > 80 > _mean(dim)


def _mean(image: Image.Image) -> float:
    grey = image.convert("L")
    histogram = grey.histogram()
    return sum(i * n for i, n in enumerate(histogram)) / max(1, sum(histogram))
