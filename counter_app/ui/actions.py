"""The action buttons, each with its shortcut; enabled only where the server would accept it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import customtkinter as ctk

from ..i18n import N_, _
from ..state import Action
from . import theme

# The button slots in reading order; the PAUSE slot also resumes or opens the counter.
SLOTS = (
    Action.CALL_NEXT,
    Action.RECALL,
    Action.START,
    Action.FINISH,
    Action.NO_SHOW,
    Action.TRANSFER,
    Action.PAUSE,
    Action.CALL_NUMBER,
    Action.REPRINT,
)
TOGGLE = (Action.PAUSE, Action.RESUME, Action.OPEN)

LABELS: dict[Action, str] = {
    Action.CALL_NEXT: N_("Gọi tiếp"),
    Action.RECALL: N_("Gọi lại"),
    Action.START: N_("Bắt đầu"),
    Action.FINISH: N_("Hoàn thành"),
    Action.NO_SHOW: N_("Vắng mặt"),
    Action.TRANSFER: N_("Chuyển quầy/dịch vụ"),
    Action.PAUSE: N_("Tạm nghỉ"),
    Action.RESUME: N_("Tiếp tục"),
    Action.OPEN: N_("Mở quầy"),
    Action.CALL_NUMBER: N_("Gọi số…"),
    Action.REPRINT: N_("In lại phiếu"),
}


def action_label(action: Action) -> str:
    """The button's words in the current language."""
    return _(LABELS[action])


class ActionPanel(ctk.CTkFrame):  # type: ignore[misc]  # customtkinter is untyped
    """A grid of large buttons."""

    def __init__(self, master: Any, on_action: Callable[[Action], None]) -> None:
        super().__init__(master, fg_color="transparent")
        self._on_action = on_action
        self.toggle_action = Action.PAUSE
        self.enabled: frozenset[Action] = frozenset()
        self.buttons: dict[Action, ctk.CTkButton] = {}
        for action in SLOTS:
            self.buttons[action] = ctk.CTkButton(
                self,
                height=58,
                corner_radius=10,
                font=theme.font(15, "bold"),
                text_color="#ffffff",
                text_color_disabled=theme.DISABLED_TEXT,
                command=lambda a=action: self.press(a),
            )
        self._columns = 0
        self.set_columns(3)
        self.render(frozenset(), Action.PAUSE, force=True)

    def button(self, action: Action) -> ctk.CTkButton:
        """The button doing `action` (pause, resume and open share one)."""
        return self.buttons[Action.PAUSE if action in TOGGLE else action]

    def set_columns(self, columns: int) -> None:
        """Lay the buttons out in `columns` columns."""
        if columns == self._columns:
            return
        self._columns = columns
        for index in range(4):
            used = index < columns
            # A weight-0 column in a uniform group still takes a share: leave unused ones out.
            self.grid_columnconfigure(index, weight=1 if used else 0, uniform="a" if used else "")
        for index, action in enumerate(SLOTS):
            row, column = divmod(index, columns)
            alone = index == len(SLOTS) - 1 and column == 0
            self.buttons[action].configure(height=48 if columns < 3 else 58)
            self.buttons[action].grid(
                row=row,
                column=column,
                columnspan=columns if alone else 1,
                padx=4,
                pady=4,
                sticky="ew",
            )

    def press(self, slot: Action) -> None:
        """A press of the button in `slot` (mouse or shortcut): act if the action is valid."""
        action = self.toggle_action if slot is Action.PAUSE else slot
        if action in self.enabled:
            self._on_action(action)

    def _text(self, action: Action) -> str:
        return f"{action_label(action)}\n{theme.SHORTCUTS[action]}"

    def render(self, enabled: frozenset[Action], toggle: Action, *, force: bool = False) -> None:
        """Enable the valid actions; the toggle slot shows pause, resume or open."""
        if not force and enabled == self.enabled and toggle == self.toggle_action:
            return
        before, toggle_before = self.enabled, self.toggle_action
        self.enabled, self.toggle_action = enabled, toggle
        for slot, button in self.buttons.items():
            action = toggle if slot is Action.PAUSE else slot
            was = toggle_before if slot is Action.PAUSE else slot
            on = action in enabled
            if not force and action is was and on == (was in before):
                continue  # each redraw of a rounded button costs milliseconds
            button.configure(
                text=self._text(action),
                state="normal" if on else "disabled",
                fg_color=theme.ACTION_COLORS[action] if on else theme.DISABLED,
                hover_color=theme.ACTION_COLORS[action],
            )

    def retranslate(self) -> None:
        """New language: relabel every button."""
        self.render(self.enabled, self.toggle_action, force=True)
