"""Calling and serving: order, recall, start/finish times, no-show grace, transfer, cancel."""

from __future__ import annotations

import pytest

from tests.factories import issue, login, make_site

API = "/api/v1/counters"


@pytest.fixture
def lan(client):
    return login(client, "lan", 1)


def call_next(client, headers, counter=1):
    response = client.post(f"{API}/{counter}/call-next", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_priority_first_then_service_order_then_arrival(client, lan):
    a1 = issue(client, "A")
    b1 = issue(client, "B")
    a2 = issue(client, "A")
    b_elderly = issue(client, "B", priority="elderly")
    order = []
    for _ in range(4):
        order.append(call_next(client, lan)["number"])
        assert client.post(f"{API}/1/finish", headers=lan).status_code == 200
    # Counter 1 serves A before B; the elderly citizen goes first even though B ranks second.
    assert order == [b_elderly["number"], a1["number"], a2["number"], b1["number"]]


def test_ratio_policy_calls_one_priority_ticket_per_n_normal(make_app, clock):
    client = make_app(
        make_site(priority_policy="ratio", priority_ratio=2), clock=clock
    ).test_client()
    headers = login(client, "lan", 1)
    for _ in range(4):
        issue(client, "A")
    issue(client, "A", priority="disabled")
    issue(client, "A", priority="elderly")
    called = []
    for _ in range(6):
        called.append(call_next(client, headers)["priority"])
        client.post(f"{API}/1/finish", headers=headers)
    assert called == ["none", "none", "disabled", "none", "none", "elderly"]


def test_every_time_of_a_step_is_recorded_and_returned(client, clock, lan):
    ticket = issue(client, "A")
    clock.advance(minutes=12)
    called = call_next(client, lan)
    clock.advance(minutes=1)
    client.post(f"{API}/1/recall", headers=lan)
    clock.advance(minutes=1)
    started = client.post(f"{API}/1/start", headers=lan).get_json()
    assert started["status"] == "serving"
    clock.advance(minutes=9)
    finished = client.post(f"{API}/1/finish", headers=lan).get_json()
    step = client.get(f"/api/v1/tickets/{ticket['id']}").get_json()["steps"][0]
    assert called["status"] == "called" and finished["status"] == "done"
    assert step["called_at"] == "2026-11-25T08:42:00+07:00"
    assert step["recall_count"] == 1
    assert step["started_at"] == "2026-11-25T08:44:00+07:00"
    assert step["finished_at"] == "2026-11-25T08:53:00+07:00"
    assert step["outcome"] == "done"
    assert step["counter"] == 1
    assert step["officer"] == {"username": "lan", "full_name": "Nguyễn Thị Lan"}


def test_finish_without_start_counts_service_from_the_call(client, clock, lan):
    issue(client, "A")
    call_next(client, lan)
    clock.advance(minutes=5)
    ticket = client.post(f"{API}/1/finish", headers=lan).get_json()
    step = ticket["steps"][0]
    assert step["started_at"] == step["called_at"]
    assert step["finished_at"] == "2026-11-25T08:35:00+07:00"


def test_a_busy_counter_cannot_call_again(client, lan):
    issue(client, "A")
    issue(client, "A")
    call_next(client, lan)
    busy = client.post(f"{API}/1/call-next", headers=lan)
    assert busy.status_code == 409
    assert busy.get_json()["error"] == "counter_busy"


def test_empty_queue_is_a_clear_conflict(client, lan):
    response = client.post(f"{API}/1/call-next", headers=lan)
    assert response.status_code == 409
    assert response.get_json() == {
        "error": "queue_empty",
        "message": "Không còn công dân nào đang chờ tại quầy 1.",
    }


def test_no_show_can_be_called_back_within_the_grace_window(client, clock, lan):
    ticket = issue(client, "A")
    call_next(client, lan)
    no_show = client.post(f"{API}/1/no-show", headers=lan).get_json()
    assert no_show["status"] == "no_show"
    clock.advance(minutes=10)
    back = client.post(f"{API}/1/call", json={"number": ticket["number"]}, headers=lan)
    assert back.status_code == 200
    assert [s["outcome"] for s in back.get_json()["steps"]] == ["no_show", "pending"]
    client.post(f"{API}/1/no-show", headers=lan)
    clock.advance(minutes=16)
    late = client.post(f"{API}/1/call", json={"ticket": ticket["id"]}, headers=lan)
    assert late.status_code == 409
    assert late.get_json()["error"] == "no_show_expired"


def test_transfer_keeps_the_number_and_goes_to_the_front(client, lan):
    waiting_c = issue(client, "C")
    ticket = issue(client, "A")
    call_next(client, lan)  # A001 ranks first at counter 1
    moved = client.post(f"{API}/1/transfer", json={"service": "C"}, headers=lan).get_json()
    assert moved["number"] == ticket["number"] and moved["status"] == "waiting"
    assert moved["service"] == "C" and moved["ahead"] == 0
    hung = login(client, "hung", 2)
    # Sent to the front: called before C001, which was waiting already.
    assert call_next(client, hung, 2)["number"] == ticket["number"]
    steps = client.get(f"/api/v1/tickets/{ticket['id']}").get_json()["steps"]
    assert [(s["service"], s["outcome"]) for s in steps] == [("A", "transferred"), ("C", "pending")]
    assert client.get(f"/api/v1/tickets/{waiting_c['id']}").get_json()["status"] == "waiting"


def test_transfer_by_arrival_keeps_the_original_place(client, lan):
    early_a = issue(client, "A")
    c1 = issue(client, "C")
    call_next(client, lan)
    moved = client.post(
        f"{API}/1/transfer", json={"service": "C", "position": "arrival"}, headers=lan
    ).get_json()
    assert moved["number"] == early_a["number"]
    # Issued before C001, so it is first in line for C by original issue time.
    assert moved["ahead"] == 0
    assert client.get(f"/api/v1/tickets/{c1['id']}").get_json()["ahead"] == 1


def test_transfer_to_a_given_counter_is_called_only_there(client, lan):
    issue(client, "C")
    issue(client, "A")
    call_next(client, lan)
    response = client.post(f"{API}/1/transfer", json={"service": "C", "counter": 3}, headers=lan)
    assert response.status_code == 200
    hung = login(client, "hung", 2)
    assert call_next(client, hung, 2)["number"] == "C001"
    binh = login(client, "binh", 3)
    assert call_next(client, binh, 3)["number"] == "A001"


def test_bundled_procedure_continues_on_the_same_number(make_app, clock):
    site = make_site()
    site["services"][1]["follow_up"] = ["C"]
    client = make_app(site, clock=clock).test_client()
    ticket = issue(client, "B")
    assert ticket["planned"] == ["C"]
    lan = login(client, "lan", 1)
    call_next(client, lan)
    after = client.post(f"{API}/1/finish", headers=lan).get_json()
    assert (after["status"], after["service"], after["number"]) == ("waiting", "C", "B001")
    hung = login(client, "hung", 2)
    assert call_next(client, hung, 2)["number"] == "B001"
    done = client.post(f"{API}/2/finish", headers=hung).get_json()
    assert done["status"] == "done"
    assert [s["service"] for s in done["steps"]] == ["B", "C"]


def test_cancel_by_officer_or_by_the_citizens_token(client, lan):
    first = issue(client, "A")
    second = issue(client, "A")
    by_officer = client.post(f"/api/v1/tickets/{first['id']}/cancel", headers=lan)
    assert by_officer.get_json()["status"] == "cancelled"
    wrong = client.post(f"/api/v1/tickets/{second['id']}/cancel", json={"token": "nope"})
    assert wrong.status_code == 401
    by_citizen = client.post(
        f"/api/v1/tickets/{second['id']}/cancel", json={"token": second["token"]}
    )
    assert by_citizen.get_json()["status"] == "cancelled"
    assert client.post(f"{API}/1/call-next", headers=lan).get_json()["error"] == "queue_empty"


def test_pause_resume_close_and_sign_in_states(client, lan):
    counter = client.get(f"{API}/1").get_json()
    assert counter["state"] == "open" and counter["officer"]["username"] == "lan"
    paused = client.post(f"{API}/1/pause", json={"reason": "Nghỉ trưa"}, headers=lan).get_json()
    assert (paused["state"], paused["pause_reason"]) == ("paused", "Nghỉ trưa")
    issue(client, "A")
    refused = client.post(f"{API}/1/call-next", headers=lan)
    assert refused.get_json()["error"] == "counter_paused"
    assert client.post(f"{API}/1/resume", headers=lan).get_json()["state"] == "open"
    call_next(client, lan)
    assert client.post(f"{API}/1/close", headers=lan).get_json()["error"] == "counter_busy"
    client.post(f"{API}/1/finish", headers=lan)
    closed = client.post(f"{API}/1/close", headers=lan).get_json()
    assert (closed["state"], closed["officer"]) == ("closed", None)


def test_officers_act_only_at_their_own_counter_supervisors_anywhere(client, lan):
    issue(client, "C")
    other = client.post(f"{API}/2/call-next", headers=lan)
    assert other.status_code == 403 and other.get_json()["error"] == "not_your_counter"
    login(client, "hung", 2)
    supervisor = login(client, "mai")
    assert client.post(f"{API}/2/call-next", headers=supervisor).status_code == 200


def test_a_counter_held_by_one_officer_refuses_another(client, lan):
    response = client.post(
        "/api/v1/auth/login", json={"username": "hung", "password": "mat-khau-thu", "counter": 1}
    )
    assert response.status_code == 409
    assert response.get_json()["message"] == "Quầy 1 đang do cán bộ Nguyễn Thị Lan đăng nhập."


def test_logout_closes_the_counter_and_kills_the_token(client, lan):
    assert client.post("/api/v1/auth/logout", headers=lan).status_code == 200
    assert client.get(f"{API}/1").get_json()["state"] == "closed"
    assert client.get("/api/v1/auth/me", headers=lan).status_code == 401


def test_officer_day_summary(client, clock, lan):
    for _ in range(3):
        issue(client, "A")
    call_next(client, lan)
    client.post(f"{API}/1/start", headers=lan)
    clock.advance(minutes=6)
    client.post(f"{API}/1/finish", headers=lan)
    call_next(client, lan)
    client.post(f"{API}/1/no-show", headers=lan)
    day = client.get("/api/v1/officers/me/today", headers=lan).get_json()
    assert day == {
        "day": "2026-11-25",
        "served": 1,
        "no_show": 1,
        "transferred": 0,
        "average_service_minutes": 6.0,
    }


def test_idempotent_retry_of_call_next_calls_one_ticket(client, lan):
    issue(client, "A")
    issue(client, "A")
    headers = {**lan, "Idempotency-Key": "tap-1"}
    first = client.post(f"{API}/1/call-next", headers=headers).get_json()
    retry = client.post(f"{API}/1/call-next", headers=headers).get_json()
    assert first["number"] == retry["number"] == "A001"
    queue = client.get("/api/v1/queue").get_json()
    assert queue["services"][0]["waiting"] == 1


def test_counter_actions_refuse_a_dead_token(client, clock, lan):
    """The counter routes check the token with their own prebuilt statement: the same rules."""
    issue(client, "A")
    hung = login(client, "hung", 2)
    clock.advance(hours=15)  # past the 14-hour token lifetime
    expired = client.post(f"{API}/2/call-next", headers=hung)
    assert expired.status_code == 401 and expired.get_json()["error"] == "unauthorized"
    fresh = login(client, "lan", 1)
    assert client.post("/api/v1/auth/logout", headers=fresh).status_code == 200
    revoked = client.post(f"{API}/1/call-next", headers=fresh)
    assert revoked.status_code == 401 and revoked.get_json()["error"] == "unauthorized"
    assert client.get("/api/v1/queue").get_json()["services"][0]["waiting"] == 1  # unchanged
