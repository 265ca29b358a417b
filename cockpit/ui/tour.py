"""The first-run tour: one line per panel, its key and the question it
answers. The app closes it on any key (cockpit.ui.app, on_event)."""

from __future__ import annotations

from typing import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from cockpit.ui.widgets.text import line, literal


class TourScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    TourScreen { align: center middle; }
    TourScreen > Vertical {
        width: 78; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    TourScreen #tour-title { text-style: bold; }
    TourScreen Label { color: $text-muted; }
    """
    CLOSE_KEYS = frozenset({"escape", "enter", "space"})  # they only close it; the app closes it on any key

    def __init__(self, panels: Iterable[tuple[str, str, str]]) -> None:
        """``panels``: (key, title, question) in tab order."""
        super().__init__()
        self.panels = list(panels)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Welcome to cockpit: what each panel answers", id="tour-title")
            yield Static(Text("\n").join(
                line(Text(f"{key:>2} ", "bold"), literal(title, "cyan"), " " * max(1, 13 - len(title)), literal(question))
                for key, title, question in self.panels), id="tour-panels")
            yield Label("Any key closes this for good (a panel's key goes there); ? lists every key.")
