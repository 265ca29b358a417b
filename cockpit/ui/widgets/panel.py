"""What every panel is: a widget that renders a snapshot and can be asked
to focus one item (for drill-downs and the command palette), given by the
app everything else it may use (``PanelContext``). A panel never holds the
hub, the config or another panel: it asks the app with messages
(cockpit.ui.widgets.messages)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, ClassVar

from textual.binding import Binding
from textual.reactive import var
from textual.widget import Widget

from cockpit.capabilities import Capabilities
from cockpit.doc_settings import DocSettings
from cockpit.oncall_health import OncallSettings
from cockpit.postmortems.writer import DraftWriter
from cockpit.service_index import Index
from cockpit.model import Snapshot
from cockpit.ui.widgets.filter_table import FilterTable
from cockpit.ui.widgets.messages import Origin

BACK_LIMIT = 50  # detail views stacked in one panel (service cards walked through)


@dataclass(frozen=True)
class PanelContext:
    """What the app gives every panel besides the snapshots."""

    clock: Callable[[], datetime]
    capabilities: Capabilities
    user: str  # the configured user (whose onboarding progress is shown)
    data_dir: Path  # where per-user state (onboarding progress) is kept
    drafts_folder: Path  # the postmortem drafts
    drafts: DraftWriter  # every draft write goes through it (audited, refused read-only)
    docs: DocSettings = DocSettings()  # documentation freshness settings (the config's `docs:`)
    oncall: OncallSettings = OncallSettings()  # shifts and working hours (the config's oncall:)


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
    # "/" in a detail view (the table's own "/" is not there): back to the
    # list with its filter open, so the word typed next filters instead of
    # firing a key per letter ("exhausted" jumping to Services on "s").
    BINDINGS = [Binding("slash", "filter_list", "Filter", id="panel.filter", show=False)]

    def __init__(self, context: PanelContext) -> None:
        super().__init__(id=self.panel_id)
        self.context = context
        self.snapshot: Snapshot | None = None
        self.index: Index | None = None
        self.derived: Any = None  # what derive() gave for self.snapshot

    @property
    def capabilities(self) -> Capabilities:
        return self.context.capabilities

    @property
    def now(self) -> datetime:
        return self.context.clock()

    def show_snapshot(self, snapshot: Snapshot, index: Index, derived: Any = None) -> None:
        """Render a new snapshot; keep the user's cursor and filter.
        ``derived``: what derive() gave for it, when that ran elsewhere."""
        self.snapshot, self.index = snapshot, index
        self.derived = self.derive(snapshot, index, self.now) if derived is None else derived
        self.refresh_view()

    def derive(self, snapshot: Snapshot, index: Index, now: datetime) -> Any:
        """What refresh_view draws that takes time to work out (a table's
        lines, counts), from the data alone: it touches no widget and no
        state of the panel's, so the app runs it in a worker thread for a
        hidden panel while the keys on screen keep the event loop (at fleet
        scale each took 20-100 ms). None: refresh_view works out all."""
        return None

    def refresh_view(self) -> None:
        """Redraw from self.snapshot / self.index (override)."""

    def focus_item(self, ref: str, origin: Origin | None = None) -> bool:
        """Select and show ``ref`` (the user came from ``origin``); False
        when this panel has no such item."""
        return False

    def filter_by(self, text: str) -> None:
        """Show the panel's main (first) table filtered by ``text``, focused."""
        tables = self.query(FilterTable)
        if tables:
            tables.first().set_filter(text)
            self.call_after_refresh(tables.first().focus)

    def action_filter_list(self) -> None:
        tables = self.query(FilterTable)
        if not tables:
            return
        for _ in range(BACK_LIMIT):  # close every detail view opened from the list
            if not self.back():
                break
        # After the focus back() gave the table (Widget.focus is deferred the same way).
        self.app.call_later(tables.first().action_open_filter)

    def back(self) -> bool:
        """Handle esc inside the panel (close a detail view); False when there
        is nothing to go back from, so the app goes back instead."""
        return False

    def unavailable(self, action: str) -> str:
        """Why ``action``'s key does nothing for the highlighted item, in one
        line ("" when it applies). The footer leaves such keys out, and the
        app says this line when one is pressed instead of doing nothing."""
        return ""


class ListDetailPanel(Panel):
    """A panel showing its list or something opened from it (a detail view,
    a search, an editor). ``mode`` says which; the mode's CSS class
    (``-detail``, ``-view`` ...) is on the panel, so its CSS shows the parts
    of that mode and hides the others, and the keys offered follow it."""

    mode: var[str] = var("list")

    def watch_mode(self, old: str, new: str) -> None:
        self.remove_class(f"-{old}")
        self.add_class(f"-{new}")
        self.refresh_bindings()
