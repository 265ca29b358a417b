"""The app's panels, mounted lazily: start-up is import and CSS bound, so
only the first panel is composed; the others are imported and mounted one
after another once every source has answered (or a while after start), or
at once when a key shows one before that (``mounted`` is awaited first)."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import inspect
from typing import Iterable, Iterator

from textual.app import App
from textual.widgets import ContentSwitcher
from textual.worker import Worker, WorkerCancelled, WorkerState

from cockpit.ui.widgets.panel import Panel, PanelContext


def present_panels(panel_ids: Iterable[str]) -> tuple[str, ...]:
    """The panels this install has (panels/<id>.py or panels/<id>/), found
    without importing them: a panel's module is imported when it is mounted."""
    return tuple(panel for panel in panel_ids if importlib.util.find_spec(f"cockpit.panels.{panel}") is not None)


def panel_class(panel_id: str) -> type[Panel]:
    """The Panel subclass in panels/<panel_id>(.py or /)."""
    module = importlib.import_module(f"cockpit.panels.{panel_id}")
    for _, cls in inspect.getmembers(module, inspect.isclass):
        if issubclass(cls, Panel) and cls.panel_id == panel_id:
            return cls
    raise LookupError(f"cockpit.panels.{panel_id} has no Panel with panel_id {panel_id!r}")


class LazyPanels:
    """The ContentSwitcher holding the panels, and their mounts."""

    def __init__(self, app: App, panel_ids: tuple[str, ...], context: PanelContext) -> None:
        self.app, self.ids, self.context = app, panel_ids, context
        first = next(iter(panel_ids), None)
        # Kept by the app: a mount or a refresh can come while another screen (the tour, help) is on top.
        self.switcher = ContentSwitcher(initial=first, id="panels")
        self._mounts: dict[str, Worker[None] | None] = {}  # None: the composed one
        self._mounting_the_rest = False

    def compose_first(self) -> Iterator[Panel]:
        """The first panel, composed with the app (inside the switcher)."""
        if self.ids:
            self._mounts[self.ids[0]] = None
            yield panel_class(self.ids[0])(self.context)

    def mount_the_rest(self) -> None:
        """Start mounting the panels not shown yet (once)."""
        if not self._mounting_the_rest:
            self._mounting_the_rest = True
            self.app.run_worker(self._mount_the_rest(), group="panel-mounts")

    async def _mount_the_rest(self) -> None:
        """One after another once the screen shows the current snapshot: keys
        are answered between them, and switching to one later costs only its
        render (a panel gets the newest snapshot after the next refresh is
        drawn, or when shown)."""
        shown = asyncio.Event()
        self.app.call_after_refresh(shown.set)
        await shown.wait()
        for panel_id in self.ids:
            if not await self.mounted(panel_id):
                return

    async def mounted(self, panel_id: str) -> bool:
        """Mount the panel unless it is already; False when the app closed
        first (its workers are cancelled)."""
        if panel_id not in self._mounts:
            self._mounts[panel_id] = self.app.run_worker(self._mount(panel_id), group="panel-mounts")
        mount = self._mounts[panel_id]
        if mount is not None:
            try:
                await mount.wait()
            except WorkerCancelled:
                return False
        return True

    def ready(self) -> list[Panel]:
        """The panels whose mount has finished (their widgets are all there:
        a panel still mounting would take a snapshot its table cannot show)."""
        return [self.switcher.get_child_by_id(panel_id, Panel) for panel_id, mount in self._mounts.items()
                if mount is None or mount.state == WorkerState.SUCCESS]

    async def _mount(self, panel_id: str) -> None:
        await self.switcher.add_content(panel_class(panel_id)(self.context))
