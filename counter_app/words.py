"""How the window says things: waits, timers, the counter's status, lines and the day."""

from __future__ import annotations

import re
from datetime import datetime

from .i18n import N_, _, decimal
from .views import CALLED, CLOSED, PAUSED, SERVING, CounterInfo, DayStats, ServiceQueue, TicketInfo

PRIORITY_LABELS = {
    "elderly": N_("Người cao tuổi"),
    "disabled": N_("Người khuyết tật"),
    "pregnant": N_("Phụ nữ mang thai"),
    "with_infant": N_("Người có con nhỏ"),
    "veteran": N_("Người có công"),
}
OTHER_PRIORITY = N_("Ưu tiên")
PLAIN_COUNTER_NAME = re.compile(r"^Quầy\s*\d+$", re.IGNORECASE)


def format_clock(seconds: float) -> str:
    """A running timer: 03:25, or 1:02:03 past an hour."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def format_minutes(minutes: float) -> str:
    """A wait in words: "dưới 1 phút", "12 phút", "1 giờ 05 phút"."""
    whole = int(minutes)
    if whole < 1:
        return _("dưới 1 phút")
    if whole < 60:
        return _("{minutes} phút", minutes=whole)
    return _("{hours} giờ {minutes:02d} phút", hours=whole // 60, minutes=whole % 60)


def priority_label(priority: str) -> str | None:
    """The priority group in words, or None for an ordinary ticket."""
    if priority in ("", "none"):
        return None
    return _(PRIORITY_LABELS.get(priority, OTHER_PRIORITY))


def service_seconds(ticket: TicketInfo | None, now: datetime) -> float | None:
    """Seconds since service started, while it runs."""
    if ticket is None or ticket.status != SERVING or ticket.started_at is None:
        return None
    return max(0.0, (now - ticket.started_at).total_seconds())


def seconds_since_call(ticket: TicketInfo | None, now: datetime) -> float | None:
    """Seconds since the citizen was called, while they have not come up."""
    if ticket is None or ticket.status != CALLED or ticket.called_at is None:
        return None
    return max(0.0, (now - ticket.called_at).total_seconds())


def apology_hint(ticket: TicketInfo | None) -> str | None:
    """A gentle reminder to apologise when the citizen waited past the service's target."""
    if ticket is None or not ticket.active or not ticket.waited_past_target():
        return None
    return _(
        "Công dân đã chờ {waited}, quá thời gian hẹn {target} phút. "
        "Xin lỗi công dân vì để chờ lâu.",
        waited=format_minutes(ticket.waited_minutes() or 0),
        target=ticket.target_wait_minutes,
    )


def status_line(counter: CounterInfo | None) -> str:
    """What is happening at the counter, in one short sentence."""
    if counter is None:
        return ""
    ticket = counter.current
    if counter.state == PAUSED and (ticket is None or not ticket.active):
        return _("Quầy đang tạm nghỉ: {reason}", reason=counter.pause_reason or "—")
    if counter.state == CLOSED and (ticket is None or not ticket.active):
        return _("Quầy đang đóng. Bấm Mở quầy để bắt đầu nhận công dân.")
    if ticket is None or not ticket.active:
        return _("Chưa gọi số nào. Bấm Gọi tiếp để mời công dân.")
    if ticket.status == CALLED:
        if ticket.recall_count:
            return _(
                "Đã gọi (gọi lại {count} lần) · chờ công dân lên quầy", count=ticket.recall_count
            )
        return _("Đã gọi · chờ công dân lên quầy")
    return _("Đang phục vụ")


def day_summary(stats: DayStats) -> str:
    """The officer's day in one line."""
    average = (
        _("{minutes} phút/người", minutes=decimal(stats.average_service_minutes))
        if stats.average_service_minutes is not None
        else "—"
    )
    return _(
        "Hôm nay: đã phục vụ {served} · vắng mặt {no_show} · đã chuyển {transferred} · "
        "trung bình {average}",
        served=stats.served,
        no_show=stats.no_show,
        transferred=stats.transferred,
        average=average,
    )


def line_summary(line: ServiceQueue, waited_extra_minutes: float = 0.0) -> str:
    """One service's line: how many wait, priority tickets, the longest wait, past target."""
    parts = [_("{count} đang chờ", count=line.waiting)]
    if line.priority_waiting:
        parts.append(_("{count} ưu tiên", count=line.priority_waiting))
    if line.waiting:
        longest = line.longest_wait_minutes + waited_extra_minutes
        parts.append(_("lâu nhất {wait}", wait=format_minutes(longest)))
    if line.past_target:
        target = line.target_wait_minutes
        parts.append(_("{count} số quá {target} phút", count=line.past_target, target=target))
    return " · ".join(parts)


def counter_name(counter: CounterInfo) -> str:
    """The counter's name: a plain "Quầy 3" reads "Counter 3" in English; its own name stays."""
    if not counter.name or PLAIN_COUNTER_NAME.match(counter.name.strip()):
        return _("Quầy {number}", number=counter.number)
    return counter.name


def counter_choice(counter: CounterInfo) -> str:
    """A counter in a list of targets, saying when it is closed or paused (a transfer there
    waits until someone opens it)."""
    name = counter_name(counter)
    if counter.state == CLOSED:
        return _("{counter} (đang đóng)", counter=name)
    if counter.state == PAUSED:
        return _("{counter} (tạm nghỉ)", counter=name)
    return name
