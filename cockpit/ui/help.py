"""`?`: every binding active where the user was, with what it does."""

from __future__ import annotations

from typing import Iterable, Iterator, Mapping

from rich.text import Text
from textual.actions import parse
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label


def binding_rows(app: App, screen: Screen, keymap: Mapping[str, str]) -> list[tuple[str, str, str, str]]:
    """(keys, description, where, binding id: what ``keymap:`` rebinds) for every binding that applies on ``screen``:
    the focused widget's, its containers' and the app's (up to a modal
    screen, as Textual resolves keys), with ``keymap`` (binding id -> keys)
    applied, including keys one widget shadows for another (esc clears a
    filter before it goes back). Keys bound to the same action on the same
    widget are shown together."""
    focused = screen.focused
    chain: list[DOMNode] = list(focused.ancestors_with_self) if focused is not None else [screen, app]
    rows: dict[tuple[int, str], list] = {}
    for node in chain:
        for key, binding in _declared_bindings(node, keymap):
            if not _offered(app, node, binding.action):
                continue  # disabled here (e.g. a panel that is not installed)
            where = "global" if node is app else _group_of(node)
            description = binding.description or binding.tooltip or binding.action
            slot = rows.setdefault((id(node), binding.action), [[], description, where, binding.id or ""])
            slot[0].append(app.get_key_display(binding.with_key(key)))
        if isinstance(node, Screen) and node.is_modal:
            break  # a modal screen's keys are the only ones that apply
    return [(", ".join(keys), description, where, binding_id) for keys, description, where, binding_id in rows.values()]


def _declared_bindings(node: DOMNode, keymap: Mapping[str, str]) -> Iterator[tuple[str, Binding]]:
    """(key, binding) for what ``node``'s class and its bases declare, merged
    as Textual merges them (bases first, a subclass's binding taking over a
    key), each binding's keys as the keymap sets them. (Textual's
    ``inherit_bindings=False`` is not followed: only Static uses it, over
    bases that declare no bindings.)"""
    by_key: dict[str, Binding] = {}
    for cls in reversed(type(node).__mro__):
        if not issubclass(cls, DOMNode):
            continue
        remapped: set[str] = set()
        for binding in Binding.make_bindings(cls.__dict__.get("BINDINGS", ())):
            if binding.id and binding.id in keymap:
                if binding.id in remapped:
                    continue  # "a,b" expands to one binding per key: the keymap's keys once
                remapped.add(binding.id)
                keys = [key.strip() for key in keymap[binding.id].split(",")]
            else:
                keys = [binding.key]
            for key in keys:
                by_key[key] = binding
    yield from by_key.items()


def _offered(app: App, node: DOMNode, action: str) -> bool:
    """False when the node (or the app, for "app." actions) disables ``action``."""
    destination, name, parameters = parse(action)
    target = app if destination == "app" else node
    return target.check_action(name, parameters) is not False


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
    AUTO_FOCUS = "DataTable"  # arrows and pgdn scroll it at once (the app turns auto-focus off)

    def __init__(self, rows: Iterable[tuple[str, str, str, str]]) -> None:
        super().__init__()
        self.rows = list(rows)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Keys here (global, then the focused panel's); keymap: rebinds an id. esc closes.")
            table = DataTable(cursor_type="row", zebra_stripes=True)
            table.add_columns("Key", "Does", "Where", "Id")
            for keys, description, where, binding_id in sorted(self.rows, key=lambda r: (r[2] != "global", r[2], r[0])):
                table.add_row(Text(keys, style="bold"), Text(description), Text(where, style="dim"),
                              Text(binding_id, style="dim"))
            yield table
