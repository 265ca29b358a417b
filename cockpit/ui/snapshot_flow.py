"""How the hub's snapshots reach the panels, mixed into CockpitApp: the
panel on screen gets each one at once, the hidden ones after the screen is
drawn, one at a time, what they derive from it worked out in a worker
thread, and a panel shown before its turn when it is shown. The app holds
the snapshot, its index, the panels and the source bar."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

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
            self._catching_up = True
            self.call_after_refresh(self._catch_up_hidden)

    def _catch_up_hidden(self) -> None:
        """Bring one hidden panel up to the newest snapshot, then the next
        after the screen is drawn again. At fleet scale all of them in one
        go took ~500 ms of the event loop on each refresh while keys waited;
        left until the panel was shown, the switch to it waited for its
        rows (~80 ms at p95). One at a time, with what each derives from
        the snapshot worked out in a worker thread (Panel.derive), a key
        waits for one panel's widgets at most, and a switch finds the panel
        current."""
        shown = self.current_panel
        behind = next((panel for panel in self.panels.ready()
                       if panel.snapshot is not self.snapshot and panel is not shown), None)
        self._catching_up = behind is not None and self.is_running
        if self._catching_up:  # (the task is held: the loop keeps only a weak reference)
            self._catch_up_task = asyncio.create_task(self._catch_up_off_loop(behind, self.snapshot, self.index))

    async def _catch_up_off_loop(self, panel: Panel, snapshot: Snapshot, index: Index) -> None:
        try:
            derived = await asyncio.to_thread(self._derive, panel, snapshot, index)
        except Exception:
            derived = None  # derived again below, where a failure is reported as for any panel
        # Unless the panel was shown meanwhile (and caught up then), or a
        # newer snapshot came: the next round brings it up to that.
        if self.is_running and panel.snapshot is not snapshot and snapshot is self.snapshot:
            with collector.paused():
                self._show_in([panel], snapshot, derived)
        if self.is_running:
            self.call_after_refresh(self._catch_up_hidden)
        else:
            self._catching_up = False

    def _derive(self, panel: Panel, snapshot: Snapshot, index: Index) -> Any:
        """Panel.derive, in a worker thread."""
        with collector.paused():
            return panel.derive(snapshot, index, self.clock())

    def _catch_up(self, panel: Panel) -> None:
        """Give a panel the snapshot it missed while hidden (one about to be
        shown that _catch_up_hidden has not reached yet)."""
        if self.snapshot is not None and panel.snapshot is not self.snapshot:
            with collector.paused():
                self._show_in([panel], self.snapshot)

    def _show_in(self, panels: list[Panel], snapshot: Snapshot, derived: Any = None) -> None:
        for panel in panels:
            try:
                panel.show_snapshot(snapshot, self.index, derived)
            except Exception as error:
                log.exception("panel %s failed to render", panel.panel_id)
                if panel.panel_id not in self.broken_panels:  # say it once, not on every refresh
                    self.broken_panels.add(panel.panel_id)
                    self.notify(f"{panel.title or panel.panel_id}: cannot render ({error.__class__.__name__})",
                                severity="error", markup=False, timeout=10)
            else:
                self.broken_panels.discard(panel.panel_id)
