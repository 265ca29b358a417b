"""The two lines above the panels: which panel is shown (with its key), and
the health of every source, the demo and read-only badges, and the clock."""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from rich.text import Text
from textual.widgets import Static

from cockpit.model import Snapshot
from panels.base import literal
from panels.badges import age, demo_badge

HEALTH_DOTS = {"ok": "green", "stale": "yellow", "error": "red"}


class PanelTabs(Static):
    """`o Overview  s Services ...`, the current panel highlighted."""

    DEFAULT_CSS = """
    PanelTabs { height: 1; background: $panel; color: $text; }
    """

    def __init__(self, tabs: Sequence[tuple[str, str, str]]) -> None:
        """``tabs``: (panel id, key shown, title) in order."""
        super().__init__(id="panel-tabs")
        self.tabs = tuple(tabs)
        self.current = ""

    def show_current(self, panel_id: str) -> None:
        self.current = panel_id
        text = Text(no_wrap=True, overflow="ellipsis")
        for n, (panel, key, title) in enumerate(self.tabs):
            active = panel == panel_id
            text.append(" " if n else "")
            text.append(key, style="bold reverse" if active else "bold cyan")
            text.append(f" {title}", style="bold reverse" if active else "")
        self.update(text)


class SourceBar(Static):
    """`● catalog ● runbooks ● demo DEMO  READ-ONLY   03:00Z`."""

    DEFAULT_CSS = """
    SourceBar { height: 1; background: $boost; }
    """

    def __init__(self) -> None:
        super().__init__(id="source-bar")

    def show(self, snapshot: Snapshot | None, now: datetime, read_only: bool) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        if snapshot is None or not snapshot.sources:
            text.append(" no sources yet", style="dim")
        else:
            for health in snapshot.sources:
                state = "ok" if health.ok else "stale" if health.stale else "error"
                text.append(" ● ", style=HEALTH_DOTS[state])
                text.append_text(literal(health.name, "" if health.ok else f"bold {HEALTH_DOTS[state]}"))
                if not health.ok:
                    text.append(f" {state}", style=HEALTH_DOTS[state])
                    if health.fetched_at is not None:
                        text.append(f" {age(health.fetched_at, now)}", style="dim")
            if any(h.demo for h in snapshot.sources):
                text.append(" ")
                text.append_text(demo_badge())
        if read_only:
            text.append(" ")
            text.append(" READ-ONLY ", style="bold white on blue")
        clock = now.strftime(" %H:%MZ ")
        pad = self.size.width - text.cell_len - len(clock)
        if pad > 0:
            text.append(" " * pad)
            text.append(clock, style="dim")
        self.update(text)


class DegradedNotice(Static):
    """One line above a panel whose data comes from a failing source: which
    source, its error, and how old the data shown is. Hidden when all is well."""

    DEFAULT_CSS = """
    DegradedNotice { height: auto; max-height: 3; background: $warning 20%; display: none; }
    DegradedNotice.-degraded { display: block; }
    """

    def __init__(self) -> None:
        super().__init__(id="degraded-notice")

    def show(self, snapshot: Snapshot | None, feeds: frozenset[str], now: datetime) -> None:
        failing = [h for h in (snapshot.sources if snapshot else ()) if not h.ok and feeds.intersection(h.provides)]
        text = Text()
        for health in failing:
            text.append("\n" if text else "").append(" ⚠ ", style="bold yellow")
            text.append_text(literal(health.name, "bold"))
            shown = f"showing data from {age(health.fetched_at, now)} ago" if health.stale and health.fetched_at \
                else "no data from it yet"
            text.append(f" is failing, {shown}: ", style="yellow").append_text(literal(health.error))
        self.set_class(bool(failing), "-degraded")
        self.update(text)


class KeyHints(Static):
    """The bottom line: the keys shown for where the focus is (`/ Filter  ? Help`).

    One Text instead of Textual's Footer, which rebuilds a widget per key on
    every focus change and made switching panels visibly slow."""

    DEFAULT_CSS = """
    KeyHints { dock: bottom; height: 1; background: $panel; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        seen: set[str] = set()
        for _, binding, enabled, _ in screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            text.append(f" {self.app.get_key_display(binding)}", style="bold cyan" if enabled else "dim")
            text.append(f" {binding.description} ", style="" if enabled else "dim")
        self.update(text)
