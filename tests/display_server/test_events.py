"""Events: every committed change is logged and published once, in order, and only after commit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from display_server.events import EventBus
from display_server.models import EventLog
from display_server.queue import issue_ticket
from display_server.queue.lookups import get_office
from tests.factories import issue, login


def test_a_day_of_changes_is_published_in_order_and_logged(app, client):
    bus = app.extensions["luot.bus"]
    lan = login(client, "lan", 1)
    seen = []
    bus.subscribe(lambda event: seen.append((event.seq, event.kind)))
    issue(client, "A")
    for action in ("call-next", "recall", "start", "finish"):
        client.post(f"/api/v1/counters/1/{action}", headers=lan)
    client.post("/api/v1/counters/1/pause", headers=lan, json={"reason": "Nghỉ giải lao"})
    kinds = [kind for _, kind in seen]
    assert kinds == [
        "ticket.issued",
        "ticket.called",
        "ticket.recalled",
        "ticket.started",
        "ticket.finished",
        "counter.state",
    ]
    assert [seq for seq, _ in seen] == sorted(seq for seq, _ in seen)
    with app.extensions["luot.db"].read_session() as session:
        logged = session.scalars(select(EventLog.kind).order_by(EventLog.id)).all()
    assert logged == ["counter.state", *kinds]  # the sign-in opened the counter first


def test_nothing_is_published_or_logged_when_the_transaction_fails(app):
    db = app.extensions["luot.db"]
    seen = []
    db.bus.subscribe(seen.append)
    with pytest.raises(RuntimeError), db.write_session() as session:
        issue_ticket(session, get_office(session), "A")
        raise RuntimeError("power cut before commit")
    assert seen == []
    with db.read_session() as session:
        assert session.scalars(select(EventLog)).all() == []


def test_a_failing_subscriber_does_not_stop_the_others():
    bus = EventBus()
    got = []

    def broken(_event):
        raise ValueError("display crashed")

    bus.subscribe(broken)
    unsubscribe = bus.subscribe(got.append)
    bus.publish("ticket.issued", 1, {})
    unsubscribe()
    bus.publish("ticket.issued", 1, {})
    assert len(got) == 1
    assert bus.since(0) is not None and len(bus.since(0)) == 2
