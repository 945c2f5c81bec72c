"""Colours (light, dark) and type sizes of the counter window, in one place."""

from __future__ import annotations

import customtkinter as ctk

from ..state import Action

Color = tuple[str, str]

SURFACE: Color = ("#ffffff", "#262a30")
BACKGROUND: Color = ("#eef1f5", "#16181c")
TEXT: Color = ("#1b1f24", "#eceff3")
MUTED: Color = ("#5b6470", "#9aa4b0")
BORDER: Color = ("#d5dbe3", "#3a4048")
DISABLED: Color = ("#c9ced6", "#3a3f47")
DISABLED_TEXT: Color = ("#7d8590", "#7d8590")

ACCENT: Color = ("#1559b8", "#2f7be0")
OFFLINE: Color = ("#c62828", "#b3261e")
ONLINE_DOT: Color = ("#2e7d32", "#66bb6a")
ERROR_TEXT: Color = ("#8e1b1b", "#ffb4ab")
ERROR_BACK: Color = ("#fdecea", "#3d2222")
INFO_TEXT: Color = ("#0d3c78", "#b7d4ff")
INFO_BACK: Color = ("#e3eefc", "#1d2b3f")
HINT_TEXT: Color = ("#7a4300", "#ffd8a8")
HINT_BACK: Color = ("#fff2dc", "#3d2e17")
LATE: Color = ("#c62828", "#ff8a80")
PRIORITY: Color = ("#a35c00", "#ffca28")
TIMER: Color = ("#00695c", "#4db6ac")

ACTION_COLORS: dict[Action, Color] = {
    Action.CALL_NEXT: ("#1559b8", "#2f7be0"),
    Action.RECALL: ("#5b3fa8", "#7b61c9"),
    Action.START: ("#00796b", "#1f9e8f"),
    Action.FINISH: ("#2e7d32", "#3f9b44"),
    Action.NO_SHOW: ("#c25e00", "#d9771c"),
    Action.TRANSFER: ("#00707d", "#168f9c"),
    Action.PAUSE: ("#6b4f3f", "#8a6b59"),
    Action.RESUME: ("#2e7d32", "#3f9b44"),
    Action.OPEN: ("#2e7d32", "#3f9b44"),
    Action.CALL_NUMBER: ("#4a5a6a", "#5d6f80"),
    Action.REPRINT: ("#4a5a6a", "#5d6f80"),
}

SHORTCUTS: dict[Action, str] = {
    Action.CALL_NEXT: "F1",
    Action.RECALL: "F2",
    Action.START: "F3",
    Action.FINISH: "F4",
    Action.NO_SHOW: "F5",
    Action.TRANSFER: "F6",
    Action.PAUSE: "F7",
    Action.RESUME: "F7",
    Action.OPEN: "F7",
    Action.CALL_NUMBER: "F8",
    Action.REPRINT: "F9",
}
COMPACT_KEY = "F11"
THEME_KEY = "F12"


def pick(color: Color) -> str:
    """The colour for the current appearance mode (for plain Tk widgets)."""
    return color[1] if ctk.get_appearance_mode() == "Dark" else color[0]


def font(size: int, weight: str = "normal") -> ctk.CTkFont:
    """The app font (customtkinter's bundled Roboto, which has every Vietnamese letter)."""
    return ctk.CTkFont(size=size, weight=weight)
