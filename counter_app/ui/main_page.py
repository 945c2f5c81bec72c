"""The serving page: header, connection banner, current ticket, actions, waiting lines, the day."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import customtkinter as ctk

from .. import words
from ..i18n import _, language
from ..state import Action, pause_action
from ..views import CounterInfo, DayStats, ServiceQueue
from . import theme
from .actions import ActionPanel
from .queue_panel import QueuePanel
from .ticket_panel import TicketPanel, set_text


@dataclass
class Screen:
    """Everything the page shows, gathered by the app on the Tk thread."""

    counter_number: int
    counter: CounterInfo | None
    officer_name: str
    online: bool
    stream_live: bool
    enabled: frozenset[Action]
    lines: list[ServiceQueue] = field(default_factory=list)
    snapshot_age_minutes: float = 0.0
    stats: DayStats | None = None
    updated_at: datetime | None = None


class MainPage(ctk.CTkFrame):  # type: ignore[misc]  # customtkinter is untyped
    """The page an officer works in all day."""

    def __init__(
        self,
        master: Any,
        *,
        on_action: Callable[[Action], None],
        on_pick: Callable[[str], None],
        on_language: Callable[[], None],
        on_theme: Callable[[], None],
        on_compact: Callable[[], None],
        on_sign_out: Callable[[], None],
    ) -> None:
        super().__init__(master, fg_color=theme.BACKGROUND, corner_radius=0)
        self.grid_columnconfigure(0, weight=1)
        self.grid_rowconfigure(3, weight=1)
        self.compact = False

        self.header = ctk.CTkFrame(self, fg_color="transparent")
        self.header.grid(row=0, column=0, padx=12, pady=(10, 4), sticky="ew")
        self.header.grid_columnconfigure(0, weight=1)
        self.who = ctk.CTkLabel(
            self.header, text="", font=theme.font(17, "bold"), text_color=theme.TEXT, anchor="w"
        )
        self.who.grid(row=0, column=0, sticky="w", padx=(4, 8))
        self.link = ctk.CTkLabel(self.header, text="", font=theme.font(13), anchor="e")
        self.link.grid(row=0, column=1, padx=8)
        small: dict[str, Any] = {
            "height": 30,
            "font": theme.font(13),
            "fg_color": "transparent",
            "border_width": 1,
            "border_color": theme.BORDER,
            "text_color": theme.TEXT,
            "hover_color": theme.BORDER,
            "width": 40,
        }
        self.language_button = ctk.CTkButton(self.header, command=on_language, **small)
        self.theme_button = ctk.CTkButton(self.header, command=on_theme, **small)
        self.compact_button = ctk.CTkButton(self.header, command=on_compact, **small)
        self.sign_out_button = ctk.CTkButton(self.header, command=on_sign_out, **small)

        self.banner = ctk.CTkLabel(
            self,
            text="",
            font=theme.font(16, "bold"),
            height=40,
            fg_color=theme.OFFLINE,
            text_color="#ffffff",
            corner_radius=8,
        )
        self.message = ctk.CTkLabel(
            self,
            text="",
            font=theme.font(14),
            corner_radius=12,
            anchor="w",
            justify="left",
            wraplength=900,
        )
        self.message_kind = ""

        self.body = ctk.CTkFrame(self, fg_color="transparent")
        self.body.grid(row=3, column=0, padx=8, pady=4, sticky="nsew")
        self.body.grid_rowconfigure(0, weight=1)
        self.left = ctk.CTkFrame(self.body, fg_color="transparent")
        self.left.grid_columnconfigure(0, weight=1)
        self.left.grid_rowconfigure(0, weight=1)
        self.ticket = TicketPanel(self.left)
        self.ticket.grid(row=0, column=0, padx=4, pady=(0, 6), sticky="nsew")
        self.actions = ActionPanel(self.left, on_action)
        self.actions.grid(row=1, column=0, sticky="ew")
        self.queue = QueuePanel(self.body, on_pick)

        self.footer = ctk.CTkLabel(
            self, text="", font=theme.font(13), text_color=theme.MUTED, anchor="w", justify="left"
        )
        self.footer.grid(row=4, column=0, padx=18, pady=(2, 10), sticky="ew")
        self._screen: Screen | None = None
        self.set_compact(False)
        self.retranslate()

    # --- layout -----------------------------------------------------------------------------

    def set_compact(self, compact: bool) -> None:
        """The narrow always-on-top layout, or the full one."""
        self.compact = compact
        self.left.grid(row=0, column=0, padx=4, sticky="nsew")
        if compact:
            self.queue.grid_forget()
            self.body.grid_columnconfigure(0, weight=1, uniform="")
            self.body.grid_columnconfigure(1, weight=0, minsize=0, uniform="")
            for button in (self.language_button, self.theme_button, self.sign_out_button):
                button.grid_forget()
            self.compact_button.grid(row=0, column=2, padx=(4, 0))
            self.link.grid_forget()
        else:
            # One uniform group: the split stays 3:2 whatever the texts' lengths.
            self.body.grid_columnconfigure(0, weight=3, uniform="body")
            self.body.grid_columnconfigure(1, weight=2, minsize=300, uniform="body")
            self.queue.grid(row=0, column=1, padx=4, sticky="nsew")
            self.link.grid(row=0, column=1, padx=8)
            for column, button in enumerate(
                (
                    self.language_button,
                    self.theme_button,
                    self.compact_button,
                    self.sign_out_button,
                ),
                start=2,
            ):
                button.grid(row=0, column=column, padx=(4, 0))
        self.actions.set_columns(2 if compact else 3)
        self.ticket.set_compact(compact)
        self.message.configure(wraplength=320 if compact else 900)
        self.retranslate()

    def retranslate(self) -> None:
        """Set every fixed text in the current language."""
        self.language_button.configure(text="English" if language() == "vi" else "Tiếng Việt")
        dark = ctk.get_appearance_mode() == "Dark"
        other_theme = _("Giao diện sáng") if dark else _("Giao diện tối")
        self.theme_button.configure(text=f"{other_theme}  {theme.THEME_KEY}")
        other_size = _("Mở rộng") if self.compact else _("Thu gọn")
        self.compact_button.configure(text=f"{other_size}  {theme.COMPACT_KEY}")
        self.sign_out_button.configure(text=_("Đăng xuất"))
        self.banner.configure(text=_("Mất kết nối máy chủ — đang thử kết nối lại…"))
        self.actions.retranslate()
        if self._screen is not None:
            self.render(self._screen, force=True)

    # --- content ----------------------------------------------------------------------------

    def show_message(self, text: str | None, kind: str = "error") -> None:
        """A sentence under the header (an error from the server, or news), or none."""
        if not text:
            self.message.grid_forget()
            self.message_kind = ""
            set_text(self.message, "")
            return
        if kind == "error":
            colors = (theme.ERROR_TEXT, theme.ERROR_BACK)
        else:
            colors = (theme.INFO_TEXT, theme.INFO_BACK)
        self.message.configure(text=text, text_color=colors[0], fg_color=colors[1])
        self.message_kind = kind
        self.message.grid(row=2, column=0, padx=12, pady=(2, 4), sticky="ew")

    def render(self, screen: Screen, now: datetime | None = None, *, force: bool = False) -> None:
        """Show `screen`."""
        self._screen = screen
        counter = screen.counter
        name = (
            words.counter_name(counter)
            if counter
            else _("Quầy {number}", number=screen.counter_number)
        )
        set_text(self.who, f"{name} · {screen.officer_name}" if screen.officer_name else name)
        if screen.online:
            self.banner.grid_forget()
            mode = _("trực tiếp") if screen.stream_live else _("cập nhật 2 giây/lần")
            connected = _("Đã kết nối")
            set_text(self.link, f"● {connected} · {mode}")
            self.link.configure(text_color=theme.ONLINE_DOT)
        else:
            self.banner.grid(row=1, column=0, padx=12, pady=(2, 4), sticky="ew")
            lost = _("Mất kết nối")
            set_text(self.link, f"● {lost}")
            self.link.configure(text_color=theme.LATE)
        self.ticket.show(counter, now or datetime.now().astimezone())  # the number first
        self.actions.render(screen.enabled, pause_action(counter), force=force)
        self._render_lines(screen)
        self._render_footer(screen)

    def _render_lines(self, screen: Screen) -> None:
        title = _("Hàng chờ của quầy")
        self.queue.render(title, screen.lines, screen.snapshot_age_minutes)

    def _render_footer(self, screen: Screen) -> None:
        if self.compact:
            parts = [f"{line.code} {line.waiting}" for line in screen.lines]
            longest = max(
                (line.longest_wait_minutes for line in screen.lines if line.waiting), default=None
            )
            text = _("Đang chờ: {lines}", lines=" · ".join(parts) or "0")
            if longest is not None:
                text += " · " + _(
                    "lâu nhất {wait}",
                    wait=words.format_minutes(longest + screen.snapshot_age_minutes),
                )
        else:
            text = words.day_summary(screen.stats or DayStats())
            if screen.updated_at is not None:
                text += "   ·   " + _(
                    "Cập nhật lúc {time}", time=screen.updated_at.strftime("%H:%M:%S")
                )
        set_text(self.footer, text)

    def tick(self, now: datetime) -> None:
        """Every second: timers."""
        self.ticket.tick(now)
