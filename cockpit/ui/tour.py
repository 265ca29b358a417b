"""The first-run tour: one line per panel, its key and the question it
answers; any of esc, enter or space dismisses it for good."""

from __future__ import annotations

from typing import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from cockpit.ui.widgets.text import line, literal


class TourText(Static, can_focus=True):
    """The tour's lines; focused so the screen's keys work at once."""


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
    BINDINGS = [Binding("escape,enter,space", "dismiss", "Close the tour", id="tour.close")]
    AUTO_FOCUS = "#tour-panels"  # keys must reach this screen, not the panel under it (the app turns auto-focus off)

    def __init__(self, panels: Iterable[tuple[str, str, str]]) -> None:
        """``panels``: (key, title, question) in tab order."""
        super().__init__()
        self.panels = list(panels)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Welcome to cockpit: what each panel answers", id="tour-title")
            yield TourText(Text("\n").join(
                line(Text(f"{key:>2} ", "bold"), literal(title, "cyan"), " " * max(1, 13 - len(title)), literal(question))
                for key, title, question in self.panels), id="tour-panels")
            yield Label("A panel's key goes there, ? lists every key; esc closes this for good.")
