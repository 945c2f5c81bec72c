"""The counter window on Xvfb against a real `luot serve`: an officer's day, end to end."""

from __future__ import annotations

import gc
import json
from datetime import datetime
from pathlib import Path

import httpx

from counter_app.state import Action
from tests.counter_app.conftest import OpenApp, StartServer
from tests.counter_app.window import (
    counter_state,
    current_id,
    enabled,
    issue,
    press,
    pump,
    queue_text,
    screenshot,
    settle,
    shown_number,
    sign_in,
    ticket,
    timer_seconds,
    xdotool_key,
    xdotool_type,
)

IDLE = {Action.CALL_NEXT, Action.CALL_NUMBER, Action.PAUSE, Action.REPRINT}
CALLED = {
    Action.RECALL,
    Action.START,
    Action.FINISH,
    Action.NO_SHOW,
    Action.TRANSFER,
    Action.PAUSE,
    Action.REPRINT,
}
SERVING = {Action.FINISH, Action.TRANSFER, Action.PAUSE, Action.REPRINT}


def test_first_run_remembers_server_and_counter_then_signs_in(
    live_server: StartServer, open_app: OpenApp, tmp_path: Path
) -> None:
    server = live_server()
    config = tmp_path / "remembered.json"
    app = open_app(None, config=config)
    assert app.page == "setup"

    app.setup_page.server_entry.insert(0, f"127.0.0.1:{server.port}")
    app.setup_page.counter_entry.insert(0, "số một")
    app.setup_page.button.invoke()
    assert "Số quầy phải là số nguyên" in app.setup_page.error.cget("text")

    app.setup_page.counter_entry.delete(0, "end")
    app.setup_page.counter_entry.insert(0, "1")
    app.setup_page.button.invoke()
    pump(app, lambda: app.page == "signin", what="the sign-in page")
    assert json.loads(config.read_text())["server"] == server.url

    app.signin_page.username_entry.insert(0, "lan")
    app.signin_page.password_entry.insert(0, "sai-mat-khau")
    app.signin_page.button.invoke()
    pump(app, lambda: app.signin_page.error.winfo_ismapped(), what="the refusal")
    assert app.signin_page.error.cget("text") == "Sai tên đăng nhập hoặc mật khẩu."
    screenshot(app, "counter-signin")

    sign_in(app, "lan")
    assert app.main_page.who.cget("text") == "Quầy 1 · Nguyễn Thị Lan"
    remembered = json.loads(config.read_text())
    assert remembered["counter"] == 1 and remembered["username"] == "lan"
    assert "mat-khau" not in config.read_text() and app.client and app.client.token
    assert app.client.token not in config.read_text()


def test_call_start_finish_records_the_times_on_the_server(
    live_server: StartServer, open_app: OpenApp
) -> None:
    server = live_server()
    first, second = issue(server, "A"), issue(server, "B", priority="elderly")
    app = open_app(server, 1)
    sign_in(app)
    pump(app, lambda: enabled(app) == IDLE, what="idle buttons")
    listed = queue_text(app)
    assert "A001" in listed and "B001★" in listed and "1 ưu tiên" in listed

    press(app, Action.CALL_NEXT)  # the priority citizen first
    pump(app, lambda: shown_number(app) == second["number"], what="the called number")
    assert enabled(app) == CALLED
    assert "Người cao tuổi" in app.main_page.ticket.priority.cget("text")

    press(app, Action.START)
    pump(app, lambda: enabled(app) == SERVING, what="serving")
    pump(app, lambda: timer_seconds(app) >= 1, what="the service timer running")
    press(app, Action.FINISH)
    pump(app, lambda: enabled(app) == IDLE and shown_number(app) == "—", what="idle again")

    steps = ticket(server, second["id"])["steps"]
    times = [
        datetime.fromisoformat(steps[-1][key]) for key in ("called_at", "started_at", "finished_at")
    ]
    assert times[0] <= times[1] < times[2]
    assert (times[2] - times[1]).total_seconds() >= 1
    assert ticket(server, second["id"])["status"] == "done"
    pump(app, lambda: "đã phục vụ 1" in app.main_page.footer.cget("text"), what="the day's count")
    assert ticket(server, first["id"])["status"] == "waiting"


def test_transfer_then_no_show(live_server: StartServer, open_app: OpenApp) -> None:
    server = live_server()
    moved, absent = issue(server, "A"), issue(server, "A")
    app = open_app(server, 1)
    sign_in(app)
    pump(app, lambda: Action.CALL_NEXT in enabled(app), what="call next enabled")
    press(app, Action.CALL_NEXT)
    pump(app, lambda: shown_number(app) == moved["number"], what="the first call")

    press(app, Action.TRANSFER)
    sheet = app.sheet
    assert sheet is not None and sheet.title.cget("text") == f"Chuyển số {moved['number']}"
    sheet.choose_service("C")  # Chứng thực, served at counters 2 and 3
    sheet.choose_counter(3)
    sheet.arrival.invoke()
    sheet.confirm_button.invoke()
    pump(app, lambda: app.sheet is None and shown_number(app) == "—", what="the transfer")
    assert "Đã chuyển số A001 sang Chứng thực" in app.main_page.message.cget("text")
    after = ticket(server, moved["id"])
    assert (after["status"], after["service"], after["steps"][0]["outcome"]) == (
        "waiting",
        "C",
        "transferred",
    )

    press(app, Action.CALL_NEXT)
    pump(app, lambda: shown_number(app) == absent["number"], what="the second call")
    press(app, Action.NO_SHOW)
    pump(app, lambda: shown_number(app) == "—", what="the no-show")
    assert ticket(server, absent["id"])["status"] == "no_show"
    pump(app, lambda: "vắng mặt 1" in app.main_page.footer.cget("text"), what="the day's count")


def test_keyboard_shortcuts_drive_the_counter(live_server: StartServer, open_app: OpenApp) -> None:
    server = live_server()
    first = issue(server, "A")
    app = open_app(server, 1)
    sign_in(app)
    pump(app, lambda: Action.CALL_NEXT in enabled(app), what="call next enabled")

    xdotool_key(app, "F1")  # a real key event through the X server
    pump(app, lambda: shown_number(app) == first["number"], what="F1 calling the next")
    app.event_generate("<KeyPress-F3>")
    pump(app, lambda: ticket(server, first["id"])["status"] == "serving", what="F3 starting")

    xdotool_key(app, "F7")  # pause opens its sheet; type a reason and press Enter
    pump(app, lambda: app.sheet is not None, what="the pause sheet")
    settle(app, 0.1)
    xdotool_type(app, "Hop giao ban")  # Xvfb's keymap has no Vietnamese letters (an IME types them)
    pump(
        app,
        lambda: app.sheet is not None and app.sheet.entry.get() == "Hop giao ban",
        what="the typed reason",
    )
    xdotool_key(app, "Return")
    pump(app, lambda: counter_state(app) == "paused", what="paused")
    assert app.desk.counter.pause_reason == "Hop giao ban"
    assert app.main_page.actions.button(Action.RESUME).cget("text").startswith("Tiếp tục")
    assert Action.CALL_NEXT not in enabled(app) and Action.FINISH in enabled(app)

    xdotool_key(app, "F4")
    pump(app, lambda: ticket(server, first["id"])["status"] == "done", what="F4 finishing")
    xdotool_key(app, "F7")
    pump(app, lambda: counter_state(app) == "open", what="resumed")

    xdotool_key(app, "F8")  # call a given number: a sheet, Escape cancels it
    pump(app, lambda: app.sheet is not None, what="the call-number sheet")
    xdotool_key(app, "Escape")
    pump(app, lambda: app.sheet is None, what="the sheet closed")


def test_call_a_number_reprint_and_errors_as_sentences(
    live_server: StartServer, open_app: OpenApp
) -> None:
    server = live_server()
    issue(server, "A")
    wanted = issue(server, "A")
    app = open_app(server, 1)
    sign_in(app)
    pump(app, lambda: Action.CALL_NUMBER in enabled(app), what="call-number enabled")

    press(app, Action.CALL_NUMBER)
    assert app.sheet is not None
    app.sheet.entry.insert(0, "a999")
    app.sheet.confirm_button.invoke()
    pump(app, lambda: app.main_page.message.winfo_ismapped(), what="the error sentence")
    assert app.main_page.message.cget("text").strip() == "Không tìm thấy phiếu số A999."

    listed = app.main_page.queue.text  # clicking a waiting number offers to call it
    start = listed.search(wanted["number"], "1.0")
    x, y, _width, _height = listed.bbox(start)
    listed.event_generate("<Motion>", x=x + 2, y=y + 2)  # the pointer gets there first
    listed.event_generate("<Button-1>", x=x + 2, y=y + 2)
    assert app.sheet is not None and app.sheet.entry.get() == wanted["number"]
    app.sheet.confirm_button.invoke()
    pump(app, lambda: shown_number(app) == wanted["number"], what="the given number called")
    assert not app.main_page.message.winfo_ismapped()

    press(app, Action.REPRINT)
    assert app.sheet is not None and app.sheet.entry.get() == wanted["number"]
    app.sheet.confirm_button.invoke()
    # The print route belongs to the printing feature: either it answers or its error is shown.
    pump(
        app,
        lambda: app.main_page.message.winfo_ismapped() and app.desk.busy is None,
        what="the reprint answer",
    )
    assert "Traceback" not in app.main_page.message.cget("text")
    assert app.main_page.message.cget("text").strip()

    app.after(0, lambda: 1 / 0)  # a bug in a window callback: a sentence, not a traceback
    settle(app, 0.1)
    assert app.main_page.message.cget("text") == "Lỗi không mong đợi trong ứng dụng."


def test_server_lost_and_back_without_restarting_the_app(
    live_server: StartServer, open_app: OpenApp
) -> None:
    server = live_server()
    first = issue(server, "A")
    app = open_app(server, 1)
    sign_in(app)
    pump(app, lambda: Action.CALL_NEXT in enabled(app), what="call next enabled")

    server.stop()
    # Worst case: a stream reopened while the server was shutting down keeps the app "live"
    # until the server is killed (10 s), then the next safety refresh (15 s) finds it gone.
    pump(app, lambda: app.main_page.banner.winfo_ismapped(), timeout=30, what="the banner")
    assert app.main_page.banner.cget("text").startswith("Mất kết nối máy chủ")
    assert enabled(app) == set()
    screenshot(app, "counter-offline")
    app.event_generate("<KeyPress-F1>")  # ignored while offline
    settle(app, 0.2)
    assert app.desk.busy is None

    server.start()
    pump(app, lambda: not app.main_page.banner.winfo_ismapped(), timeout=15, what="recovery")
    pump(app, lambda: Action.CALL_NEXT in enabled(app), what="actions back")
    press(app, Action.CALL_NEXT)
    pump(app, lambda: shown_number(app) == first["number"], what="a call after the restart")


def test_polling_keeps_the_queue_live_without_the_event_stream(
    live_server: StartServer, open_app: OpenApp
) -> None:
    server = live_server()
    app = open_app(server, 1, use_stream=False, poll_interval=0.5)
    sign_in(app)
    assert app.connection is not None and app.connection.stream is None
    assert "cập nhật 2 giây/lần" in app.main_page.link.cget("text")
    issued = issue(server, "B", priority="pregnant")
    pump(app, lambda: issued["number"] in queue_text(app), what="the new ticket in the list")
    assert "1 ưu tiên" in queue_text(app)


def test_event_stream_brings_new_tickets(live_server: StartServer, open_app: OpenApp) -> None:
    server = live_server()
    probe = httpx.get(f"{server.url}/api/v1/events/stats")
    app = open_app(server, 1)
    sign_in(app)
    if probe.status_code != 200:
        assert not app.desk.stream_live  # no stream on this server: polling covers it
        return
    pump(app, lambda: app.desk.stream_live, what="the stream")
    assert "trực tiếp" in app.main_page.link.cget("text")
    issued = issue(server, "A")
    pump(
        app,
        lambda: issued["number"] in queue_text(app),
        timeout=1.5,
        what="the ticket pushed by the stream",
    )


def test_expired_session_asks_to_sign_in_again(live_server: StartServer, open_app: OpenApp) -> None:
    server = live_server()
    issued = issue(server, "A")
    app = open_app(server, 1)
    sign_in(app)
    assert app.client is not None and app.client.token
    revoked = httpx.post(
        f"{server.url}/api/v1/auth/logout",
        json={},
        headers={"Authorization": f"Bearer {app.client.token}"},
    )
    assert revoked.status_code == 200
    pump(app, lambda: counter_state(app) == "closed", what="the closed counter")
    press(app, Action.OPEN)
    pump(app, lambda: app.page == "signin", what="the sign-in page")
    assert "đăng nhập lại" in app.signin_page.error.cget("text")
    assert app.signin_page.username_entry.get() == "lan"

    sign_in(app)
    pump(app, lambda: Action.CALL_NEXT in enabled(app), what="serving again")
    press(app, Action.CALL_NEXT)
    pump(app, lambda: shown_number(app) == issued["number"], what="the call")


def test_two_counters_never_get_the_same_ticket(
    live_server: StartServer, open_app: OpenApp
) -> None:
    server = live_server()
    tickets = [issue(server, "A") for _ in range(8)]
    one, two = open_app(server, 1), open_app(server, 2)
    sign_in(one, "lan")
    sign_in(two, "hung")
    both = [one, two]
    seen: list[int] = []
    for _ in range(4):
        pump(both, lambda: all(Action.CALL_NEXT in enabled(a) for a in both), what="both idle")
        press(one, Action.CALL_NEXT)
        press(two, Action.CALL_NEXT)  # both requests in flight together
        pump(both, lambda: all(current_id(a) for a in both), what="both called")
        seen += [current_id(one) or 0, current_id(two) or 0]
        press(one, Action.FINISH)
        press(two, Action.FINISH)
        pump(
            both,
            lambda: all(current_id(a) is None and a.desk.busy is None for a in both),
            what="both finished",
        )
    assert sorted(seen) == sorted(t["id"] for t in tickets)
    for item in tickets:
        steps = ticket(server, item["id"])["steps"]
        assert len(steps) == 1 and steps[0]["outcome"] == "done"


def test_a_press_during_an_answer_in_flight_is_sent_after_it(
    live_server: StartServer, open_app: OpenApp
) -> None:
    server = live_server()
    first = issue(server, "A")
    app = open_app(server, 1)
    sign_in(app)
    pump(app, lambda: Action.CALL_NEXT in enabled(app), what="idle")
    press(app, Action.CALL_NEXT)
    pump(app, lambda: current_id(app) == first["id"] and app.desk.busy is None, what="the call")

    # A snapshot can show the call before its own answer arrives; a press then must not be lost.
    in_flight = app.desk.begin(Action.RECALL)
    assert in_flight is not None
    press(app, Action.FINISH)
    settle(app, 0.3)
    assert ticket(server, first["id"])["status"] == "called"  # held back, not dropped
    app.on_action_done(in_flight, ticket(server, first["id"]), app.desk.applied_epoch)
    pump(app, lambda: ticket(server, first["id"])["status"] == "done", what="the held press")
    pump(app, lambda: shown_number(app) == "—", what="idle again")


def test_the_collector_runs_on_the_window_thread_only(open_app: OpenApp) -> None:
    """A Tk variable freed on a network thread raises in Tcl: while the window lives the
    cyclic collector is off (the window's timer collects), and closing turns it back on."""
    assert gc.isenabled()
    app = open_app()
    app.update()
    assert not gc.isenabled()
    app.close()
    assert gc.isenabled()
