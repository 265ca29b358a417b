"""The action item form: action, @owner, due date, one row of a
postmortem's Action Items table. Enter moves on and adds on the last field,
esc cancels (None)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


class ActionItemForm(ModalScreen[tuple[str, str, str] | None]):
    """Action, @owner, due date: one row of the Action Items table."""

    DEFAULT_CSS = """
    ActionItemForm { align: center middle; }
    ActionItemForm > Vertical {
        width: 72; max-width: 100%; height: auto; border: thick $accent; background: $surface; padding: 0 1;
    }
    ActionItemForm .form-error { color: $error; height: auto; }
    ActionItemForm .form-help { color: $text-muted; }
    """
    AUTO_FOCUS = "Input"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="form.cancel")]

    def __init__(self, check) -> None:
        super().__init__()
        self._check = check  # raises ValueError on fields the table cannot take

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Add an action item", classes="form-title")
            yield Input(placeholder="what will be done", id="action", compact=True)
            yield Input(placeholder="@owner", id="owner", compact=True)
            yield Input(placeholder="due YYYY-MM-DD", id="due", compact=True)
            yield Static("", classes="form-error")
            yield Label("enter: next field, adds on the last   esc: cancel", classes="form-help")

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id != "due":
            self.focus_next()
            return
        fields = tuple(self.query_one(f"#{name}", Input).value for name in ("action", "owner", "due"))
        try:
            self._check(*fields)
        except ValueError as error:
            self.query_one(".form-error", Static).update(str(error))
            return
        self.dismiss(fields)
