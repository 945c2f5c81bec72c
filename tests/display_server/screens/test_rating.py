"""Ratings: who may rate which step, once; the tablet's and the status page's targets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from display_server.events import Event
from display_server.models import Officer, Rating
from display_server.settings import save_section
from tests.factories import FakeClock, issue, login

from .conftest import screens_site, tablet_key


def serve_one(
    client: FlaskClient, auth: dict[str, str], counter: int, service: str = "A"
) -> dict[str, Any]:
    """Issue a ticket, call it to `counter` and finish it; returns the finished ticket."""
    issue(client, service)
    called = client.post(f"/api/v1/counters/{counter}/call-next", headers=auth).get_json()
    finished = client.post(f"/api/v1/counters/{counter}/finish", headers=auth)
    assert finished.status_code == 200, finished.get_json()
    assert finished.get_json()["id"] == called["id"]
    body: dict[str, Any] = finished.get_json()
    return body


def rate(
    client: FlaskClient, ticket_id: int, *, tablet: int | None = 1, **body: Any
) -> tuple[int, dict[str, Any]]:
    """Rate from the tablet at counter `tablet` (None: no device key), or with body's token."""
    headers = tablet_key(tablet) if tablet else {}
    answer = client.post(f"/api/v1/tickets/{ticket_id}/rating", json=body, headers=headers)
    return answer.status_code, answer.get_json()


def stored(app: Flask) -> list[Rating]:
    with app.extensions["luot.db"].read_session() as session:
        return list(session.scalars(select(Rating).order_by(Rating.id)))


def officer_id(app: Flask, username: str) -> int:
    with app.extensions["luot.db"].read_session() as session:
        return session.scalars(select(Officer.id).where(Officer.username == username)).one()


def test_the_tablet_rates_the_step_just_finished_at_its_counter_once(
    screens_app: Flask, screens_client: FlaskClient
) -> None:
    heard: list[Event] = []
    screens_app.extensions["luot.bus"].subscribe(heard.append)
    auth = login(screens_client, "lan", counter=1)
    ticket = serve_one(screens_client, auth, 1)

    target = screens_client.get(
        "/api/v1/counters/1/rating-target", headers=tablet_key(1)
    ).get_json()
    assert target["target"]["ticket_id"] == ticket["id"]
    assert target["target"]["officer"] == "Nguyễn Thị Lan"
    assert [level["label"] for level in target["levels"]] == [
        "Rất hài lòng",
        "Hài lòng",
        "Không hài lòng",
    ]

    status, body = rate(
        screens_client, ticket["id"], level="very_satisfied", comment="Nhanh, chu đáo"
    )
    assert status == 201, body
    assert body["officer"] == "Nguyễn Thị Lan" and body["counter"] == 1
    [rating] = stored(screens_app)
    assert (rating.level, rating.score, rating.comment) == ("very_satisfied", 3, "Nhanh, chu đáo")
    assert rating.officer_id == officer_id(screens_app, "lan")
    assert heard[-1].kind == "rating.recorded"
    assert heard[-1].data["rating"]["step_id"] == rating.step_id

    assert (
        screens_client.get("/api/v1/counters/1/rating-target", headers=tablet_key(1)).get_json()[
            "target"
        ]
        is None
    )
    status, body = rate(screens_client, ticket["id"], level="satisfied")
    assert (status, body["error"]) == (409, "already_rated")
    status, body = rate(screens_client, ticket["id"], level="satisfied", token=ticket["token"])
    assert (status, body["error"]) == (409, "already_rated")  # the citizen cannot rate it again
    assert len(stored(screens_app)) == 1


def test_errors(screens_client: FlaskClient) -> None:
    auth = login(screens_client, "lan", counter=1)
    waiting = issue(screens_client, "C")
    served = serve_one(screens_client, auth, 1)

    assert rate(screens_client, 9999, level="satisfied")[0] == 404
    status, body = rate(screens_client, waiting["id"], level="satisfied", token=waiting["token"])
    assert (status, body["error"]) == (409, "not_finished")
    status, body = rate(screens_client, served["id"], level="delighted")
    assert (status, body["error"]) == (422, "invalid_level")
    status, body = rate(
        screens_client, served["id"], level="satisfied", step=waiting["steps"][0]["id"]
    )
    assert (status, body["error"]) == (404, "unknown_step")
    status, body = rate(screens_client, served["id"], level="satisfied", token="not-the-token")
    assert (status, body["error"]) == (403, "wrong_token")
    english = screens_client.post(
        f"/api/v1/tickets/{served['id']}/rating?lang=en",
        json={"level": "delighted"},
        headers=tablet_key(1),
    ).get_json()
    assert english["message"].startswith("Invalid rating level: delighted.")


def test_without_a_token_only_the_counters_current_target_can_be_rated(
    screens_client: FlaskClient, clock: FakeClock
) -> None:
    auth = login(screens_client, "lan", counter=1)
    first = serve_one(screens_client, auth, 1)
    second = serve_one(screens_client, auth, 1)
    status, body = rate(screens_client, first["id"], level="satisfied")
    assert (status, body["error"]) == (403, "rating_not_allowed")  # the counter has moved on

    clock.advance(minutes=11)  # past the tablet's window (10 minutes by default)
    assert (
        screens_client.get("/api/v1/counters/1/rating-target", headers=tablet_key(1)).get_json()[
            "target"
        ]
        is None
    )
    status, body = rate(screens_client, second["id"], level="satisfied")
    assert (status, body["error"]) == (403, "rating_not_allowed")

    # The citizen's status page, holding the token, may still rate both.
    for ticket in (first, second):
        target = screens_client.get(f"/api/v1/tickets/token/{ticket['token']}/rating-target")
        assert target.get_json()["target"]["ticket_id"] == ticket["id"]
        status, _ = rate(screens_client, ticket["id"], level="unsatisfied", token=ticket["token"])
        assert status == 201
    assert (
        screens_client.get(f"/api/v1/tickets/token/{first['token']}/rating-target").get_json()[
            "target"
        ]
        is None
    )

    third = serve_one(screens_client, auth, 1)
    clock.advance(hours=25)
    status, body = rate(screens_client, third["id"], level="satisfied", token=third["token"])
    assert (status, body["error"]) == (409, "rating_closed")


def test_the_target_clears_when_the_next_citizen_is_served(screens_client: FlaskClient) -> None:
    auth = login(screens_client, "lan", counter=1)
    serve_one(screens_client, auth, 1)
    issue(screens_client, "A")
    screens_client.post("/api/v1/counters/1/call-next", headers=auth)
    # Called, not yet come up: the previous citizen may still be at the tablet.
    assert (
        screens_client.get("/api/v1/counters/1/rating-target", headers=tablet_key(1)).get_json()[
            "target"
        ]
        is not None
    )
    screens_client.post("/api/v1/counters/1/start", headers=auth)
    assert (
        screens_client.get("/api/v1/counters/1/rating-target", headers=tablet_key(1)).get_json()[
            "target"
        ]
        is None
    )


def test_each_step_of_a_bundled_procedure_is_rated_with_its_officer(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    site = screens_site()
    site["services"][0]["follow_up"] = ["C"]
    app = make_app(site=site, features=["display_server.screens"], clock=clock)
    client = app.test_client()
    lan, hung = login(client, "lan", counter=1), login(client, "hung", counter=2)
    ticket = issue(client, "A")
    client.post("/api/v1/counters/1/call-next", headers=lan)
    client.post("/api/v1/counters/1/finish", headers=lan)
    assert rate(client, ticket["id"], level="satisfied", token=ticket["token"])[0] == 201
    client.post("/api/v1/counters/2/call-next", headers=hung)
    client.post("/api/v1/counters/2/finish", headers=hung)
    assert rate(client, ticket["id"], level="very_satisfied", tablet=2)[0] == 201
    first, second = stored(app)
    assert first.officer_id == officer_id(app, "lan") and second.officer_id == officer_id(
        app, "hung"
    )


def test_levels_come_from_the_site_file_and_administration(
    make_app: Callable[..., Flask], clock: FakeClock
) -> None:
    site = screens_site(rating={"levels": ["Tốt", "Bình thường", "Chưa tốt"], "comment": False})
    app = make_app(site=site, features=["display_server.screens"], clock=clock)
    client = app.test_client()
    auth = login(client, "lan", counter=1)
    ticket = serve_one(client, auth, 1)
    target = client.get("/api/v1/counters/1/rating-target", headers=tablet_key(1)).get_json()
    assert [(lv["key"], lv["score"]) for lv in target["levels"]] == [
        ("Tốt", 3),
        ("Bình thường", 2),
        ("Chưa tốt", 1),
    ]
    assert target["comment"] is False
    status, body = rate(client, ticket["id"], level="Chưa tốt", comment="ignored")
    assert status == 201 and body["score"] == 1 and body["comment"] is None

    save_section(
        app,
        "rating",
        {
            "levels": [
                {"key": "good", "label": "Tốt", "label_en": "Good", "score": 5},
                {"key": "bad", "label": "Chưa tốt", "label_en": "Could be better", "score": 1},
            ]
        },
    )
    english = client.get(
        "/api/v1/counters/1/rating-target?lang=en", headers=tablet_key(1)
    ).get_json()
    assert [lv["label"] for lv in english["levels"]] == ["Good", "Could be better"]
    vietnamese = client.get("/api/v1/counters/1/rating-target", headers=tablet_key(1)).get_json()
    assert [lv["label"] for lv in vietnamese["levels"]] == ["Tốt", "Chưa tốt"]


def test_default_levels_are_translated(screens_client: FlaskClient) -> None:
    levels = screens_client.get(
        "/api/v1/counters/1/rating-target?lang=en", headers=tablet_key(1)
    ).get_json()["levels"]
    assert [lv["label"] for lv in levels] == ["Very satisfied", "Satisfied", "Not satisfied"]


def test_a_retried_rating_with_its_idempotency_key_is_answered_again(
    screens_client: FlaskClient,
) -> None:
    auth = login(screens_client, "lan", counter=1)
    ticket = serve_one(screens_client, auth, 1)
    headers = {"Idempotency-Key": "tablet-1-tap-42"}
    url = f"/api/v1/tickets/{ticket['id']}/rating"
    headers |= tablet_key(1)
    first = screens_client.post(url, json={"level": "satisfied"}, headers=headers)
    again = screens_client.post(url, json={"level": "satisfied"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
