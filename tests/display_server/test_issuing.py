"""Issuing tickets: numbering, hours, daily limits, priorities, people ahead and estimates."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.factories import FakeClock, issue, login, make_site


def test_numbers_are_per_service_and_consecutive(client):
    numbers = [issue(client, code)["number"] for code in "AABAB"]
    assert numbers == ["A001", "A002", "B001", "A003", "B002"]


def test_numbering_restarts_on_the_office_local_day(make_app):
    # 16:59 UTC is 23:59 in Hanoi; two minutes later it is the next local day there.
    clock = FakeClock(datetime(2026, 11, 25, 16, 59, tzinfo=UTC))
    client = make_app(clock=clock).test_client()
    first = issue(client, "C")
    clock.advance(minutes=2)
    second = issue(client, "C")
    assert (first["number"], first["local_day"]) == ("C001", "2026-11-25")
    assert (second["number"], second["local_day"]) == ("C001", "2026-11-26")


def test_issued_ticket_answers_with_the_contract_fields(client):
    ticket = issue(client, "A", priority="elderly")
    assert ticket["status"] == "waiting"
    assert ticket["priority"] == "elderly"
    assert ticket["issued_at"].startswith("2026-11-25T08:30:00+07:00")
    assert ticket["ahead"] == 0
    assert ticket["estimated_wait_minutes"] is None  # no counter open: no time promised
    assert ticket["status_url"].endswith(f"/t/{ticket['token']}")
    assert ticket["steps"][0]["queued_at"] == ticket["issued_at"]


def test_people_ahead_counts_priority_tickets_first(client):
    issue(client, "A")
    issue(client, "A")
    assert issue(client, "A", priority="pregnant")["ahead"] == 0
    assert issue(client, "A")["ahead"] == 3
    # Within the priority class, first come first served; every priority ticket is ahead of a
    # normal one (tickets issued in the same instant are ordered by id).
    assert issue(client, "A", priority="elderly")["ahead"] == 1
    assert issue(client, "A")["ahead"] == 5


def test_estimated_wait_uses_recent_service_times_and_open_counters(app, client, clock):
    headers = login(client, "lan", 1)
    for _ in range(2):
        issue(client, "A")
        client.post("/api/v1/counters/1/call-next", headers=headers)
        clock.advance(minutes=8)
        client.post("/api/v1/counters/1/finish", headers=headers)
    for _ in range(3):
        ticket = issue(client, "A")
    # Two counters serve A (1 and 2); only counter 1 is open: 2 ahead × 8 min / 1 counter.
    assert ticket["ahead"] == 2
    assert ticket["estimated_wait_minutes"] == 16


def test_with_infant_spelled_with_a_hyphen_is_accepted(client):
    assert issue(client, "A", priority="with-infant")["priority"] == "with_infant"


def test_issuing_hours_refuse_with_a_clear_message(make_app):
    site = make_site()
    site["services"][0].update(issue_start="07:30", issue_end="16:30")
    clock = FakeClock(datetime(2026, 11, 25, 0, 15, tzinfo=UTC))  # 07:15 in Hanoi
    client = make_app(site, clock=clock).test_client()
    early = client.post("/api/v1/tickets", json={"service": "A"})
    assert early.status_code == 409
    assert early.get_json()["error"] == "not_yet_open"
    assert early.get_json()["message"].startswith("Hiện tại chưa đến giờ lấy số")
    assert "07:30–16:30" in early.get_json()["message"]
    clock.advance(minutes=20)
    assert issue(client, "A")["number"] == "A001"
    clock.advance(hours=9)  # 16:35
    late = client.post("/api/v1/tickets", json={"service": "A"}, headers={"Accept-Language": "en"})
    assert late.status_code == 409
    assert late.get_json()["error"] == "closed_for_today"
    assert "no longer issued today" in late.get_json()["message"]
    services = client.get("/api/v1/services").get_json()["services"]
    assert services[0]["issuing"]["open"] is False
    assert services[1]["issuing"]["open"] is True


def test_daily_limit_refuses_without_consuming_a_number(make_app, clock):
    site = make_site()
    site["services"][2]["daily_limit"] = 2
    client = make_app(site, clock=clock).test_client()
    issue(client, "C")
    issue(client, "C")
    for _ in range(2):
        refused = client.post("/api/v1/tickets", json={"service": "C"})
        assert refused.status_code == 409
        assert refused.get_json()["error"] == "daily_limit_reached"
    kiosk_view = {
        s["code"]: s["issuing"] for s in client.get("/api/v1/services").get_json()["services"]
    }
    assert kiosk_view["C"]["open"] is False and kiosk_view["C"]["reason"] == "daily_limit_reached"
    assert kiosk_view["A"]["open"] is True
    clock.advance(days=1)
    assert issue(client, "C")["number"] == "C001"


def test_inactive_service_refuses(make_app, clock):
    site = make_site()
    site["services"][3]["active"] = False
    client = make_app(site, clock=clock).test_client()
    response = client.post("/api/v1/tickets", json={"service": "D"})
    assert response.status_code == 409
    assert response.get_json()["error"] == "service_inactive"


def test_retry_with_the_same_idempotency_key_issues_one_ticket(client):
    headers = {"Idempotency-Key": "kiosk-1-tap-77"}
    first = client.post("/api/v1/tickets", json={"service": "A"}, headers=headers)
    again = client.post("/api/v1/tickets", json={"service": "A"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.get_json()["id"] == again.get_json()["id"]
    assert issue(client, "A")["number"] == "A002"


def test_ticket_can_be_read_back_by_id_and_by_token(client):
    ticket = issue(client, "B")
    by_id = client.get(f"/api/v1/tickets/{ticket['id']}").get_json()
    by_token = client.get(f"/api/v1/tickets/token/{ticket['token']}").get_json()
    assert by_id["number"] == by_token["number"] == "B001"
    assert by_id["service_name"] == "Liên thông khai sinh – thường trú – BHYT trẻ em dưới 6 tuổi"
