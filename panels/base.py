"""What every panel is: a widget that renders a snapshot and can be asked to
focus one item (for drill-downs and the command palette)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.message import Message
from textual.widget import Widget

from cockpit.service_index import Index
from cockpit.model import Snapshot
from cockpit.untrusted import clean


def literal(value: object, style: str = "", *, single_line: bool = True) -> Text:
    """Untrusted text as a Rich Text: escapes stripped, never parsed as markup."""
    return Text(clean(value, single_line=single_line), style=style)


class Navigate(Message):
    """Ask the app to show ``panel`` and focus ``ref`` in it (a service name,
    incident id, runbook path, SLO key ...)."""

    def __init__(self, panel: str, ref: str = "") -> None:
        super().__init__()
        self.panel = panel
        self.ref = ref


class Panel(Widget):
    """Base class of the panels the app switches between."""

    panel_id: ClassVar[str] = ""  # also the id of the widget in the app
    title: ClassVar[str] = ""
    # What this panel shows (catalog, slos, incidents, runbooks, oncall): the
    # app warns above it when a source providing one of these is failing.
    feeds: ClassVar[frozenset[str]] = frozenset()

    DEFAULT_CSS = """
    Panel { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__(id=self.panel_id)
        self.snapshot: Snapshot | None = None
        self.index: Index | None = None

    def show_snapshot(self, snapshot: Snapshot, index: Index) -> None:
        """Render a new snapshot; keep the user's cursor and filter."""
        self.snapshot, self.index = snapshot, index
        self.refresh_view()

    def refresh_view(self) -> None:
        """Redraw from self.snapshot / self.index (override)."""

    def focus_item(self, ref: str) -> bool:
        """Select and show ``ref``; False when this panel has no such item."""
        return False

    def back(self) -> bool:
        """Handle esc inside the panel (close a detail view); False when there
        is nothing to go back from, so the app goes back instead."""
        return False

    @property
    def now(self) -> datetime:
        return self.app.clock()  # type: ignore[attr-defined]
