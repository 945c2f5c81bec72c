"""API answers as the server writes them (display_server/queue/views.py), for the pure tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

T0 = "2026-11-25T08:30:00+07:00"


def ticket_json(
    status: str = "called",
    *,
    counter: int | None = 1,
    waited: int = 5,
    target: int | None = 20,
    started: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """A ticket as the API writes it (display_server/queue/views.py: ticket_view)."""
    queued = datetime.fromisoformat(T0)
    called = queued + timedelta(minutes=waited)
    return {
        "id": 7,
        "number": "A007",
        "service": "A",
        "service_name": "Hộ tịch",
        "service_name_en": "Civil status",
        "status": status,
        "priority": "none",
        "counter": counter,
        "target_wait_minutes": target,
        "issued_at": T0,
        "steps": [
            {
                "queued_at": T0,
                "called_at": called.isoformat(),
                "recall_count": 0,
                "started_at": (called + timedelta(minutes=1)).isoformat() if started else None,
            }
        ],
        **extra,
    }


def counter_json(state: str = "open", current: dict[str, Any] | None = None) -> dict[str, Any]:
    """A counter as the API writes it (counter_view)."""
    return {
        "number": 1,
        "name": "Quầy 1",
        "state": state,
        "pause_reason": None,
        "services": ["A", "B"],
        "officer": {"full_name": "Nguyễn Thị Lan"},
        "current_ticket": current,
    }


SNAPSHOT = {
    "updated_at": "2026-11-25T09:00:00+07:00",
    "services": [
        {
            "code": "A",
            "name": "Hộ tịch",
            "name_en": "Civil status",
            "waiting": 3,
            "priority_waiting": 1,
            "longest_wait_minutes": 24.6,
            "target_wait_minutes": 20,
            "past_target": 1,
            "tickets": [
                {
                    "id": 1,
                    "number": "A001",
                    "priority": "none",
                    "waited_minutes": 24.6,
                    "past_target": True,
                },
                {
                    "id": 2,
                    "number": "A002",
                    "priority": "elderly",
                    "waited_minutes": 19.5,
                    "past_target": False,
                },
                {
                    "id": 3,
                    "number": "A003",
                    "priority": "none",
                    "waited_minutes": 2.0,
                    "past_target": False,
                },
            ],
        },
        {
            "code": "B",
            "name": "Liên thông",
            "name_en": None,
            "waiting": 0,
            "priority_waiting": 0,
            "longest_wait_minutes": 0,
            "target_wait_minutes": None,
            "past_target": 0,
            "tickets": [],
        },
        {"code": "C", "name": "Chứng thực", "waiting": 5, "tickets": []},
    ],
    "counters": [
        counter_json(current=ticket_json("called")),
        {**counter_json(), "number": 2, "services": ["C"]},
    ],
    "recent_calls": [{"ticket_id": 9, "number": "C004"}],
}
