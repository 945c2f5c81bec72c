"""The waiting lines of the services this counter serves: counts, longest wait, late tickets."""

from __future__ import annotations

import tkinter
from collections.abc import Callable
from typing import Any

import customtkinter as ctk

from .. import words
from ..i18n import _
from ..views import ServiceQueue
from . import theme

Segment = tuple[str, tuple[str, ...]]


def waiting_lines_text(lines: list[ServiceQueue], extra_minutes: float) -> list[Segment]:
    """The list as tagged text; a wait that grew past the target since the snapshot counts late."""
    segments: list[Segment] = []
    if not lines:
        return [(_("Quầy này chưa được giao dịch vụ nào."), ("muted",))]
    for index, line in enumerate(lines):
        if index:
            segments.append(("\n", ()))
        segments.append((f"{line.code} · {line.label()}\n", ("head",)))
        parts = words.line_summary(line, extra_minutes).split(" · ")
        summary = " · ".join(part.replace(" ", "\u00a0") for part in parts)  # wrap between parts
        segments.append((summary + "\n", ("muted",)))
        if not line.tickets:
            segments.append((_("Không có ai đang chờ.") + "\n", ("muted",)))
            continue
        for ticket in line.tickets:
            waited = ticket.waited_minutes + extra_minutes
            target = line.target_wait_minutes
            late = ticket.past_target or (target is not None and waited > target)
            tags: tuple[str, ...] = ("ticket", f"number:{ticket.number}")
            if late:
                tags += ("late",)
            segments.append((ticket.number, tags))
            if ticket.is_priority:
                segments.append(("★", ("priority", f"number:{ticket.number}")))
            # A no-break space keeps a wait on the line of its number.
            segments.append((f"\u00a0{int(waited)}′", ("late",) if late else ("muted",)))
            segments.append(("   ", ()))
        segments.append(("\n", ()))
    return segments


class QueuePanel(ctk.CTkFrame):  # type: ignore[misc]  # customtkinter is untyped
    """A read-only text list; clicking a number offers to call it."""

    def __init__(self, master: Any, on_pick: Callable[[str], None]) -> None:
        super().__init__(
            master,
            fg_color=theme.SURFACE,
            corner_radius=14,
            border_width=1,
            border_color=theme.BORDER,
        )
        self._on_pick = on_pick
        self.grid_columnconfigure(0, weight=1)
        self.grid_rowconfigure(1, weight=1)
        self.title = ctk.CTkLabel(
            self, text="", font=theme.font(16, "bold"), text_color=theme.TEXT, anchor="w"
        )
        self.title.grid(row=0, column=0, padx=16, pady=(12, 4), sticky="ew")
        family = theme.font(14).cget("family")
        self.text = tkinter.Text(
            self,
            wrap="word",
            borderwidth=0,
            highlightthickness=0,
            padx=14,
            pady=4,
            font=(family, 13),
            cursor="arrow",
            height=10,
            width=30,
            spacing1=2,
            spacing3=2,
        )
        self.text.grid(row=1, column=0, padx=(2, 0), pady=(0, 12), sticky="nsew")
        self.scrollbar = ctk.CTkScrollbar(self, command=self.text.yview)
        self.scrollbar.grid(row=1, column=1, padx=(0, 6), pady=(0, 12), sticky="ns")
        self.text.configure(yscrollcommand=self.scrollbar.set)
        self.text.tag_configure("head", font=(family, 14, "bold"), spacing1=6)
        self.text.tag_configure("ticket", font=(family, 14, "bold"))
        self.text.tag_bind("ticket", "<Button-1>", self._clicked)
        self._segments: list[Segment] | None = None
        self.recolor()
        self.text.configure(state="disabled")

    def recolor(self) -> None:
        """Apply the colours of the current theme (plain Tk widgets do not follow it alone)."""
        self.text.configure(
            bg=theme.pick(theme.SURFACE),
            fg=theme.pick(theme.TEXT),
            selectbackground=theme.pick(theme.INFO_BACK),
        )
        self.text.tag_configure("muted", foreground=theme.pick(theme.MUTED))
        self.text.tag_configure("late", foreground=theme.pick(theme.LATE))
        self.text.tag_configure("priority", foreground=theme.pick(theme.PRIORITY))
        self.text.tag_configure("head", foreground=theme.pick(theme.TEXT))

    def render(self, title: str, lines: list[ServiceQueue], extra_minutes: float) -> None:
        """Rewrite the list when its text changed."""
        if self.title.cget("text") != title:
            self.title.configure(text=title)
        segments = waiting_lines_text(lines, extra_minutes)
        if segments == self._segments:
            return
        self._segments = segments
        top = self.text.yview()[0]
        self.text.configure(state="normal")
        self.text.delete("1.0", "end")
        for text, tags in segments:
            self.text.insert("end", text, tags)
        self.text.configure(state="disabled")
        self.text.yview_moveto(top)

    def _clicked(self, event: tkinter.Event[tkinter.Text]) -> None:
        index = self.text.index(f"@{event.x},{event.y}")
        for tag in self.text.tag_names(index):
            if tag.startswith("number:"):
                self._on_pick(tag.removeprefix("number:"))
                return
