"""The counter window: first run, sign-in, then the serving page.

Every method runs on the Tk thread. Network work goes to `worker.Connection`; its results come
back through the mailbox to the `on_*` methods, which hand them to the `Desk` and redraw.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from typing import Any

import customtkinter as ctk
import httpx

from .. import i18n
from ..api_client import ApiClient
from ..config import ConfigStore, Settings, normalize_server, parse_counter
from ..desk import Desk
from ..errors import ConfigError, CounterAppError, ServerError, SessionExpired, Unreachable
from ..i18n import _
from ..state import Action, ActionRequest
from ..views import DayStats, QueueSnapshot
from ..worker import POLL_INTERVAL, Connection, Mailbox
from . import theme
from .actions import SLOTS, action_label
from .main_page import MainPage, Screen
from .sheets import Sheet, call_number_sheet, sheet_for
from .signin import SetupPage, SignInPage

log = logging.getLogger(__name__)

NORMAL_SIZE = (1040, 680)
COMPACT_SIZE = (400, 700)
INFO_SECONDS = 6
SLOW_MS = 700


GC_FULL_EVERY = 30  # ticks (seconds) between full collections; the others take the young


class CounterApp(ctk.CTk):  # type: ignore[misc]  # customtkinter is untyped
    """One officer at one counter."""

    def __init__(
        self,
        settings: Settings,
        *,
        store: ConfigStore | None = None,
        use_stream: bool = True,
        transport: httpx.BaseTransport | None = None,
        poll_interval: float = POLL_INTERVAL,
    ) -> None:
        i18n.set_language(settings.language)
        ctk.set_appearance_mode(settings.theme)
        super().__init__(fg_color=theme.BACKGROUND)
        self.settings = settings
        self.store = store
        self._use_stream = use_stream
        self._transport = transport
        self._poll_interval = poll_interval
        self.client: ApiClient | None = None
        self.connection: Connection | None = None
        self.desk = Desk(settings.counter or 0)
        self.page = ""
        self.sheet: Sheet | None = None
        self.closed = False
        # A press made while the previous one is in flight (the screen may already show its
        # result from a snapshot): sent after the answer if it is still valid then.
        self._pressed: tuple[Action, dict[str, Any] | None, int | None] | None = None
        self._afters: dict[str, str] = {}
        self._full_place: tuple[int, int] | None = None  # the full window's place while compact
        self._sized = False
        # Tk objects must die on the Tk thread: a Variable that the cyclic collector happens to
        # free on a network thread calls into Tcl from there ("main thread is not in main
        # loop"). While the window lives, the collector runs only from its own timer.
        self._owns_gc = gc.isenabled()
        gc.disable()
        self._ticks = 0

        self.title(_("Lượt — Quầy giao dịch"))
        self.mailbox = Mailbox(self)
        self.mailbox.start()
        self.setup_page = SetupPage(self, self._submit_setup)
        self.signin_page = SignInPage(self, self._submit_signin, self.show_setup)
        self.main_page = MainPage(
            self,
            on_action=self.trigger,
            on_pick=self._pick_number,
            on_language=self.toggle_language,
            on_theme=self.toggle_theme,
            on_compact=self.toggle_compact,
            on_sign_out=self.sign_out,
        )
        self._apply_size()
        self._bind_keys()
        self.protocol("WM_DELETE_WINDOW", self.close)
        if settings.server and settings.counter:
            self._connect(settings.server)
            self.show_signin()
        else:
            self.show_setup()
        self._tick()

    # --- pages ------------------------------------------------------------------------------

    def _show(self, name: str, page: ctk.CTkFrame) -> None:
        for other in (self.setup_page, self.signin_page, self.main_page):
            if other is not page:
                other.pack_forget()
        page.pack(fill="both", expand=True)
        self.page = name

    def show_setup(self) -> None:
        """First run (or "change server"): server address and counter number."""
        self._close_sheet()
        self.setup_page.fill(self.settings.server, self.desk.counter_number or None)
        self.setup_page.set_waiting(False)
        self._show("setup", self.setup_page)
        self.setup_page.focus_first()

    def show_signin(self, message: str | None = None) -> None:
        """The sign-in form, with the reason the officer has to sign in again."""
        self._close_sheet()
        server = self.client.server if self.client else ""
        self.signin_page.prepare(server, self.desk.counter_number, self.settings.username, message)
        self._show("signin", self.signin_page)
        self.signin_page.focus_first()

    def show_main(self) -> None:
        """The serving page."""
        self._show("main", self.main_page)
        self.main_page.focus_set()
        self.render()

    # --- settings ---------------------------------------------------------------------------

    def _save(self, **changes: Any) -> None:
        self.settings = self.settings.with_changes(**changes)
        if self.store is not None:
            try:
                self.store.save(self.settings)
            except OSError as error:
                log.warning("cannot save settings: %s", error)

    def _apply_size(self) -> None:
        screen_width, screen_height = self.winfo_screenwidth(), self.winfo_screenheight()
        if self.settings.compact:
            if self._full_place is None:  # where the full window stood, to go back there
                self._full_place = (self.winfo_x(), self.winfo_y()) if self._sized else (0, 0)
            width, height = COMPACT_SIZE
            x = max(0, screen_width - width)
            self.geometry(f"{width}x{height}+{x}+0")
            self.minsize(360, 560)
        elif not self._sized:
            width, height = NORMAL_SIZE
            self.geometry(f"{width}x{height}")  # the first time: where the system puts it
            self.minsize(860, 600)
        else:
            width, height = NORMAL_SIZE
            # Back where it was, never from the compact window's corner: on a 1366 px screen a
            # full window placed there would run off the right edge.
            x, y = self._full_place or (self.winfo_x(), self.winfo_y())
            self._full_place = None
            x = max(0, min(x, screen_width - width))
            y = max(0, min(y, screen_height - height))
            self.geometry(f"{width}x{height}+{x}+{y}")
            self.minsize(860, 600)
        self._sized = True
        self.attributes("-topmost", self.settings.compact)
        self.main_page.set_compact(self.settings.compact)

    def toggle_compact(self) -> None:
        """Narrow always-on-top window beside the office's other software, or the full one."""
        self._save(compact=not self.settings.compact)
        self._apply_size()
        self.render()

    def toggle_theme(self) -> None:
        """Light or dark."""
        self._save(theme="light" if self.settings.theme == "dark" else "dark")
        ctk.set_appearance_mode(self.settings.theme)
        self.main_page.queue.recolor()
        self.main_page.retranslate()

    def toggle_language(self) -> None:
        """Vietnamese or English (the server's messages follow too)."""
        language = i18n.set_language("en" if i18n.language() == "vi" else "vi")
        self._save(language=language)
        if self.client is not None:
            self.client.language = language
        self.title(_("Lượt — Quầy giao dịch"))
        self.setup_page.retranslate()
        self.signin_page.retranslate()
        self.main_page.retranslate()
        self._close_sheet()

    # --- server and session -----------------------------------------------------------------

    def _connect(self, server: str) -> None:
        if self.client is not None and self.client.server == server and self.connection:
            return
        if self.connection is not None:
            self.connection.stop()
        self.client = ApiClient(server, language=i18n.language(), transport=self._transport)
        self.connection = Connection(
            self.client,
            self.mailbox,
            self,
            counter=self.desk.counter_number,
            use_stream=self._use_stream,
            poll_interval=self._poll_interval,
        )
        self.connection.start()

    def _call(
        self,
        function: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[CounterAppError], None],
    ) -> None:
        if self.connection is not None:
            self.connection.call(function, on_done, on_error)
            self.mailbox.hurry()

    def _submit_setup(self, server_text: str, counter_text: str) -> None:
        try:
            server = normalize_server(server_text)
            counter = parse_counter(counter_text)
        except ConfigError as error:
            self.setup_page.show_error(error.message, 7)
            return
        self.setup_page.set_waiting(True)
        self.setup_page.show_error(None, 7)
        self._connect(server)
        assert self.client is not None
        self._call(
            self.client.health,
            lambda _answer: self._setup_done(server, counter),
            lambda error: self._setup_failed(server, error),
        )

    def _setup_done(self, server: str, counter: int) -> None:
        self.desk.counter_number = counter
        if self.connection is not None:
            self.connection.counter = counter
        self._save(server=server, counter=counter)
        self.show_signin()

    def _setup_failed(self, server: str, error: CounterAppError) -> None:
        self.setup_page.set_waiting(False)
        if isinstance(error, Unreachable):
            message = _(
                "Không kết nối được máy chủ {server}. Hãy kiểm tra địa chỉ và mạng.", server=server
            )
        else:
            message = _("Địa chỉ {server} không phải máy chủ Lượt.", server=server)
        self.setup_page.show_error(message, 7)

    def _submit_signin(self, username: str, password: str, new_password: str | None) -> None:
        if self.client is None:
            return
        self.signin_page.set_waiting(True)
        self.signin_page.show_error(None, 7)
        client, counter = self.client, self.desk.counter_number
        self._call(
            lambda: client.login(username, password, counter, new_password=new_password),
            lambda answer: self._signed_in(answer, username),
            self._signin_failed,
        )

    def _signed_in(self, answer: dict[str, Any], username: str) -> None:
        assert self.client is not None and self.connection is not None
        self.desk.signed_in(answer, username)
        self._save(username=username, server=self.client.server, counter=self.desk.counter_number)
        self.main_page.show_message(None)
        self.show_main()
        self.connection.refresh(today=True)
        self._call(self.client.services, self._got_services, lambda _error: None)

    def _signin_failed(self, error: CounterAppError) -> None:
        self.signin_page.set_waiting(False)
        message = error.message
        if isinstance(error, Unreachable):
            message = _("Không kết nối được máy chủ. Hãy thử lại sau ít phút.")
        code = error.code if isinstance(error, ServerError) else None
        if code == "password_change_required":  # a first password: the officer sets their own
            self.signin_page.ask_new_password(message)
            return
        # The server answered (a wrong password, too many tries): the password is not kept.
        self.signin_page.refuse(
            message,
            wrong_password=not isinstance(error, Unreachable),
            new_password=code == "unfit_password",
        )

    def _got_services(self, services: list[dict[str, Any]]) -> None:
        self.desk.services = services

    def sign_out(self) -> None:
        """Sign out; the server closes the counter (refused while a citizen is in progress)."""
        if self.client is None or self.desk.busy is not None:
            return
        self._call(self.client.logout, lambda _answer: self._signed_out(), self._sign_out_failed)

    def _signed_out(self) -> None:
        self.desk.signed_out()
        self.show_signin(_("Đã đăng xuất. Quầy đã đóng."))

    def _sign_out_failed(self, error: CounterAppError) -> None:
        if isinstance(error, SessionExpired):
            self._signed_out()
        else:
            self.main_page.show_message(error.message)

    # --- actions ----------------------------------------------------------------------------

    def enabled(self) -> frozenset[Action]:
        """The actions valid now."""
        return self.desk.enabled() if self.page == "main" else frozenset()

    def trigger(self, action: Action) -> None:
        """A button or shortcut: act at once, or open the form that asks for details."""
        if self.page != "main" or self.sheet is not None:
            return
        if action not in self.enabled():
            return
        sheet = sheet_for(action, self.main_page, self.desk, self.perform, self._sheet_closed)
        if sheet is None:
            self.perform(action)
        else:
            self._open_sheet(sheet)

    def _pick_number(self, number: str) -> None:
        if Action.CALL_NUMBER in self.enabled() and self.sheet is None:
            self._open_sheet(
                call_number_sheet(self.main_page, number, self.perform, self._sheet_closed)
            )

    def perform(
        self, action: Action, body: dict[str, Any] | None = None, ticket_id: int | None = None
    ) -> None:
        """Send an action (one idempotency key per press, reused if its answer was lost)."""
        if self.connection is None:
            return
        request = self.desk.begin(action, body, ticket_id)
        if request is None:
            self._pressed = (action, body, ticket_id)
            return
        self.connection.perform(request)  # first: the request leaves before any redraw
        self.mailbox.hurry()
        if self.main_page.message_kind == "error":
            self.main_page.show_message(None)
        self._schedule("slow", SLOW_MS, self._still_sending)

    def _still_sending(self) -> None:
        if self.desk.busy is not None:
            self.main_page.show_message(_("Đang gửi… máy chủ trả lời chậm."), "info")

    def _settle_message(self) -> None:
        self._cancel("slow")
        if self.main_page.message_kind == "info":
            self.main_page.show_message(None)

    # --- results from the connection (worker.Listener) ---------------------------------------

    def on_action_done(self, request: ActionRequest, answer: dict[str, Any], epoch: int) -> None:
        """An action succeeded: show its answer at once; a refresh follows."""
        self._settle_message()
        note = self.desk.answered(request, answer, epoch)
        self.render()
        if note:
            self._info(note)
        pressed, self._pressed = self._pressed, None
        if pressed is not None and pressed[0] in self.enabled():
            self.perform(*pressed)

    def on_action_failed(self, request: ActionRequest, error: CounterAppError) -> None:
        """An action was refused or its answer lost: say so in a sentence."""
        self._settle_message()
        self._pressed = None  # the state is uncertain: the officer presses again if needed
        if isinstance(error, SessionExpired):
            self.on_session_expired(error.message)
            return
        self.main_page.show_message(self.desk.failed(request, error, action_label(request.action)))
        self.render()

    def on_snapshot(self, snapshot: QueueSnapshot, epoch: int) -> None:
        """A fresh queue: the counter's own state comes from it too."""
        if self.desk.take_snapshot(snapshot, epoch):
            self.render()

    def on_today(self, stats: DayStats) -> None:
        """The officer's day."""
        self.desk.stats = stats
        self.render()

    def on_online(self, online: bool) -> None:
        """The server went away or came back."""
        self.desk.online = online
        if online and self.connection is not None:
            self.connection.refresh(today=True)
        self.render()

    def on_stream(self, live: bool) -> None:
        """The event stream started or stopped."""
        self.desk.stream_live = live
        self.render()

    def on_session_expired(self, message: str) -> None:
        """401: sign in again (the counter and the server stay as they were)."""
        if self.page != "main":
            return
        if self.client is not None:
            self.client.token = None
        self.desk.forget_action()
        self._pressed = None
        self.show_signin(message)

    # --- drawing ----------------------------------------------------------------------------

    def render(self) -> None:
        """Show the desk on the serving page."""
        if self.page != "main" or self.closed:
            return
        desk = self.desk
        screen = Screen(
            counter_number=desk.counter_number,
            counter=desk.counter,
            officer_name=desk.officer_name,
            online=desk.online,
            stream_live=desk.stream_live,
            enabled=self.enabled(),
            lines=desk.lines(),
            snapshot_age_minutes=desk.snapshot_age_minutes(),
            stats=desk.stats,
            updated_at=desk.snapshot.updated_at if desk.snapshot else None,
        )
        self.main_page.render(screen, desk.clock.now())

    def _info(self, text: str) -> None:
        self.main_page.show_message(text, "info")
        self._schedule("info", INFO_SECONDS * 1000, self._hide_info)

    def _hide_info(self) -> None:
        if self.main_page.message_kind == "info":
            self.main_page.show_message(None)

    def _tick(self) -> None:
        self.render()
        self._ticks += 1
        gc.collect(2 if self._ticks % GC_FULL_EVERY == 0 else 0)
        self._schedule("tick", 1000, self._tick)

    # --- sheets and keys --------------------------------------------------------------------

    def _open_sheet(self, sheet: Sheet) -> None:
        self.sheet = sheet
        sheet.open(360 if self.settings.compact else 440)

    def _sheet_closed(self) -> None:
        self.sheet = None
        self.main_page.focus_set()

    def _close_sheet(self) -> None:
        if self.sheet is not None:
            self.sheet.close()

    def _bind_keys(self) -> None:
        for slot in SLOTS:
            key = theme.SHORTCUTS[slot]
            self.bind(f"<KeyPress-{key}>", lambda _e, s=slot: self._shortcut(s))
        self.bind(f"<KeyPress-{theme.COMPACT_KEY}>", lambda _e: self.toggle_compact())
        self.bind(f"<KeyPress-{theme.THEME_KEY}>", lambda _e: self.toggle_theme())
        self.bind("<KeyPress-Escape>", lambda _e: self._close_sheet())
        self.bind("<KeyPress-Return>", lambda _e: self._confirm_sheet())
        self.bind("<KeyPress-KP_Enter>", lambda _e: self._confirm_sheet())

    def _shortcut(self, slot: Action) -> str:
        if self.page == "main" and self.sheet is None:
            self.main_page.actions.press(slot)
        return "break"

    def _confirm_sheet(self) -> None:
        if self.sheet is not None:
            self.sheet.confirm()

    def report_callback_exception(self, kind: Any, error: Any, trace: Any) -> None:
        """A bug in a Tk callback: logged for the developers, a sentence for the officer."""
        log.error("error in a window callback", exc_info=(kind, error, trace))
        if self.page == "main" and not self.closed:
            self.main_page.show_message(_("Lỗi không mong đợi trong ứng dụng."))

    # --- timers and closing -----------------------------------------------------------------

    def _schedule(self, name: str, delay_ms: int, callback: Callable[[], None]) -> None:
        self._cancel(name)

        def run() -> None:
            self._afters.pop(name, None)
            callback()

        self._afters[name] = self.after(delay_ms, run)

    def _cancel(self, name: str) -> None:
        after = self._afters.pop(name, None)
        if after is not None:
            self.after_cancel(after)

    def close(self) -> None:
        """Stop the threads, cancel every pending `after`, destroy the window."""
        if self.closed:
            return
        self.closed = True
        if self.connection is not None:
            self.connection.stop()
        self.mailbox.stop()
        for name in list(self._afters):
            self._cancel(name)
        for pending in self.tk.call("after", "info"):
            try:
                self.after_cancel(pending)
            except Exception:  # noqa: S110 (it ran meanwhile)
                pass
        self.destroy()
        gc.collect()  # the window's cycles, here on the Tk thread
        if self._owns_gc:
            gc.enable()
