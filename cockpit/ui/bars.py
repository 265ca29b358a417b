"""The two lines above the panels: which panel is shown (with its key), and
the health of every source, the demo and read-only badges, and the clock."""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from rich.text import Text
from textual.actions import parse
from textual.widgets import Static

from cockpit.model import Snapshot, SourceHealth
from cockpit.ui.widgets.panel import Panel
from cockpit.ui.widgets.text import literal, update_if_changed
from cockpit.ui.widgets.badges import HEALTH_STYLES, age, demo_badge, health_word

# Lines of the notice above a panel; more are summed up in its last line.
NOTICE_LINES = 5


class PanelTabs(Static):
    """`o Overview  s Services ...`, the current panel highlighted. When the
    titles do not all fit the width (ten panels at 80 columns), the other
    panels' titles are cut to their first letters, then left out, so every
    panel's key stays on screen and the current one keeps its whole title."""

    DEFAULT_CSS = """
    PanelTabs { height: 1; background: $panel; color: $text; }
    """

    def __init__(self, tabs: Sequence[tuple[str, str, str]]) -> None:
        """``tabs``: (panel id, key shown, title) in order."""
        super().__init__(id="panel-tabs")
        self.tabs = tuple(tabs)
        self.current = ""

    def show_current(self, panel_id: str) -> None:
        """Highlight ``panel_id``'s tab; when the titles do not all fit, the
        tabs from the right show only their key (the current one keeps its title)."""
        self.current = panel_id
        room = self.size.width or 80
        for title_room in (None, 4, 0):
            text = self._tabs_text(panel_id, title_room)
            if text.cell_len <= room:
                break
        update_if_changed(self, text)

    def on_resize(self) -> None:
        self.show_current(self.current)

    def _tabs_text(self, panel_id: str, title_room: int | None) -> Text:
        """The tabs, other panels' titles cut to ``title_room`` cells (None: whole)."""
        text = Text(no_wrap=True, overflow="ellipsis")
        for n, (panel, key, title) in enumerate(self.tabs):
            active = panel == panel_id
            shown = title if active or title_room is None else title[:title_room]
            text.append(" " if n else "")
            text.append(key, style="bold reverse" if active else "bold cyan")
            if shown:
                text.append(f" {shown}", style="bold reverse" if active else "")
        return text


class SourceBar(Static):
    """`● catalog ● runbooks ● demo DEMO  READ-ONLY   03:00Z`."""

    DEFAULT_CSS = """
    SourceBar { height: 1; background: $boost; }
    """

    def __init__(self) -> None:
        super().__init__(id="source-bar")

    def show(self, snapshot: Snapshot | None, now: datetime, read_only: bool) -> None:
        clock = now.strftime(" %H:%MZ ")
        text = self._sources_text(snapshot, now, name_ok=True)
        if snapshot is not None and text.cell_len + len(clock) + 12 > self.size.width > 0:
            # Seven sources do not fit 80 columns: the healthy ones become a
            # count, so the ones in trouble, the badges and the clock stay.
            text = self._sources_text(snapshot, now, name_ok=False)
        if read_only:
            text.append(" ")
            text.append(" READ-ONLY ", style="bold white on blue")
        pad = self.size.width - text.cell_len - len(clock)
        if pad > 0:
            text.append(" " * pad)
            text.append(clock, style="dim")
        update_if_changed(self, text)

    @staticmethod
    def _sources_text(snapshot: Snapshot | None, now: datetime, *, name_ok: bool) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if snapshot is None or not snapshot.sources:
            return text.append(" no sources yet", style="dim")
        healthy = [h for h in snapshot.sources if h.ok]
        if not name_ok and healthy:
            text.append(" ● ", style=HEALTH_STYLES["ok"].removeprefix("bold "))
            text.append(f"{len(healthy)} ok")
        for health in snapshot.sources:
            if health.ok and not name_ok:
                continue
            word = health_word(health)
            colour = HEALTH_STYLES[word].removeprefix("bold ")
            text.append(" ● ", style=colour)
            text.append_text(literal(health.name, "" if health.ok else f"bold {colour}"))
            if not health.ok:
                text.append(f" {word}", style=colour)
                if health.fetched_at is not None:
                    text.append(f" {age(health.fetched_at, now)}", style="dim")
        if any(h.demo for h in snapshot.sources):
            text.append(" ")
            text.append_text(demo_badge())
        return text


class DegradedNotice(Static):
    """Lines above a panel fed by a source that is not ok: which source, what
    is wrong (its error, or each thing its last fetch left out: a refused
    file, a failing instance) and how old the data shown is. Hidden when all
    is well."""

    DEFAULT_CSS = f"""
    DegradedNotice {{ height: auto; max-height: {NOTICE_LINES}; background: $warning 20%; display: none; }}
    DegradedNotice.-degraded {{ display: block; }}
    """

    def __init__(self) -> None:
        super().__init__(id="degraded-notice")

    def show(self, snapshot: Snapshot | None, feeds: frozenset[str], now: datetime) -> None:
        lines: list[Text] = []
        for health in (snapshot.sources if snapshot else ()):
            if not health.ok and feeds.intersection(health.provides):
                lines.extend(_notice_lines(health, now))
        if len(lines) > NOTICE_LINES:
            more = len(lines) - NOTICE_LINES + 1
            lines[NOTICE_LINES - 1:] = [Text(f"   … and {more} more (`cockpit status` lists every one)", "dim")]
        self.set_class(bool(lines), "-degraded")
        update_if_changed(self, Text("\n").join(lines))


def _notice_lines(health: SourceHealth, now: datetime) -> list[Text]:
    head = Text().append(" ⚠ ", style="bold yellow").append_text(literal(health.name, "bold"))
    if health.state == "loading":
        return [head.append(" is loading, no data from it yet", style="yellow")]
    if health.state == "degraded":
        head.append(f" is degraded, showing what it returned {age(health.fetched_at, now)} ago:",
                    style="yellow")
        return [head, *(Text("   ").append_text(literal(warning)) for warning in health.warnings)]
    shown = f"showing data from {age(health.fetched_at, now)} ago" if health.stale and health.fetched_at \
        else "no data from it yet"
    return [head.append(f" is failing, {shown}: ", style="yellow").append_text(literal(health.error))]


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

    def on_resize(self) -> None:
        self._bindings_changed(self.screen)

    def _bindings_changed(self, screen) -> None:
        """The keys that apply here, the focused widget's first; when they do
        not fit the line, the app's own (? Help, q Quit ...) stay and the
        others are cut at a key, with "…": ? lists them all."""
        here: list[Text] = []
        everywhere: list[Text] = []
        seen: set[str] = set()
        for namespace, binding, enabled, _ in screen.active_bindings.values():
            if not binding.show or binding.action in seen or _unavailable(namespace, binding.action):
                continue
            seen.add(binding.action)
            hint = Text()
            hint.append(f" {self.app.get_key_display(binding)}", style="bold cyan" if enabled else "dim")
            hint.append(f" {binding.description} ", style="" if enabled else "dim")
            (everywhere if namespace is self.app else here).append(hint)
        cut = Text(" … ", style="dim")
        room = self.size.width
        shown = here
        if room and sum(h.cell_len for h in here + everywhere) > room:
            left = room - cut.cell_len - sum(h.cell_len for h in everywhere)
            shown = []
            for hint in here:
                left -= hint.cell_len
                if left < 0:
                    break
                shown.append(hint)
            shown.append(cut)
        text = Text(no_wrap=True, overflow="ellipsis")
        for hint in shown + everywhere:
            text.append_text(hint)
        update_if_changed(self, text)


def _unavailable(namespace, action: str) -> bool:
    """A panel's key that does not apply to its highlighted item."""
    return isinstance(namespace, Panel) and bool(namespace.unavailable(parse(action)[1]))
