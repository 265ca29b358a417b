"""Silences: asking how long and why before silencing (ack = silence), and a
screen listing the silences of every Alertmanager source, with expire.

Silences are not part of the snapshot, so the screen asks the app for them
(through the hub, which asks every source listing "silences") when it opens
and after every expire.
"""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from cockpit.alerts import Silence
from cockpit.capabilities import Capabilities
from cockpit.durations import format_duration, parse_duration
from cockpit.ui.widgets.badges import status_badge
from cockpit.ui.widgets.dialogs import ConfirmPrompt, TextPrompt
from cockpit.ui.widgets.filter_table import FilterTable
from cockpit.ui.widgets.messages import ActionPerformed, PerformAction, SilencesListed, SilencesRequested
from cockpit.ui.widgets.rows import Column, Row
from cockpit.ui.widgets.text import literal
from cockpit.writes import Action

DEFAULT_DURATION = "2h"
COLUMNS = (
    Column("state", "State", sortable=True),
    Column("ends", "Ends (UTC)", sortable=True),
    Column("matchers", "Matchers", min_width=20, takes_the_rest=True),
    Column("by", "By", sortable=True),
    Column("comment", "Comment", min_width=12),
    Column("source", "Source", sortable=True, hide_first=1),
)
MATCHERS_WIDTH = 50


async def ask_silence(app: App, what: str) -> dict | None:
    """Ask for a duration (default 2h, re-asked until it parses) and a
    comment; the silence action's params, or None when cancelled."""
    duration: timedelta | None = None
    text = DEFAULT_DURATION
    while duration is None:
        answer = await app.push_screen_wait(TextPrompt(f"Silence {what} for", value=text,
                                                       placeholder="e.g. 30m, 2h, 1d"))
        if answer is None:
            return None
        try:
            duration = parse_duration(answer)
            if duration <= timedelta(0):
                raise ValueError("must be longer than 0s")
        except ValueError as error:
            app.notify(f"duration {answer!r}: {error}", severity="error", timeout=6, markup=False)
            text, duration = answer, None
    comment = await app.push_screen_wait(TextPrompt("Comment (why silence it?)", placeholder="known issue, ..."))
    if comment is None:
        return None
    return {"duration": format_duration(duration), "comment": comment}


class SilencesScreen(ModalScreen[None]):
    """Every silence of every Alertmanager source; e expires the selected one."""

    DEFAULT_CSS = """
    SilencesScreen { align: center middle; }
    SilencesScreen > Vertical { width: 95%; height: 90%; border: thick $accent; background: $surface; }
    SilencesScreen #silences-status { color: $text-muted; height: auto; }
    """
    BINDINGS = [
        Binding("e", "expire", "Expire", id="silences.expire"),
        Binding("r", "reload", "Reload", id="silences.reload"),
        Binding("escape", "close", "Close", id="silences.close"),
    ]

    def __init__(self, capabilities: Capabilities) -> None:
        super().__init__()
        self.capabilities = capabilities
        self.silences: dict[str, Silence] = {}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Silences", style="bold"))
            yield FilterTable(COLUMNS, id="silences-table", placeholder="filter silences")
            yield Static("loading…", id="silences-status")

    def on_mount(self) -> None:
        self.query_one(FilterTable).focus()
        self.reload()

    @property
    def table(self) -> FilterTable:
        return self.query_one(FilterTable)

    @property
    def selected(self) -> Silence | None:
        key = self.table.selected_key
        return self.silences.get(key) if key else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "expire":
            if not self.capabilities.can("expire"):
                return False  # read-only: not offered at all
            silence = self.selected
            return None if silence is None else self.capabilities.can("expire", silence.source) or None
        return True

    def reload(self) -> None:
        self.post_message(SilencesRequested(reply_to=self))

    @on(SilencesListed)
    def _listed(self, message: SilencesListed) -> None:
        message.stop()
        found, problems = message.silences, message.problems
        self.silences = {_key(s): s for s in found}
        self.table.set_rows(_row(s) for s in found)
        status = f"{len(found)} silence(s) from {len(self.capabilities.listing('silences'))} Alertmanager source(s)"
        self.query_one("#silences-status", Static).update(
            literal("; ".join([status, *problems]), "bold red" if problems else ""))
        self.refresh_bindings()

    def action_reload(self) -> None:
        self.reload()

    def action_expire(self) -> None:
        """Expiring lets every alert it holds page again: asked first, the silence named."""
        silence = self.selected
        if silence is None:
            return

        def expire(yes: bool | None) -> None:
            if yes:
                self.post_message(PerformAction(silence.source, Action("expire", silence.id), reply_to=self))

        matchers = " ".join(str(m) for m in silence.matchers)
        self.app.push_screen(ConfirmPrompt(f"Expire silence {silence.id} ({matchers}) in {silence.source}, "
                                           f"by {silence.created_by}: {silence.comment}?"), expire)

    @on(ActionPerformed)
    def _expired(self, message: ActionPerformed) -> None:
        message.stop()
        self.reload()

    def action_close(self) -> None:
        self.dismiss(None)

    @on(FilterTable.Chosen)
    def _chosen(self, event: FilterTable.Chosen) -> None:
        event.stop()  # nothing to open: the row already says everything


def _key(silence: Silence) -> str:
    return f"{silence.source}/{silence.id}"


def _row(silence: Silence) -> Row:
    matchers = literal(silence.matchers_text)
    matchers.truncate(MATCHERS_WIDTH, overflow="ellipsis")
    return Row(
        key=_key(silence),
        cells=(status_badge(silence.state), f"{silence.ends_at:%m-%d %H:%M}", matchers,
               literal(silence.created_by), literal(silence.comment), literal(silence.source)),
        sort_values={"state": silence.state, "ends": silence.ends_at, "by": silence.created_by,
                     "source": silence.source},
        search_text=" ".join((silence.matchers_text, *silence.instances)),
    )
