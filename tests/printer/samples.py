"""Ticket contents and spool timings shared by the printer tests."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from typing import Any

from printer import TicketContent

# Spool timings for tests: short timeouts and back-off keep the whole folder fast.
FAST: dict[str, Any] = {
    "timeout": 0.3,
    "retry_initial": 0.05,
    "retry_max": 0.2,
    "poll_interval": None,
}
HANOI = timezone(timedelta(hours=7))
SERVICES = (
    "Liên thông khai sinh – thường trú – BHYT trẻ em dưới 6 tuổi",
    "Chứng thực",
    "Đăng ký đất đai",
)

_BASE = TicketContent(
    office_name="UBND phường Phú Đô",
    unit="Bộ phận Tiếp nhận và Trả kết quả",
    service_name=SERVICES[0],
    number="B012",
    priority_label=None,
    issued_at=datetime(2026, 11, 25, 8, 15, tzinfo=HANOI),
    ahead=5,
    estimated_wait_minutes=15,
    counters=["1", "2"],
    status_url="https://luot.phudo.gov.vn/t/7f3a9c2e4b1d8e6f",
)


def make_content(**changes: Any) -> TicketContent:
    """The sample ticket with some fields changed."""
    return dataclasses.replace(_BASE, **changes)
