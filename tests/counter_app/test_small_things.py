"""Things an officer sees: waits after a call-back, closed counters in the transfer list, plain
counter names in English, a refused password, the window back from compact on a small screen."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from counter_app import i18n
from counter_app.views import CounterInfo, TicketInfo
from counter_app.words import counter_choice, counter_name
from tests.counter_app.conftest import OpenApp, StartServer
from tests.counter_app.samples import counter_json, ticket_json
from tests.counter_app.window import pump, settle


@pytest.fixture(autouse=True)
def vietnamese() -> Iterator[None]:
    i18n.set_language("vi")
    yield
    i18n.set_language("vi")


def test_a_no_show_called_back_has_waited_since_it_first_queued() -> None:
    data = ticket_json("called", waited=10)
    first = dict(data["steps"][0])
    first.update(outcome="no_show", service="A", finished_at="2026-11-25T08:41:00+07:00")
    # Called back twenty minutes after its no-show: a new step, queued at the call.
    again = {**first, "outcome": "pending", "finished_at": None}
    again.update(queued_at="2026-11-25T09:01:00+07:00", called_at="2026-11-25T09:01:00+07:00")
    data["steps"] = [first, again]
    ticket = TicketInfo.from_json(data)
    assert ticket.waited_minutes() == 31  # not "under a minute"
    assert ticket.waited_past_target()


def test_the_transfer_list_says_which_counters_are_closed() -> None:
    counter = CounterInfo.from_json(counter_json("closed"))
    assert counter_choice(counter) == "Quầy 1 (đang đóng)"
    assert counter_choice(replace(counter, state="paused")) == "Quầy 1 (tạm nghỉ)"
    assert counter_choice(replace(counter, state="open")) == "Quầy 1"
    i18n.set_language("en")
    assert counter_choice(counter) == "Counter 1 (closed)"
    assert counter_name(replace(counter, name="Quầy Một cửa liên thông")) == (
        "Quầy Một cửa liên thông"  # a name of its own is kept
    )


def test_a_refused_password_is_cleared(live_server: StartServer, open_app: OpenApp) -> None:
    server = live_server()
    app = open_app(server, 1)
    pump(app, lambda: app.page == "signin", what="the sign-in page")
    page = app.signin_page
    page.username_entry.insert(0, "lan")
    page.password_entry.insert(0, "sai-mat-khau")
    page.button.invoke()
    pump(app, lambda: page.error.winfo_ismapped(), what="the refusal")
    assert page.password_entry.get() == ""
    assert page.username_entry.get() == "lan"


def test_back_from_compact_the_window_stays_on_a_1366_screen(open_app: OpenApp) -> None:
    app = open_app()
    settle(app, 0.2)
    assert app.winfo_screenwidth() == 1366
    app.toggle_compact()
    settle(app, 0.2)
    assert app.winfo_x() + app.winfo_width() <= 1366 and app.winfo_x() > 600
    app.toggle_compact()
    settle(app, 0.2)
    assert app.winfo_width() == 1040
    assert app.winfo_x() + app.winfo_width() <= 1366  # not from the compact window's corner


def test_a_first_password_is_replaced_from_the_window(
    live_server: StartServer, open_app: OpenApp
) -> None:
    from tests.display_server.test_first_passwords import FIRST, OWN, plain_site

    server = live_server(site=plain_site())
    app = open_app(server, 1)
    pump(app, lambda: app.page == "signin", what="the sign-in page")
    page = app.signin_page
    page.username_entry.insert(0, "lan")
    page.password_entry.insert(0, FIRST)
    page.button.invoke()
    pump(app, lambda: page.new_entry.winfo_ismapped(), what="the new-password fields")
    assert "mật khẩu ban đầu" in page.error.cget("text")
    assert page.password_entry.get() == FIRST  # kept: it is sent again with the new one
    page.new_entry.insert(0, OWN)
    page.again_entry.insert(0, OWN)
    page.button.invoke()
    pump(app, lambda: app.page == "main", what="the serving page")
