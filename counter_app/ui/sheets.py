"""Small in-window forms for the actions that need details: transfer, pause, call a number, reprint.

A sheet lies over the main page (no second window to lose behind the office's other software);
Enter confirms, Escape cancels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import customtkinter as ctk

from .. import words
from ..desk import Desk
from ..i18n import N_, _, language
from ..state import Action
from ..views import CounterInfo
from . import theme

PAUSE_REASONS = (N_("Nghỉ trưa"), N_("Họp"), N_("Xử lý hồ sơ tồn"), N_("Việc riêng"))


class Sheet(ctk.CTkFrame):  # type: ignore[misc]  # customtkinter is untyped
    """A card with a title, a body, an error line and confirm/cancel buttons."""

    def __init__(self, master: Any, title: str, confirm: str, on_close: Callable[[], None]) -> None:
        super().__init__(
            master,
            fg_color=theme.SURFACE,
            corner_radius=14,
            border_width=2,
            border_color=theme.ACCENT,
        )
        self._on_close = on_close
        self.grid_columnconfigure(0, weight=1)
        self.title = ctk.CTkLabel(
            self, text=title, font=theme.font(18, "bold"), text_color=theme.TEXT, anchor="w"
        )
        self.title.grid(row=0, column=0, padx=22, pady=(18, 8), sticky="ew")
        self.body = ctk.CTkFrame(self, fg_color="transparent")
        self.body.grid(row=1, column=0, padx=22, sticky="ew")
        self.body.grid_columnconfigure(0, weight=1)
        self.error = ctk.CTkLabel(
            self,
            text="",
            font=theme.font(13),
            text_color=theme.ERROR_TEXT,
            anchor="w",
            justify="left",
            wraplength=380,
        )
        buttons = ctk.CTkFrame(self, fg_color="transparent")
        buttons.grid(row=3, column=0, padx=22, pady=(10, 18), sticky="ew")
        buttons.grid_columnconfigure((0, 1), weight=1, uniform="b")
        self.confirm_button = ctk.CTkButton(
            buttons,
            text=f"{confirm}  ↵",
            height=40,
            font=theme.font(14, "bold"),
            command=self.confirm,
        )
        self.confirm_button.grid(row=0, column=0, padx=(0, 6), sticky="ew")
        self.cancel_button = ctk.CTkButton(
            buttons,
            text=_("Hủy  Esc"),
            height=40,
            font=theme.font(14),
            fg_color="transparent",
            border_width=1,
            border_color=theme.BORDER,
            text_color=theme.TEXT,
            hover_color=theme.BORDER,
            command=self.close,
        )
        self.cancel_button.grid(row=0, column=1, padx=(6, 0), sticky="ew")

    def open(self, width: int) -> None:
        """Show over the page."""
        self.configure(width=width)
        self.place(relx=0.5, rely=0.5, anchor="center")
        self.lift()
        self.focus_start()

    def focus_start(self) -> None:
        """Where the cursor goes when the sheet opens."""
        self.focus_set()

    def close(self) -> None:
        """Hide and forget."""
        self.place_forget()
        self._on_close()
        self.destroy()

    def show_error(self, message: str) -> None:
        """A sentence explaining why the form cannot be sent yet."""
        self.error.configure(text=message)
        self.error.grid(row=2, column=0, padx=22, pady=(6, 0), sticky="ew")

    def confirm(self) -> None:
        """Check the form and act (subclasses)."""
        raise NotImplementedError


class TransferSheet(Sheet):
    """Pick a service, to the front of its line or by arrival time, optionally a counter."""

    def __init__(
        self,
        master: Any,
        number: str,
        services: list[dict[str, Any]],
        counters: list[CounterInfo],
        on_confirm: Callable[[dict[str, Any]], None],
        on_close: Callable[[], None],
    ) -> None:
        super().__init__(master, _("Chuyển số {number}", number=number), _("Chuyển"), on_close)
        self._on_confirm = on_confirm
        self._counters = counters
        self._codes: dict[str, str] = {}
        for service in services:
            if service.get("active", True):
                name = service.get("name_en") if language() == "en" else None
                label = f"{service.get('code')} · {name or service.get('name')}"
                self._codes[label] = str(service.get("code"))
        labels = list(self._codes) or ["—"]
        ctk.CTkLabel(
            self.body,
            text=_("Sang dịch vụ"),
            font=theme.font(13),
            text_color=theme.MUTED,
            anchor="w",
        ).grid(row=0, column=0, sticky="w")
        self.service = ctk.CTkOptionMenu(
            self.body,
            values=labels,
            height=36,
            font=theme.font(14),
            dropdown_font=theme.font(14),
            command=lambda _value: self._fill_counters(),
        )
        self.service.grid(row=1, column=0, pady=(2, 10), sticky="ew")
        self.position = ctk.StringVar(value="front")
        ctk.CTkLabel(
            self.body,
            text=_("Vị trí trong hàng chờ"),
            font=theme.font(13),
            text_color=theme.MUTED,
            anchor="w",
        ).grid(row=2, column=0, sticky="w")
        self.front = ctk.CTkRadioButton(
            self.body,
            text=_("Lên đầu hàng chờ"),
            variable=self.position,
            value="front",
            font=theme.font(14),
        )
        self.front.grid(row=3, column=0, pady=3, sticky="w")
        self.arrival = ctk.CTkRadioButton(
            self.body,
            text=_("Theo giờ lấy số"),
            variable=self.position,
            value="arrival",
            font=theme.font(14),
        )
        self.arrival.grid(row=4, column=0, pady=(3, 10), sticky="w")
        ctk.CTkLabel(
            self.body, text=_("Quầy nhận"), font=theme.font(13), text_color=theme.MUTED, anchor="w"
        ).grid(row=5, column=0, sticky="w")
        self.counter = ctk.CTkOptionMenu(
            self.body,
            values=[_("Quầy bất kỳ")],
            height=36,
            font=theme.font(14),
            dropdown_font=theme.font(14),
        )
        self.counter.grid(row=6, column=0, pady=(2, 4), sticky="ew")
        self._counter_numbers: dict[str, int | None] = {}
        self._fill_counters()

    def choose_service(self, code: str) -> None:
        """Select the service with `code` (keyboard users and tests)."""
        for label, value in self._codes.items():
            if value == code:
                self.service.set(label)
                self._fill_counters()
                return

    def _fill_counters(self) -> None:
        code = self._codes.get(self.service.get())
        self._counter_numbers = {_("Quầy bất kỳ"): None}
        for counter in self._counters:
            if code in counter.services:
                self._counter_numbers[words.counter_choice(counter)] = counter.number
        self.counter.configure(values=list(self._counter_numbers))
        self.counter.set(_("Quầy bất kỳ"))

    def choose_counter(self, number: int | None) -> None:
        """Select a receiving counter (None: any)."""
        for label, value in self._counter_numbers.items():
            if value == number:
                self.counter.set(label)

    def confirm(self) -> None:
        """Send the transfer."""
        code = self._codes.get(self.service.get())
        if code is None:
            self.show_error(_("Hãy chọn dịch vụ."))
            return
        body: dict[str, Any] = {"service": code, "position": self.position.get()}
        target = self._counter_numbers.get(self.counter.get())
        if target is not None:
            body["counter"] = target
        self._on_confirm(body)
        self.close()


class TextSheet(Sheet):
    """One line of text to type, with optional quick choices above it."""

    def __init__(
        self,
        master: Any,
        title: str,
        label: str,
        confirm: str,
        *,
        value: str = "",
        choices: tuple[str, ...] = (),
        check: Callable[[str], str | None],
        on_confirm: Callable[[str], None],
        on_close: Callable[[], None],
    ) -> None:
        super().__init__(master, title, confirm, on_close)
        self._check = check
        self._on_confirm = on_confirm
        row = 0
        if choices:
            chips = ctk.CTkFrame(self.body, fg_color="transparent")
            chips.grid(row=row, column=0, pady=(0, 8), sticky="w")
            for index, choice in enumerate(choices):
                ctk.CTkButton(
                    chips,
                    text=_(choice),
                    height=30,
                    width=20,
                    font=theme.font(13),
                    fg_color=theme.INFO_BACK,
                    text_color=theme.INFO_TEXT,
                    hover_color=theme.BORDER,
                    command=lambda c=choice: self._choose(_(c)),
                ).grid(row=index // 2, column=index % 2, padx=(0, 6), pady=2, sticky="w")
            row += 1
        ctk.CTkLabel(
            self.body, text=label, font=theme.font(13), text_color=theme.MUTED, anchor="w"
        ).grid(row=row, column=0, sticky="w")
        self.entry = ctk.CTkEntry(self.body, height=38, font=theme.font(16))
        self.entry.grid(row=row + 1, column=0, pady=(2, 4), sticky="ew")
        if value:
            self.entry.insert(0, value)

    def _choose(self, text: str) -> None:
        self.entry.delete(0, "end")
        self.entry.insert(0, text)
        self.entry.focus_set()

    def focus_start(self) -> None:
        """The cursor in the entry, its text selected for overtyping."""
        self.entry.focus_set()
        self.entry.select_range(0, "end")

    def confirm(self) -> None:
        """Check the text, then act."""
        text = self.entry.get().strip()
        problem = self._check(text)
        if problem:
            self.show_error(problem)
            return
        self._on_confirm(text)
        self.close()


def check_reason(text: str) -> str | None:
    """A pause needs a reason of at most 200 characters."""
    if not text:
        return _("Hãy ghi lý do tạm nghỉ.")
    if len(text) > 200:
        return _("Lý do tạm nghỉ dài quá 200 ký tự.")
    return None


def check_number(text: str) -> str | None:
    """A ticket number such as A012."""
    if not text or len(text) > 16 or not text.isalnum():
        return _("Hãy nhập số phiếu, ví dụ A012.")
    return None


Perform = Callable[..., None]


def sheet_for(
    action: Action, master: Any, desk: Desk, perform: Perform, on_close: Callable[[], None]
) -> Sheet | None:
    """The form an action needs before it can be sent, or None when it needs none."""
    current = desk.current
    if action is Action.TRANSFER and current is not None:
        counters = list(desk.snapshot.counters) if desk.snapshot else []
        transfer = TransferSheet(
            master,
            current.number,
            desk.services,
            counters,
            lambda body: perform(Action.TRANSFER, body),
            on_close,
        )
        transfer.choose_service(current.service)
        return transfer
    if action is Action.PAUSE:
        return TextSheet(
            master,
            _("Tạm nghỉ quầy {number}", number=desk.counter_number),
            _("Lý do (hiện trên màn hình chờ)"),
            _("Tạm nghỉ"),
            choices=PAUSE_REASONS,
            check=check_reason,
            on_confirm=lambda text: perform(Action.PAUSE, {"reason": text}),
            on_close=on_close,
        )
    if action is Action.CALL_NUMBER:
        return call_number_sheet(master, "", perform, on_close)
    if action is Action.REPRINT:

        def check(number: str) -> str | None:
            problem = check_number(number)
            if problem is None and desk.ticket_id(number) is None:
                problem = _(
                    "Không tìm thấy số {number} trong hàng chờ hôm nay.", number=number.upper()
                )
            return problem

        return TextSheet(
            master,
            _("In lại phiếu"),
            _("Số phiếu"),
            _("In lại"),
            value=current.number if current else "",
            check=check,
            on_confirm=lambda number: perform(Action.REPRINT, ticket_id=desk.ticket_id(number)),
            on_close=on_close,
        )
    return None


def call_number_sheet(
    master: Any, number: str, perform: Perform, on_close: Callable[[], None]
) -> TextSheet:
    """Call a given number (typed, or picked from the waiting list)."""
    return TextSheet(
        master,
        _("Gọi một số cụ thể"),
        _("Số phiếu, ví dụ A012"),
        _("Gọi số"),
        value=number,
        check=check_number,
        on_confirm=lambda text: perform(Action.CALL_NUMBER, {"number": text.upper()}),
        on_close=on_close,
    )
