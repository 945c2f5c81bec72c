"""The desk: answers and snapshots applied in the right order, one action in flight, sentences."""

from __future__ import annotations

from counter_app.desk import Desk
from counter_app.errors import ServerError, Unreachable
from counter_app.state import Action
from counter_app.views import QueueSnapshot
from tests.counter_app.samples import SNAPSHOT, counter_json, ticket_json


def signed_in_desk() -> Desk:
    desk = Desk(1)
    desk.signed_in({"officer": {"full_name": "Nguyễn Thị Lan"}, "counter": counter_json()}, "lan")
    return desk


def test_one_action_in_flight_and_its_answer_shown_at_once() -> None:
    desk = signed_in_desk()
    assert desk.officer_name == "Nguyễn Thị Lan" and Action.CALL_NEXT in desk.enabled()
    request = desk.begin(Action.CALL_NEXT)
    assert request is not None and desk.begin(Action.CALL_NUMBER) is None
    assert desk.answered(request, ticket_json("called"), epoch=1) is None
    assert desk.busy is None and desk.current is not None and desk.current.number == "A007"
    assert desk.enabled() >= {Action.START, Action.FINISH, Action.NO_SHOW}


def test_a_snapshot_older_than_an_applied_answer_is_ignored() -> None:
    desk = signed_in_desk()
    stale = QueueSnapshot.from_json({**SNAPSHOT, "counters": [counter_json()]})
    request = desk.begin(Action.CALL_NEXT)
    assert request is not None
    desk.answered(request, ticket_json("called"), epoch=3)
    assert not desk.take_snapshot(stale, epoch=2)
    assert desk.current is not None  # still the answer's ticket
    assert desk.take_snapshot(QueueSnapshot.from_json(SNAPSHOT), epoch=3)
    assert [line.code for line in desk.lines()] == ["A", "B"]
    assert desk.ticket_id("a002") == 2 and desk.ticket_id("A007") == 7


def test_news_and_errors_as_sentences() -> None:
    desk = signed_in_desk()
    moved = desk.begin(Action.TRANSFER, {"service": "C", "position": "front"})
    assert moved is not None
    waiting = ticket_json("waiting", counter=None, service_name="Chứng thực")
    assert desk.answered(moved, waiting, 1) == "Đã chuyển số A007 sang Chứng thực."

    refused = desk.begin(Action.FINISH)
    assert refused is not None
    error = ServerError(409, "no_current_ticket", "Quầy 1 chưa gọi số nào.")
    assert desk.failed(refused, error, "Hoàn thành") == "Quầy 1 chưa gọi số nào."
    assert desk.busy is None

    lost = desk.begin(Action.CALL_NEXT)
    assert lost is not None
    sentence = desk.failed(lost, Unreachable("Mất kết nối máy chủ"), "Gọi tiếp")
    assert sentence.startswith("Mất kết nối máy chủ khi gửi “Gọi tiếp”")
    again = desk.begin(Action.CALL_NEXT)
    assert again is not None and again.key == lost.key  # the retry cannot call a second citizen


def test_pause_answers_with_the_counter() -> None:
    desk = signed_in_desk()
    request = desk.begin(Action.PAUSE, {"reason": "Họp"})
    assert request is not None
    paused = {**counter_json("paused"), "pause_reason": "Họp"}
    desk.answered(request, paused, 1)
    assert desk.counter is not None and desk.counter.state == "paused"
    assert desk.enabled() == {Action.RESUME, Action.REPRINT}
    desk.online = False
    assert desk.enabled() == frozenset()
