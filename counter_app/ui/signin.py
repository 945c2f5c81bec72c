"""The first-run page (server address, counter number) and the sign-in page."""

from __future__ import annotations

from collections.abc import Callable

import customtkinter as ctk

from ..i18n import _
from . import theme


class _Card(ctk.CTkFrame):  # type: ignore[misc]  # customtkinter is untyped
    """A centred card with a title, a subtitle and a line for errors."""

    def __init__(self, master: ctk.CTkBaseClass | ctk.CTk) -> None:
        super().__init__(master, fg_color=theme.BACKGROUND, corner_radius=0)
        self.card = ctk.CTkFrame(
            self,
            fg_color=theme.SURFACE,
            corner_radius=14,
            border_width=1,
            border_color=theme.BORDER,
        )
        self.card.place(relx=0.5, rely=0.45, anchor="center")
        self.card.grid_columnconfigure(0, weight=1)
        self.title = ctk.CTkLabel(self.card, font=theme.font(24, "bold"), text_color=theme.TEXT)
        self.title.grid(row=0, column=0, padx=32, pady=(28, 2), sticky="w")
        self.subtitle = ctk.CTkLabel(
            self.card, font=theme.font(13), text_color=theme.MUTED, justify="left", anchor="w"
        )
        self.subtitle.grid(row=1, column=0, padx=32, pady=(0, 14), sticky="w")
        self.error = ctk.CTkLabel(
            self.card,
            text="",
            font=theme.font(13),
            text_color=theme.ERROR_TEXT,
            wraplength=340,
            justify="left",
            anchor="w",
        )

    def field(self, row: int, **entry_options: object) -> tuple[ctk.CTkLabel, ctk.CTkEntry]:
        """A label above an entry."""
        label = ctk.CTkLabel(self.card, font=theme.font(13), text_color=theme.MUTED, anchor="w")
        label.grid(row=row, column=0, padx=32, pady=(6, 0), sticky="w")
        entry = ctk.CTkEntry(self.card, width=340, height=38, font=theme.font(15), **entry_options)
        entry.grid(row=row + 1, column=0, padx=32, pady=(2, 4), sticky="ew")
        return label, entry

    def show_error(self, message: str | None, row: int) -> None:
        """Show a sentence under the form, or hide it."""
        if message:
            self.error.configure(text=message)
            self.error.grid(row=row, column=0, padx=32, pady=(4, 0), sticky="w")
        else:
            self.error.grid_forget()


def _set_entry(entry: ctk.CTkEntry, value: str) -> None:
    entry.delete(0, "end")
    if value:
        entry.insert(0, value)


class SetupPage(_Card):
    """First run: where the server is and which counter this PC is."""

    def __init__(self, master: ctk.CTk, on_submit: Callable[[str, str], None]) -> None:
        super().__init__(master)
        self._on_submit = on_submit
        self.server_label, self.server_entry = self.field(2)
        self.counter_label, self.counter_entry = self.field(4)
        self.button = ctk.CTkButton(
            self.card, height=42, font=theme.font(15, "bold"), command=self.submit
        )
        self.button.grid(row=6, column=0, padx=32, pady=(14, 4), sticky="ew")
        self.card.grid_rowconfigure(8, minsize=24)
        for entry in (self.server_entry, self.counter_entry):
            entry.bind("<Return>", lambda _event: self.submit())
        self.retranslate()

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.title.configure(text=_("Thiết lập quầy"))
        self.subtitle.configure(text=_("Máy này kết nối tới máy chủ Lượt nào, và là quầy số mấy?"))
        self.server_label.configure(text=_("Địa chỉ máy chủ (ví dụ 192.168.1.10:8080)"))
        self.counter_label.configure(text=_("Số quầy"))
        self.button.configure(text=_("Tiếp tục"))

    def fill(self, server: str | None, counter: int | None) -> None:
        """Show what is remembered."""
        _set_entry(self.server_entry, server or "")
        _set_entry(self.counter_entry, str(counter) if counter else "")
        self.show_error(None, 7)

    def submit(self) -> None:
        """Hand the typed values to the app."""
        if str(self.button.cget("state")) == "disabled":
            return
        self._on_submit(self.server_entry.get(), self.counter_entry.get())

    def set_waiting(self, waiting: bool) -> None:
        """Grey the button while the server is being checked."""
        self.button.configure(state="disabled" if waiting else "normal")

    def focus_first(self) -> None:
        """Put the cursor where typing starts."""
        target = self.counter_entry if self.server_entry.get() else self.server_entry
        target.focus_set()


class SignInPage(_Card):
    """Username and password; the token that comes back stays in memory only."""

    def __init__(
        self,
        master: ctk.CTk,
        on_submit: Callable[[str, str, str | None], None],
        on_change: Callable[[], None],
    ) -> None:
        super().__init__(master)
        self._on_submit = on_submit
        self._asking = False  # the server wants a password of the officer's own first
        self.change = ctk.CTkButton(
            self.card,
            width=10,
            height=24,
            font=theme.font(12),
            fg_color="transparent",
            text_color=theme.INFO_TEXT,
            hover_color=theme.INFO_BACK,
            command=on_change,
        )
        self.change.grid(row=1, column=0, padx=28, pady=(0, 14), sticky="e")
        self.username_label, self.username_entry = self.field(2)
        self.password_label, self.password_entry = self.field(4, show="•")
        self.new_label, self.new_entry = self.field(6, show="•")
        self.again_label, self.again_entry = self.field(8, show="•")
        self.button = ctk.CTkButton(
            self.card, height=42, font=theme.font(15, "bold"), command=self.submit
        )
        self.card.grid_rowconfigure(12, minsize=24)
        for entry in (self.username_entry, self.password_entry, self.new_entry, self.again_entry):
            entry.bind("<Return>", lambda _event: self.submit())
        self._where = ("", 0)
        self._place()
        self.retranslate()

    def _place(self) -> None:
        """The new-password fields only while they are asked for; the button below the fields."""
        for widget in (self.new_label, self.new_entry, self.again_label, self.again_entry):
            if self._asking:
                widget.grid()
            else:
                widget.grid_remove()
        self.button.grid(
            row=10 if self._asking else 6, column=0, padx=32, pady=(14, 4), sticky="ew"
        )

    def show_error(self, message: str | None, row: int) -> None:
        """Show a sentence under the form (below the button, wherever it is)."""
        super().show_error(message, 11 if self._asking else row)

    def ask_new_password(self, message: str) -> None:
        """The password was a first one from the site file: ask for the officer's own."""
        self._asking = True
        _set_entry(self.new_entry, "")
        _set_entry(self.again_entry, "")
        self._place()
        self.retranslate()
        self.show_error(message, 7)
        self.new_entry.focus_set()

    def retranslate(self) -> None:
        """Set every text in the current language."""
        server, counter = self._where
        self.title.configure(text=_("Đăng nhập quầy {counter}", counter=counter))
        self.subtitle.configure(text=_("Máy chủ: {server}", server=server))
        self.change.configure(text=_("Đổi máy chủ / quầy"))
        self.username_label.configure(text=_("Tên đăng nhập"))
        self.password_label.configure(text=_("Mật khẩu"))
        self.new_label.configure(text=_("Mật khẩu mới (ít nhất 8 ký tự)"))
        self.again_label.configure(text=_("Nhập lại mật khẩu mới"))
        self.button.configure(
            text=_("Đặt mật khẩu mới và đăng nhập") if self._asking else _("Đăng nhập")
        )

    def prepare(self, server: str, counter: int, username: str | None, message: str | None) -> None:
        """Show the page for `server` and `counter`, with a reason if the officer was signed out."""
        self._where = (server, counter)
        self._asking = False
        self._place()
        self.retranslate()
        _set_entry(self.username_entry, username or "")
        _set_entry(self.password_entry, "")
        self.show_error(message, 7)
        self.set_waiting(False)

    def submit(self) -> None:
        """Hand the credentials to the app."""
        if str(self.button.cget("state")) == "disabled":
            return
        username = self.username_entry.get().strip()
        password = self.password_entry.get()
        if not username or not password:
            self.show_error(_("Hãy nhập tên đăng nhập và mật khẩu."), 7)
            return
        if not self._asking:
            self._on_submit(username, password, None)
            return
        if self.new_entry.get() != self.again_entry.get():
            self.show_error(_("Hai lần nhập mật khẩu mới không khớp."), 7)
            return
        self._on_submit(username, password, self.new_entry.get())

    def refuse(self, message: str, *, wrong_password: bool, new_password: bool = False) -> None:
        """Show why signing in failed; a refused password is cleared, ready to type again
        (`new_password`: the new one was unfit, so only it is typed again)."""
        if new_password:
            _set_entry(self.new_entry, "")
            _set_entry(self.again_entry, "")
            self.new_entry.focus_set()
        elif wrong_password:
            _set_entry(self.password_entry, "")
            self.password_entry.focus_set()
        self.show_error(message, 7)

    def set_waiting(self, waiting: bool) -> None:
        """Grey the button while the server answers."""
        self.button.configure(state="disabled" if waiting else "normal")

    def focus_first(self) -> None:
        """Cursor in the first empty field."""
        target = self.password_entry if self.username_entry.get() else self.username_entry
        target.focus_set()
