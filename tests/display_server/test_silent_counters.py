"""A counter whose officer's app has gone silent is shown as such, then closed; the dashboard
says so; estimates stop counting it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from display_server.models import EventLog
from display_server.presence import EXTENSION_KEY, PresenceTracker, rules_from
from display_server.site import SiteError
from tests.factories import FakeClock, issue, login, make_site

AppFactory = Callable[..., Flask]


@pytest.fixture
def presence_app(make_app: AppFactory, clock: FakeClock) -> Flask:
    site = make_site()
    site["presence"] = {"silent_after_seconds": 60, "close_after_minutes": 10}
    return make_app(site=site, clock=clock, features=["display_server.presence"])


def counter(client: object, number: int) -> dict[str, object]:
    answer: dict[str, object] = client.get(f"/api/v1/counters/{number}").get_json()  # type: ignore[attr-defined]
    return answer


def test_a_silent_counter_is_shown_silent_then_closed(
    presence_app: Flask, clock: FakeClock
) -> None:
    client = presence_app.test_client()
    tracker: PresenceTracker = presence_app.extensions[EXTENSION_KEY]
    officer = login(client, "lan", 1)
    client.get("/api/v1/queue", headers=officer)  # the app syncs: heard
    assert tracker.review() == []
    assert counter(client, 1)["silent"] is False

    clock.advance(seconds=50)
    client.get("/api/v1/queue", headers=officer)
    clock.advance(seconds=50)
    assert tracker.review() == []  # heard 50 s ago: fine
    clock.advance(seconds=30)  # the app is gone: 80 s without a word
    assert tracker.review() == [(1, "silent")]
    shown = counter(client, 1)
    assert (shown["state"], shown["silent"]) == ("open", True)
    # Counter 1 was the only open one for service A: no time is promised any more.
    assert issue(client, "A")["estimated_wait_minutes"] is None

    client.get("/api/v1/queue", headers=officer)  # it comes back
    assert tracker.review() == [(1, "heard")]
    assert counter(client, 1)["silent"] is False

    clock.advance(minutes=11)  # gone for good
    assert tracker.review() == [(1, "closed")]
    shown = counter(client, 1)
    assert (shown["state"], shown["silent"], shown["officer"]) == ("closed", False, None)
    with presence_app.extensions["luot.db"].read_session() as session:
        closing = session.scalars(
            select(EventLog).where(EventLog.kind == "counter.state").order_by(EventLog.id.desc())
        ).first()
        assert closing is not None and closing.detail["reason"] == "app_silent"


def test_a_counter_with_a_citizen_called_is_not_closed_only_shown_silent(
    presence_app: Flask, clock: FakeClock
) -> None:
    client = presence_app.test_client()
    tracker: PresenceTracker = presence_app.extensions[EXTENSION_KEY]
    officer = login(client, "lan", 1)
    issue(client, "A")
    assert client.post("/api/v1/counters/1/call-next", headers=officer).status_code == 200
    clock.advance(minutes=30)
    assert tracker.review() == [(1, "silent")]
    assert counter(client, 1)["state"] == "open"


def test_the_server_start_is_not_counted_as_silence(make_app: AppFactory, clock: FakeClock) -> None:
    first = make_app(clock=clock, features=["display_server.presence"])
    login(first.test_client(), "lan", 1)
    clock.advance(minutes=5)  # the server was down meanwhile; it starts again
    again = make_app(
        database=first.config["LUOT_DATABASE_URL"],
        clock=clock,
        features=["display_server.presence"],
    )
    tracker: PresenceTracker = again.extensions[EXTENSION_KEY]
    assert tracker.review() == []
    clock.advance(seconds=100)
    assert tracker.review() == [(1, "silent")]


def test_presence_settings_are_checked() -> None:
    assert rules_from({}).silent_after.total_seconds() == 90
    assert rules_from({"close_after_minutes": 0}).close_after is None
    for bad in (
        {"silent_after_seconds": 5},
        {"close_after_minutes": "soon"},
        {"silent_after_seconds": 600, "close_after_minutes": 5},
    ):
        with pytest.raises(SiteError):
            rules_from(bad)


def test_the_dashboard_alerts_on_silent_and_closed_counters(
    make_app: AppFactory, clock: FakeClock
) -> None:
    from tests.display_server.admin.conftest import sign_in

    app = make_app(clock=clock, features=["display_server.admin", "display_server.presence"])
    client = app.test_client()
    tracker: PresenceTracker = app.extensions[EXTENSION_KEY]
    login(client, "lan", 1)
    login(client, "hung", 2)
    clock.advance(seconds=100)
    assert sorted(tracker.review()) == [(1, "silent"), (2, "silent")]
    sign_in(client)
    data = client.get("/admin/live.json").get_json()
    assert [(a["kind"], a["counter"]) for a in data["alerts"]] == [("silent", 1), ("silent", 2)]
    assert [c["silent"] for c in data["counters"]] == [True, True, False]
    assert data["alerts"][0]["since"].endswith("+07:00")  # office time, like the rest
    clock.advance(minutes=25)
    tracker.review()
    data = client.get("/admin/live.json").get_json()
    assert [(a["kind"], a["counter"]) for a in data["alerts"]] == [("closed", 1), ("closed", 2)]
