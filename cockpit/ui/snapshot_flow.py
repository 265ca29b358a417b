"""How the hub's snapshots reach the panels, mixed into CockpitApp: the
panel on screen gets each one at once, the hidden ones after the screen is
drawn, one at a time, and a panel shown before its turn when it is shown.
The app holds the snapshot, its index, the panels and the source bar."""

from __future__ import annotations

import logging

from textual.message import Message

from cockpit import collector
from cockpit.model import Snapshot
from cockpit.service_index import Index
from cockpit.ui.bars import SourceBar
from cockpit.ui.widgets.panel import Panel

log = logging.getLogger(__name__)


class SnapshotReady(Message):
    """A new snapshot from the hub (posted from the hub's callback)."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class SnapshotFlow:
    """The snapshot handlers of CockpitApp."""

    def _published(self, snapshot: Snapshot) -> None:
        self._newest = snapshot
        self.post_message(SnapshotReady(snapshot))

    def on_snapshot_ready(self, message: SnapshotReady) -> None:
        # Sources that answer together publish one snapshot each: only the
        # newest is worth rendering (the others would be drawn and replaced
        # within a frame). A refresh that lands while the app closes (q during
        # a fetch) reaches it after its screens and panels are gone.
        if self.is_running and message.snapshot is self._newest:
            self._apply(message.snapshot)

    def _apply(self, snapshot: Snapshot) -> None:
        """Give the panel on screen the new snapshot now, the hidden ones
        after the screen is drawn, one at a time (_catch_up_hidden). A panel
        that fails to render says so and keeps its old view, the others
        carry on."""
        with collector.paused():
            self.snapshot, self.index = snapshot, Index.build(snapshot)
            self.query_one(SourceBar).show(snapshot, self.clock(), self.read_only)
            self._show_degraded()
            current = self.current_panel
            self._show_in([current] if current is not None else [], snapshot)
        if not any(source.state == "loading" for source in snapshot.sources):
            self.panels.mount_the_rest()
        if not self._catching_up:
            self._catching_up = self.call_after_refresh(self._catch_up_hidden)

    def _catch_up_hidden(self) -> None:
        """Bring one hidden panel up to the newest snapshot, then the next
        after the screen is drawn again. At fleet scale all of them in one
        go took ~500 ms of the event loop on each refresh while keys waited;
        left until the panel was shown, the switch to it waited for its
        rows (~80 ms at p95). One at a time, a key waits for one panel's
        rows at most (~25 ms for 6,000 SLOs), and a switch finds the panel
        current."""
        shown = self.current_panel
        behind = next((panel for panel in self.panels.ready()
                       if panel.snapshot is not self.snapshot and panel is not shown), None)
        self._catching_up = behind is not None and self.is_running
        if self._catching_up:
            self._catch_up(behind)
            self.call_after_refresh(self._catch_up_hidden)

    def _catch_up(self, panel: Panel) -> None:
        """Give a panel the snapshot it missed while hidden (one about to be
        shown that _catch_up_hidden has not reached yet)."""
        if self.snapshot is not None and panel.snapshot is not self.snapshot:
            with collector.paused():
                self._show_in([panel], self.snapshot)

    def _show_in(self, panels: list[Panel], snapshot: Snapshot) -> None:
        for panel in panels:
            try:
                panel.show_snapshot(snapshot, self.index)
            except Exception as error:
                log.exception("panel %s failed to render", panel.panel_id)
                if panel.panel_id not in self.broken_panels:  # say it once, not on every refresh
                    self.broken_panels.add(panel.panel_id)
                    self.notify(f"{panel.title or panel.panel_id}: cannot render ({error.__class__.__name__})",
                                severity="error", markup=False, timeout=10)
            else:
                self.broken_panels.discard(panel.panel_id)
