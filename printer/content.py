"""What a ticket says: `TicketContent` and its printed lines, in Vietnamese or in English."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .errors import TicketContentError

DEFAULT_FOOTER = "Cảm ơn Quý khách!"

# The printed labels; this table is the package's whole message catalog.
LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "number": "SỐ THỨ TỰ",
        "priority": "ƯU TIÊN",
        "issued": "Lấy số lúc {time} ngày {date}",
        "ahead": "Số người chờ trước Quý khách: {count}",
        "next": "Quý khách là người tiếp theo",
        "wait": "Thời gian chờ dự kiến: khoảng {duration}",
        "minutes": "{minutes} phút",
        "hours": "{hours} giờ {minutes} phút",
        "counters": "Quầy phục vụ: {counters}",
        "scan": "Quét mã để theo dõi lượt của Quý khách",
        "reprint": "IN LẠI",
    },
    "en": {
        "number": "YOUR NUMBER",
        "priority": "PRIORITY",
        "issued": "Issued at {time} on {date}",
        "ahead": "People ahead of you: {count}",
        "next": "You are next",
        "wait": "Estimated wait: about {duration}",
        "minutes": "{minutes} min",
        "hours": "{hours} h {minutes} min",
        "counters": "Served at counter: {counters}",
        "scan": "Scan to follow your turn",
        "reprint": "REPRINT",
    },
}


@dataclass(frozen=True)
class TicketContent:
    """Everything printed on one ticket; `issued_at` is aware and in the office's time zone.

    `reprint` marks the slip as a second copy (a re-send after the printer may already have
    printed it, or a reprint asked for), so nobody takes it for a second number."""

    office_name: str
    unit: str
    service_name: str
    number: str
    priority_label: str | None
    issued_at: datetime
    ahead: int | None
    estimated_wait_minutes: int | None
    counters: Sequence[str]
    status_url: str
    footer: str = DEFAULT_FOOTER
    logo_path: Path | None = None
    lang: str = "vi"
    reprint: bool = False

    def __post_init__(self) -> None:
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise TicketContentError("issued_at must be an aware datetime (the office's time)")
        if not self.number.strip():
            raise TicketContentError("a ticket needs a number")
        if self.lang not in LABELS:
            raise TicketContentError(f"unknown ticket language {self.lang!r}; use 'vi' or 'en'")
        # A tuple keeps the dataclass hashable and immutable whatever sequence was passed.
        object.__setattr__(self, "counters", tuple(self.counters))


def label(content: TicketContent, key: str, **values: object) -> str:
    """The label `key` in the ticket's language, filled with `values`."""
    return LABELS[content.lang][key].format(**values)


def nfc(text: str) -> str:
    """Text in composed form (one code point per Vietnamese letter), trimmed."""
    return unicodedata.normalize("NFC", text).strip()


def issued_line(content: TicketContent) -> str:
    """The issue time line, e.g. "Lấy số lúc 08:15 ngày 25/11/2026", in the office's time."""
    at = content.issued_at
    return label(content, "issued", time=at.strftime("%H:%M"), date=at.strftime("%d/%m/%Y"))


def duration_text(content: TicketContent, minutes: int) -> str:
    """A wait in words: "15 phút" or "1 giờ 5 phút"."""
    if minutes < 60:
        return label(content, "minutes", minutes=minutes)
    return label(content, "hours", hours=minutes // 60, minutes=minutes % 60)


def info_lines(content: TicketContent) -> list[str]:
    """The small lines under the number: issue time, people ahead, wait, counters."""
    lines = [issued_line(content)]
    if content.ahead is not None:
        if content.ahead <= 0:
            lines.append(label(content, "next"))
        else:
            lines.append(label(content, "ahead", count=content.ahead))
    if content.estimated_wait_minutes is not None and content.estimated_wait_minutes > 0:
        duration = duration_text(content, content.estimated_wait_minutes)
        lines.append(label(content, "wait", duration=duration))
    counters = [nfc(c) for c in content.counters if c.strip()]
    if counters:
        lines.append(label(content, "counters", counters=", ".join(counters)))
    return lines


def priority_text(content: TicketContent) -> str | None:
    """The priority mark, e.g. "ƯU TIÊN: NGƯỜI CAO TUỔI"; None for an ordinary ticket."""
    if not content.priority_label or not content.priority_label.strip():
        return None
    return f"{label(content, 'priority')}: {nfc(content.priority_label).upper()}"
