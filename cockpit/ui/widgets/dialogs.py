"""Small keyboard-only dialogs the panels ask questions with.

Each is a ModalScreen that dismisses with the answer (None / False when the
user presses esc), so a panel writes e.g.::

    title = await self.app.push_screen_wait(TextPrompt("Incident title"))

from a worker, or passes a callback to ``push_screen``.
"""

from __future__ import annotations

from typing import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from cockpit.ui.widgets.text import literal

_DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 70; max-width: 95%; height: auto; max-height: 90%;
    border: thick $accent; background: $surface; padding: 0 1;
}}
{name} .prompt-title {{ width: 100%; text-style: bold; margin-bottom: 1; }}  /* wraps, never cut */
{name} .prompt-hint {{ color: $text-muted; margin-top: 1; }}
{name} OptionList {{ height: auto; max-height: 14; }}
"""


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text; enter answers, esc cancels (None)."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="TextPrompt")
    AUTO_FOCUS = "*"  # the app turns auto-focus off; a dialog must take the keys at once
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, *, placeholder: str = "", value: str = "", allow_empty: bool = False) -> None:
        super().__init__()
        self.prompt_title = title
        self.placeholder = placeholder
        self.value = value
        self.allow_empty = allow_empty

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(literal(self.prompt_title), classes="prompt-title")
            yield Input(value=self.value, placeholder=self.placeholder)
            yield Label("enter: OK   esc: cancel", classes="prompt-hint")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if text or self.allow_empty:
            self.dismiss(text)
        else:
            self.notify("Type something, or press esc to cancel.", severity="warning", timeout=3)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoicePrompt(ModalScreen[str | None]):
    """Pick one of ``choices`` with the arrow keys and enter; esc cancels (None)."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="ChoicePrompt")
    AUTO_FOCUS = "*"  # the app turns auto-focus off; a dialog must take the keys at once
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, choices: Sequence[str], *, selected: str | None = None) -> None:
        super().__init__()
        self.prompt_title = title
        self.choices = tuple(choices)
        self.selected = selected

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(literal(self.prompt_title), classes="prompt-title")
            options = OptionList(*(Option(literal(choice), id=str(i)) for i, choice in enumerate(self.choices)))
            if self.selected in self.choices:
                options.highlighted = self.choices.index(self.selected)
            yield options
            yield Label("↑↓: choose   enter: OK   esc: cancel", classes="prompt-hint")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmPrompt(ModalScreen[bool]):
    """A yes/no question: y or enter confirms, n or esc declines."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="ConfirmPrompt")
    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="prompt.yes"),
        Binding("n,escape", "answer(False)", "No", id="prompt.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(literal(self.question, single_line=False), classes="prompt-title")
            yield Label("y / enter: yes   n / esc: no", classes="prompt-hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
