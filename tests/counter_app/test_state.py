"""The counter's pure rules: valid actions, how answers change the counter, words and times."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from counter_app import i18n
from counter_app.desk import ServerClock
from counter_app.state import Action, RetryBook, apply_ticket, enabled_actions, pause_action
from counter_app.ui.queue_panel import waiting_lines_text
from counter_app.views import CounterInfo, DayStats, QueueSnapshot, TicketInfo
from counter_app.words import (
    apology_hint,
    day_summary,
    format_clock,
    format_minutes,
    line_summary,
    priority_label,
    seconds_since_call,
    service_seconds,
    status_line,
)
from tests.counter_app.samples import SNAPSHOT, counter_json, ticket_json


@pytest.fixture(autouse=True)
def vietnamese() -> Iterator[None]:
    i18n.set_language("vi")
    yield
    i18n.set_language("vi")


@pytest.mark.parametrize(
    ("state", "status", "expected"),
    [
        ("open", None, {Action.CALL_NEXT, Action.CALL_NUMBER, Action.PAUSE, Action.REPRINT}),
        (
            "open",
            "called",
            {
                Action.RECALL,
                Action.START,
                Action.FINISH,
                Action.NO_SHOW,
                Action.TRANSFER,
                Action.PAUSE,
                Action.REPRINT,
            },
        ),
        ("open", "serving", {Action.FINISH, Action.TRANSFER, Action.PAUSE, Action.REPRINT}),
        ("paused", None, {Action.RESUME, Action.REPRINT}),
        ("paused", "serving", {Action.FINISH, Action.TRANSFER, Action.RESUME, Action.REPRINT}),
        ("closed", None, {Action.OPEN, Action.REPRINT}),
    ],
)
def test_enabled_actions_follow_the_server_rules(
    state: str, status: str | None, expected: set[Action]
) -> None:
    current = ticket_json(status) if status else None
    counter = CounterInfo.from_json(counter_json(state, current))
    assert enabled_actions(counter) == expected


def test_nothing_is_enabled_offline_busy_or_signed_out() -> None:
    counter = CounterInfo.from_json(counter_json())
    assert enabled_actions(counter, online=False) == frozenset()
    assert enabled_actions(counter, busy=True) == frozenset()
    assert enabled_actions(None) == frozenset()


def test_pause_button_pauses_resumes_or_opens() -> None:
    assert pause_action(CounterInfo.from_json(counter_json("open"))) is Action.PAUSE
    assert pause_action(CounterInfo.from_json(counter_json("paused"))) is Action.RESUME
    assert pause_action(CounterInfo.from_json(counter_json("closed"))) is Action.OPEN


def test_answers_change_the_current_ticket() -> None:
    idle = CounterInfo.from_json(counter_json())
    called = apply_ticket(idle, TicketInfo.from_json(ticket_json("called")))
    assert called.current is not None and called.current.number == "A007"
    serving = apply_ticket(called, TicketInfo.from_json(ticket_json("serving", started=True)))
    assert serving.current is not None and serving.current.status == "serving"
    moved = apply_ticket(serving, TicketInfo.from_json(ticket_json("waiting", counter=None)))
    assert moved.current is None
    elsewhere = apply_ticket(idle, TicketInfo.from_json(ticket_json("called", counter=2)))
    assert elsewhere.current is None


def test_wait_and_apology_hint() -> None:
    late = TicketInfo.from_json(ticket_json(waited=34))
    assert late.waited_minutes() == 34 and late.waited_past_target()
    assert apology_hint(late) == (
        "Công dân đã chờ 34 phút, quá thời gian hẹn 20 phút. Xin lỗi công dân vì để chờ lâu."
    )
    assert apology_hint(TicketInfo.from_json(ticket_json(waited=12))) is None
    assert apology_hint(TicketInfo.from_json(ticket_json(waited=90, target=None))) is None
    i18n.set_language("en")
    assert apology_hint(late) == (
        "This citizen waited 34 min, past the 20-minute target. Apologise for the long wait."
    )


def test_timers_use_the_server_clock() -> None:
    serving = TicketInfo.from_json(ticket_json("serving", started=True))
    assert serving.started_at is not None
    now = serving.started_at + timedelta(minutes=3, seconds=25)
    assert service_seconds(serving, now) == 205
    assert seconds_since_call(serving, now) is None
    called = TicketInfo.from_json(ticket_json("called"))
    assert called.called_at is not None
    assert seconds_since_call(called, called.called_at + timedelta(seconds=35)) == 35
    clock = ServerClock()
    local = datetime.now(UTC)
    clock.observe(local + timedelta(seconds=90), local)
    assert abs((clock.now() - datetime.now(UTC)).total_seconds() - 90) < 1


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "00:00"), (205, "03:25"), (3723, "1:02:03"), (-5, "00:00")]
)
def test_format_clock(seconds: float, text: str) -> None:
    assert format_clock(seconds) == text


def test_words_in_both_languages() -> None:
    assert format_minutes(0.4) == "dưới 1 phút"
    assert format_minutes(12.9) == "12 phút"
    assert format_minutes(65) == "1 giờ 05 phút"
    assert priority_label("elderly") == "Người cao tuổi"
    assert priority_label("none") is None
    stats = DayStats.from_json(
        {"served": 12, "no_show": 1, "transferred": 2, "average_service_minutes": 6.5}
    )
    assert day_summary(stats) == (
        "Hôm nay: đã phục vụ 12 · vắng mặt 1 · đã chuyển 2 · trung bình 6,5 phút/người"
    )
    i18n.set_language("en")
    assert format_minutes(65) == "1 h 05 min"
    assert priority_label("pregnant") == "Pregnant woman"
    assert day_summary(stats).endswith("average 6.5 min per citizen")
    assert day_summary(DayStats()).endswith("average —")


def test_status_line_says_what_the_counter_does() -> None:
    assert status_line(CounterInfo.from_json(counter_json())).startswith("Chưa gọi số nào")
    paused = counter_json("paused")
    paused["pause_reason"] = "Nghỉ trưa"
    assert status_line(CounterInfo.from_json(paused)) == "Quầy đang tạm nghỉ: Nghỉ trưa"
    recalled = ticket_json("called")
    recalled["steps"][0]["recall_count"] = 2
    text = status_line(CounterInfo.from_json(counter_json(current=recalled)))
    assert text == "Đã gọi (gọi lại 2 lần) · chờ công dân lên quầy"


def test_snapshot_gives_the_counters_lines_and_finds_tickets() -> None:
    snapshot = QueueSnapshot.from_json(SNAPSHOT)
    mine = snapshot.counter(1)
    assert mine is not None and mine.current is not None and mine.current.number == "A007"
    assert [line.code for line in snapshot.lines_for(mine)] == ["A", "B"]
    assert snapshot.find_ticket_id("a002") == 2
    assert snapshot.find_ticket_id("A007") == 7
    assert snapshot.find_ticket_id("C004") == 9
    assert snapshot.find_ticket_id("Z999") is None
    line = snapshot.lines_for(mine)[0]
    assert line_summary(line) == "3 đang chờ · 1 ưu tiên · lâu nhất 24 phút · 1 số quá 20 phút"


def test_waiting_list_marks_priority_and_late_tickets_as_time_passes() -> None:
    lines = QueueSnapshot.from_json(SNAPSHOT).lines_for(CounterInfo.from_json(counter_json()))
    segments = waiting_lines_text(lines, extra_minutes=0)
    late = [text for text, tags in segments if "late" in tags and "ticket" in tags]
    assert late == ["A001"]
    assert ("★", ("priority", "number:A002")) in segments
    later = waiting_lines_text(lines, extra_minutes=1)  # A002 crosses 20 minutes
    assert [text for text, tags in later if "late" in tags and "ticket" in tags] == ["A001", "A002"]
    assert ("Không có ai đang chờ.\n", ("muted",)) in segments


def test_a_retry_after_a_lost_answer_reuses_the_key() -> None:
    book = RetryBook()
    first = book.request(Action.CALL_NEXT)
    book.unanswered(first)
    again = book.request(Action.CALL_NEXT)
    assert again.key == first.key
    other = book.request(Action.PAUSE, {"reason": "Họp"})
    assert other.key != first.key
    assert book.request(Action.CALL_NEXT).key != first.key  # forgotten once another action came
    done = book.request(Action.FINISH)
    book.unanswered(done)
    book.settled()
    assert book.request(Action.FINISH).key != done.key


def test_odd_json_does_not_break_parsing() -> None:
    ticket = TicketInfo.from_json({"id": "x", "steps": [None], "issued_at": "not a time"})
    assert (ticket.id, ticket.number, ticket.issued_at, ticket.called_at) == (0, "?", None, None)
    counter = CounterInfo.from_json({"services": ["A", 3], "current_ticket": "nope"})
    assert counter.services == ("A",) and counter.current is None and counter.state == "closed"
    assert QueueSnapshot.from_json({}).services == ()


def test_a_public_answer_still_marks_priority_without_the_class() -> None:
    """A session that just expired reads public answers: no class, but the priority mark."""
    public = {k: v for k, v in ticket_json().items() if k != "priority"}
    marked = TicketInfo.from_json({**public, "prioritised": True})
    assert marked.is_priority and priority_label(marked.priority) == "Ưu tiên"
    assert not TicketInfo.from_json({**public, "prioritised": False}).is_priority
    staff = TicketInfo.from_json({**ticket_json(), "priority": "disabled", "prioritised": True})
    assert priority_label(staff.priority) == "Người khuyết tật"
