"""The current ticket, large: number, service, priority, the wait, the running service timer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import customtkinter as ctk

from .. import words
from ..i18n import _
from ..views import CounterInfo
from . import theme


def set_text(widget: Any, text: str) -> None:
    """Configure a label's text only when it changed (a redraw costs time)."""
    if widget.cget("text") != text:
        widget.configure(text=text)


class TicketPanel(ctk.CTkFrame):  # type: ignore[misc]  # customtkinter is untyped
    """The card at the top left of the window."""

    def __init__(self, master: Any) -> None:
        super().__init__(
            master,
            fg_color=theme.SURFACE,
            corner_radius=14,
            border_width=1,
            border_color=theme.BORDER,
        )
        self.grid_columnconfigure(0, weight=1)
        self.grid_rowconfigure(7, weight=1)
        self.status = ctk.CTkLabel(
            self, text="", font=theme.font(14), text_color=theme.MUTED, anchor="w", justify="left"
        )
        self.status.grid(row=0, column=0, columnspan=2, padx=20, pady=(14, 0), sticky="ew")
        self.number = ctk.CTkLabel(
            self, text="—", font=theme.font(96), text_color=theme.DISABLED, anchor="w"
        )
        self.number.grid(row=1, column=0, padx=18, pady=(0, 0), sticky="w")
        self.priority = ctk.CTkLabel(
            self,
            text="",
            font=theme.font(14, "bold"),
            text_color=theme.PRIORITY,
            fg_color=theme.HINT_BACK,
            corner_radius=8,
        )
        self.service = ctk.CTkLabel(
            self,
            text="",
            font=theme.font(18),
            text_color=theme.TEXT,
            anchor="w",
            justify="left",
            wraplength=520,
        )
        self.service.grid(row=2, column=0, columnspan=2, padx=20, sticky="ew")
        self.waited = ctk.CTkLabel(
            self, text="", font=theme.font(14), text_color=theme.MUTED, anchor="w"
        )
        self.waited.grid(row=3, column=0, columnspan=2, padx=20, pady=(4, 0), sticky="ew")
        self.timer = ctk.CTkLabel(
            self, text="", font=theme.font(22, "bold"), text_color=theme.TIMER, anchor="w"
        )
        self.timer.grid(row=4, column=0, columnspan=2, padx=20, pady=(2, 4), sticky="ew")
        self.hint = ctk.CTkLabel(
            self,
            text="",
            font=theme.font(13),
            text_color=theme.HINT_TEXT,
            fg_color=theme.HINT_BACK,
            corner_radius=12,
            anchor="w",
            justify="left",
            wraplength=520,
        )
        self._counter: CounterInfo | None = None
        self._compact = False
        self._number_size = 96

    def set_compact(self, compact: bool) -> None:
        """Smaller type for the narrow always-on-top window."""
        self._compact = compact
        self._number_size = 50 if compact else 96
        has_ticket = self.number.cget("text") != "—"
        weight = "bold" if has_ticket else "normal"
        self.number.configure(font=theme.font(self._number_size, weight))
        wrap = 300 if compact else 520
        self.service.configure(wraplength=wrap, font=theme.font(15 if compact else 18))
        self.hint.configure(wraplength=wrap)
        self.status.configure(wraplength=wrap)
        self._place_priority()

    def _place_priority(self) -> None:
        if not self.priority.cget("text"):
            self.priority.grid_forget()
        elif self._compact:
            self.priority.grid(row=5, column=0, columnspan=2, padx=20, pady=(0, 4), sticky="w")
        else:
            self.priority.grid(row=1, column=1, padx=(0, 20), sticky="e")

    def show(self, counter: CounterInfo | None, now: datetime) -> None:
        """Show the counter's current ticket (or what the counter is doing)."""
        self._counter = counter
        ticket = counter.current if counter and counter.current and counter.current.active else None
        set_text(self.status, words.status_line(counter))
        if self.number.cget("text") != (ticket.number if ticket else "—"):
            # No ticket: a light dash, so the empty card does not read as a black bar.
            self.number.configure(
                text=ticket.number if ticket else "—",
                text_color=theme.TEXT if ticket else theme.DISABLED,
                font=theme.font(self._number_size, "bold" if ticket else "normal"),
            )
        set_text(self.service, ticket.service_label() if ticket else "")
        label = words.priority_label(ticket.priority) if ticket else None
        text = f"  ★ {label}  " if label else ""
        if self.priority.cget("text") != text:
            self.priority.configure(text=text)
            self._place_priority()
        waited = ticket.waited_minutes() if ticket else None
        set_text(
            self.waited,
            _("Đã chờ {wait} trước khi được gọi", wait=words.format_minutes(waited))
            if waited is not None
            else "",
        )
        hint = words.apology_hint(ticket)
        if hint:
            set_text(self.hint, hint)
            self.hint.grid(row=6, column=0, columnspan=2, padx=16, pady=(4, 14), sticky="ew")
        else:
            set_text(self.hint, "")
            self.hint.grid_forget()
        self.tick(now)

    def tick(self, now: datetime) -> None:
        """Move the timers on (called every second)."""
        counter = self._counter
        ticket = counter.current if counter else None
        serving = words.service_seconds(ticket, now)
        since_call = words.seconds_since_call(ticket, now)
        if serving is not None:
            text = _("Thời gian phục vụ {time}", time=words.format_clock(serving))
        elif since_call is not None:
            text = _("Đã gọi {time} trước", time=words.format_clock(since_call))
        else:
            text = ""
        set_text(self.timer, text)
