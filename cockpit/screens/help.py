"""`?`: every binding active where the user was, with what it does."""

from __future__ import annotations

from typing import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label


def binding_rows(app, screen) -> list[tuple[str, str, str]]:
    """(keys, description, where) for every binding that applies on ``screen``:
    the focused widget's, its containers' and the app's, including keys one
    widget shadows for another (esc clears a filter before it goes back).
    Keys bound to the same action on the same widget are shown together."""
    rows: dict[tuple[int, str], list] = {}
    # The chain Textual itself resolves keys through, keymap applied.
    for node, bindings in screen._modal_binding_chain:
        for key, binding in bindings:
            if app._check_action_state(binding.action, node) is False:
                continue  # disabled here (e.g. a panel that is not installed)
            where = "global" if node is app else _group_of(node)
            description = binding.description or binding.tooltip or binding.action
            slot = rows.setdefault((id(node), binding.action), [[], description, where])
            slot[0].append(app.get_key_display(binding.with_key(key)))
    return [(", ".join(keys), description, where) for keys, description, where in rows.values()]


def _group_of(node) -> str:
    """What the help calls a widget: its ``help_group``, a panel's title, or its class."""
    return getattr(node, "help_group", "") or getattr(node, "title", "") or type(node).__name__


class HelpScreen(ModalScreen[None]):
    """A table of bindings; esc, ? or q closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 76; max-width: 100%; height: 90%;
        border: thick $accent; background: $surface;
    }
    HelpScreen Label { padding: 0 1; color: $text-muted; }
    HelpScreen DataTable { height: 1fr; }
    """
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close help", id="help.close")]

    def __init__(self, rows: Iterable[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = list(rows)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Keys here (global, then the focused panel's). esc closes.")
            table = DataTable(cursor_type="row", zebra_stripes=True)
            table.add_columns("Key", "Does", "Where")
            for keys, description, where in sorted(self.rows, key=lambda r: (r[2] != "global", r[2], r[0])):
                table.add_row(Text(keys, style="bold"), Text(description), Text(where, style="dim"))
            yield table
