"""The Textual app: header bars, one panel at a time, global keys, help,
command palette; the wiring from hub snapshots to panels (snapshot_flow.py)
and what panels ask for (panel_requests.py, cockpit.ui.widgets.messages) are
mixed in. The app is the only holder of the hub, the config and the clock,
so every write from a key goes through here.

``make_app`` is the one factory the CLI, the tests and the screenshots use
(Posting's pattern), so they all run the same app.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Callable

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.filter import Monochrome
from textual.widgets import Input

from cockpit import collector, tour
from cockpit.clock import system_clock
from cockpit.config import BUNDLED_CONFIG, Config, load_config
from cockpit.postmortems.writer import DraftWriter
from cockpit.hub import Hub
from cockpit.malloc_arenas import use_one_malloc_arena
from cockpit.service_index import Index
from cockpit.model import Snapshot
from cockpit.ui.bars import DegradedNotice, KeyHints, PanelTabs, SourceBar
from cockpit.ui import theme_memory
from cockpit.ui.key_order import KeyOrder
from cockpit.ui.tour import TourScreen
from cockpit.ui.monochrome import MONOCHROME, MONOCHROME_THEME, ReadableMonochrome
from cockpit.ui.lazy_panels import LazyPanels, present_panels
from cockpit.ui.panel_requests import PanelRequests
from cockpit.ui.snapshot_flow import SnapshotFlow
from cockpit.ui.widgets.messages import Navigate, NavigateFiltered
from cockpit.ui.widgets.panel import Panel, PanelContext
from cockpit.untrusted import clean

# (panel id, default keys, title): order of the tabs and of the 1-8 keys.
PANELS: tuple[tuple[str, str, str], ...] = (
    ("overview", "o,1", "Overview"),
    ("services", "s,2", "Services"),
    ("slos", "b,3", "SLOs"),
    ("incidents", "i,4", "Incidents"),
    ("runbooks", "r,5", "Runbooks"),
    ("postmortems", "p,6", "Postmortems"),
    ("onboarding", "w,7", "Onboarding"),
    ("adrs", "A,8", "ADRs"),
    ("docs", "D,9", "Docs"),  # every lower-case letter is some panel's key already
    ("oncall", "O,0", "On call"),
)
HISTORY_LIMIT = 50


def _jump_provider():
    from cockpit.ui.palette import JumpProvider  # imported when the palette first opens, not at start-up

    return JumpProvider


def _drills_provider():
    from cockpit.ui.drill_palette import DrillsProvider

    return DrillsProvider


def _shown_within(widget, panel) -> bool:
    """``widget`` and its containers up to ``panel`` are displayed."""
    node = widget
    while node is not panel:
        if not node.display:
            return False
        node = node.parent
    return True


class CockpitApp(SnapshotFlow, PanelRequests, App):
    TITLE = "cockpit"
    AUTO_FOCUS = None  # the shown panel's first widget is focused instead (_focus_panel)
    COMMANDS = App.COMMANDS | {_jump_provider, _drills_provider}
    CSS = """
    #panels { height: 1fr; }
    """
    # The panels not shown mount once every source has answered (until then
    # they would slow the first data), or this long after start if one has not
    # (cockpit/ui/lazy_panels.py).
    MOUNT_THE_REST_AFTER_S = 0.5
    BINDINGS = [
        *(Binding(keys, f"show_panel('{panel}')", title, id=f"cockpit.{panel}", show=False)
          for panel, keys, title in PANELS),
        Binding("question_mark", "help", "Help", id="cockpit.help"),
        Binding("escape", "back", "Back", id="cockpit.back"),
        Binding("ctrl+p", "command_palette", "Jump", id="cockpit.palette", priority=True),
        Binding("ctrl+r", "refresh_now", "Refresh", id="cockpit.refresh", show=False),
        Binding("q", "quit", "Quit", id="cockpit.quit"),
    ]

    def __init__(self, config: Config, hub: Hub, clock: Callable[[], datetime], read_only: bool,
                 tour: bool = False) -> None:
        super().__init__()
        self.config = config
        self.offer_tour = tour  # the first-run tour, unless this user dismissed it before
        self.hub = hub
        self.clock = clock
        self.read_only = read_only
        self.drafts = DraftWriter.from_config(config, clock, read_only=read_only)  # every draft write goes here
        self.panel_context = PanelContext(clock=clock, capabilities=hub.capabilities, user=config.user,
                                          data_dir=Path(config.data_dir), drafts_folder=Path(config.postmortems),
                                          drafts=self.drafts, docs=config.docs,
                                          oncall=config.oncall)
        self.snapshot: Snapshot | None = None
        self._newest: Snapshot | None = None  # the hub's last published
        self._catching_up = False  # hidden panels are being brought up to the newest snapshot
        self._catch_up_task: asyncio.Task | None = None  # bringing one of them up (SnapshotFlow)
        self.index: Index | None = None
        self.panel_ids = present_panels(panel for panel, _, _ in PANELS)
        self.panels = LazyPanels(self, self.panel_ids, self.panel_context)
        self.switcher = self.panels.switcher
        self.history: list[str] = []
        self.broken_panels: set[str] = set()  # panels whose last render raised
        self._unsubscribe: Callable[[], None] | None = None
        self.key_order = KeyOrder(self, super().on_event)
        self.offers_drills = False  # run_app's app: a drill chosen in the palette runs once it closes
        if config.keymap:
            self.set_keymap(dict(config.keymap))
        self._use_theme()

    def _use_theme(self) -> None:
        """The remembered or configured theme; NO_COLOR's filter made readable."""
        self.register_theme(MONOCHROME_THEME)
        self._filters = [f for f in self._filters if not isinstance(f, Monochrome)]
        self.theme_warning = ""
        theme = theme_memory.starting_theme(self.config.theme)
        if theme in self.available_themes:
            self.theme = theme
        elif theme:
            self.theme_warning = f"No theme {clean(theme, single_line=True)!r}: using the default."
        self._grey_if_needed()

    def _grey_if_needed(self) -> None:
        """NO_COLOR (unless the terminal's own ANSI colours are used: Textual then
        drops colours) and the monochrome theme grey every colour, the panels' own too."""
        wanted = self.theme == MONOCHROME or (self.no_color and not self.native_ansi_color)
        self._filters = [f for f in self._filters if not isinstance(f, ReadableMonochrome)]
        if wanted:
            self._filters.append(ReadableMonochrome())

    def watch_theme(self, theme: str) -> None:
        """A theme chosen in the palette is remembered for the next start."""
        self._grey_if_needed()
        if self.is_running:
            theme_memory.remember(theme, self.config.theme)
            self.refresh(repaint=True)

    # ------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        keymap = dict(self.config.keymap)
        yield PanelTabs([(panel, keymap.get(f"cockpit.{panel}", keys).split(",")[0], title)
                         for panel, keys, title in PANELS if panel in self.panel_ids])
        yield SourceBar()
        yield DegradedNotice()
        with self.switcher:
            yield from self.panels.compose_first()
        yield KeyHints()

    async def on_mount(self) -> None:
        self._show_tab()
        self._apply(self.hub.snapshot())
        self._unsubscribe = self.hub.subscribe(self._published)
        self.hub.start()
        self.set_timer(self.MOUNT_THE_REST_AFTER_S, self.panels.mount_the_rest)  # a source is slow to answer
        self.call_after_refresh(self._focus_panel)
        if self.theme_warning:
            self.notify(self.theme_warning, severity="warning", markup=False)
        if self.offer_tour and not tour.tour_seen(self.config.data_dir, self.config.user):
            self.call_after_refresh(self.show_tour)  # after the panel's focus, which goes to the screen on top

    def show_tour(self) -> None:
        keymap = dict(self.config.keymap)
        panels = [(keymap.get(f"cockpit.{panel}", keys).split(",")[0], title, tour.QUESTIONS.get(panel, ""))
                  for panel, keys, title in PANELS if panel in self.panel_ids]
        self.push_screen(TourScreen(panels), callback=self._tour_dismissed)

    def _tour_dismissed(self, _: None) -> None:
        try:
            tour.mark_seen(self.config.data_dir, self.config.user, self.clock())
        except OSError as error:
            self.notify(f"Tour not remembered: {error.strerror or error}", severity="warning", markup=False)

    async def on_unmount(self) -> None:
        collector.release()  # what _apply froze can be collected once this app is gone
        if self._unsubscribe is not None:
            self._unsubscribe()
        await self.hub.aclose()

    def on_resize(self) -> None:
        self.query_one(SourceBar).show(self.snapshot, self.clock(), self.read_only)

    # ---------------------------------------------------------- navigation

    @property
    def current_panel(self) -> Panel | None:
        current = self.switcher.current
        return self.switcher.get_child_by_id(current, Panel) if current else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_panel":
            return parameters[0] in self.panel_ids
        return True

    async def action_show_panel(self, panel_id: str) -> None:
        await self.show_panel(panel_id)

    async def show_panel(self, panel_id: str, *, remember: bool = True) -> Panel | None:
        switcher = self.switcher
        if panel_id not in self.panel_ids or not await self.panels.mounted(panel_id):
            return None
        if remember and switcher.current and switcher.current != panel_id:
            self.history = (self.history + [switcher.current])[-HISTORY_LIMIT:]
        self._catch_up(self.switcher.get_child_by_id(panel_id, Panel))
        switcher.current = panel_id
        self._show_tab()
        self._focus_panel()
        return self.current_panel

    def _show_tab(self) -> None:
        self.query_one(PanelTabs).show_current(self.switcher.current or "")
        self._show_degraded()

    def _show_degraded(self) -> None:
        panel = self.current_panel
        self.query_one(DegradedNotice).show(self.snapshot, panel.feeds if panel else frozenset(), self.clock())

    def _focus_panel(self) -> None:
        """Focus the first shown, focusable widget of the current panel, at
        once: keys typed right after a panel key must reach it."""
        panel = self.current_panel
        if panel is None or (self.focused is not None and panel in self.focused.ancestors):
            return
        for widget in panel.query("*"):
            if widget.focusable and _shown_within(widget, panel):
                self.screen.set_focus(widget)
                return

    async def action_back(self) -> None:
        """esc: close the panel's detail view, else return to the previous panel."""
        panel = self.current_panel
        if panel is not None and panel.back():
            self.call_after_refresh(self._focus_panel)
            return
        while self.history:
            previous = self.history.pop()
            if previous in self.panel_ids:
                await self.show_panel(previous, remember=False)
                return

    @on(Navigate)
    async def _navigate(self, message: Navigate) -> None:
        """Drill-downs from panels and jumps from the palette and overview."""
        message.stop()
        arriving = self.switcher.current != message.panel
        panel = await self.show_panel(message.panel)
        if panel is None:
            self.notify(f"No {clean(message.panel, single_line=True)} panel.", severity="warning", markup=False)
            return
        if arriving or isinstance(message, NavigateFiltered):
            for _ in range(HISTORY_LIMIT):  # leave old detail views: start from the panel's table
                if not panel.back():
                    break
        if isinstance(message, NavigateFiltered):
            panel.filter_by(message.filter_text)
        elif message.ref and not panel.focus_item(message.ref, message.origin):
            # The ref is data (a label, a catalog name): cleaned, and never markup.
            self.notify(f"{clean(message.ref, single_line=True)} is not in {panel.title or message.panel}.",
                        severity="warning", markup=False)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and isinstance(self.screen, TourScreen):
            # Any key closes the tour, and does what it does everywhere (q quits, 4 shows
            # Incidents) unless it is one that only closes it: a first start is never stuck.
            await self.screen.dismiss()
            if event.key in TourScreen.CLOSE_KEYS:
                return
        if isinstance(event, events.Key) and not event.is_forwarded:
            await self.key_order.take(event)  # one at a time, each where the last one left the focus
        else:
            await super().on_event(event)

    def on_key(self, event: events.Key) -> None:
        # Keys typed quickly after "/" (or after a panel key) were queued for
        # the widget that had focus then; unhandled, they bubble up to here.
        # An input box that has focus now is where they were meant to go (no
        # letter binding ran: a focused input disables those).
        if event.is_printable and event.character and isinstance(self.focused, Input):
            self.focused.insert_text_at_cursor(event.character)

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:
        """A panel key that does not apply to the highlighted item, or that no
        source can take (read-only, no Alertmanager to silence), says why in
        one line instead of doing nothing (Panel.unavailable)."""
        target, name, _ = self._parse_action(action, self if default_namespace is None else default_namespace,
                                             namespaces)
        if isinstance(target, Panel):
            why = target.unavailable(name)
            if why:
                self.notify(why, severity="warning", timeout=4, markup=False)
                return True
        return await super().run_action(action, default_namespace, namespaces)

    def action_help(self) -> None:
        from cockpit.ui.help import HelpScreen, binding_rows  # on the first ?, not at start-up

        self.push_screen(HelpScreen(binding_rows(self, self.screen, self.config.keymap)))

    @work(exclusive=True, group="refresh-now")
    async def action_refresh_now(self) -> None:
        """Fetch every source now instead of waiting for its interval, open
        circuit breakers included (a refresh already running is joined,
        never doubled: the hub's rule)."""
        self.notify("Refreshing every source…", timeout=2)
        await self.hub.refresh_now()


def make_app(config: Config | None = None, *, hub: Hub | None = None, clock: Callable[[], datetime] | None = None,
             read_only: bool | None = None, tour: bool = False) -> CockpitApp:
    """The cockpit app over ``config`` (default: the bundled demo config).
    Pass ``hub`` to drive it from tests; ``read_only`` overrides the config;
    ``tour`` offers the first-run tour (the CLI's interactive start does)."""
    clock = clock or system_clock
    use_one_malloc_arena()  # before the sources' worker threads start
    if config is None:
        config = load_config(BUNDLED_CONFIG) if hub is None else Config(path=BUNDLED_CONFIG)
    if read_only is None:
        read_only = config.read_only
    if hub is None:
        hub = Hub.from_config(config, clock, read_only=read_only)
    return CockpitApp(config, hub, clock, read_only or hub.read_only, tour)


def run_app(config_path: str | None, read_only: bool = False) -> int:
    """`cockpit`: load the config and run the app; 2 on a config error."""
    from cockpit.commands import EXIT_CONFIG, load_config_or_report

    config = load_config_or_report(config_path, read_only=read_only)
    if config is None:
        return EXIT_CONFIG
    app = make_app(config, read_only=read_only or None, tour=True)
    app.offers_drills = True
    chosen = app.run()
    from cockpit.ui.drill_palette import StartDrill

    if isinstance(chosen, StartDrill):
        from cockpit.commands.drill import run_drill

        return run_drill(str(config.path), chosen.name)
    return 0
