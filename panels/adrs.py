"""ADRs: the architecture decision records, listed by number with title,
status, date, deciders and tags; enter opens one in a Markdown viewer (the
body cleaned of escapes; Textual's Markdown never reads Rich markup).

Supersede links are followed both ways: ``N`` opens the ADR that replaces
the one shown ("Superseded by", whichever of the two wrote the link),
``P`` the one it replaces ("Supersedes"); a superseded ADR says by which at
the top. ``c`` opens the card of a service it decides about, ``l`` lists
the glossary terms the ADR uses and shows their definitions."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from cockpit.adr_links import ref_numbers, superseded_by, supersedes
from cockpit.model import ADR, adr_key
from cockpit.ui.widgets.filter_table import FilterTable
from cockpit.ui.widgets.glossary import look_up_terms
from cockpit.ui.widgets.messages import Navigate, Origin
from cockpit.ui.widgets.panel import ListDetailPanel, PanelContext
from cockpit.ui.widgets.rows import TITLE_MAX_WIDTH, Column, Row
from cockpit.ui.widgets.text import literal
from cockpit.untrusted import clean

COLUMNS = (
    Column("number", "ADR", sortable=True),
    Column("title", "Title", sortable=True, max_width=TITLE_MAX_WIDTH, min_width=20, takes_the_rest=True),
    Column("status", "Status", sortable=True),
    Column("date", "Date", sortable=True),
    Column("deciders", "Deciders", max_width=18, min_width=10, hide_first=1),
    Column("tags", "Tags", max_width=16, min_width=10, hide_first=2),
)
# How a status reads in the list: what is in force stands out, what is not is dimmed.
STATUS_STYLES = {"accepted": "bold green", "proposed": "bold yellow", "superseded": "dim", "deprecated": "dim",
                 "rejected": "dim red"}


def status_text(adr: ADR, successors: tuple[int, ...]) -> Text:
    text = literal(adr.status or "—", STATUS_STYLES.get(adr.status, "bold red" if adr.status else "dim"))
    if successors:
        text.append(f" by {', '.join(adr_key(n) for n in successors)}", style="dim")
    return text

UNAVAILABLE = {
    "newer": "No ADR supersedes {key}.",
    "older": "{key} supersedes no ADR.",
    "service": "{key} names no service: add a 'Services:' line to it.",
}


class ADRsPanel(ListDetailPanel):
    """Modes: list, view (one ADR)."""

    panel_id = "adrs"
    feeds = frozenset({"adrs", "glossary"})
    title = "ADRs"

    DEFAULT_CSS = """
    ADRsPanel > #adr-view { display: none; }
    ADRsPanel.-view > #adr-view { display: block; height: 1fr; }
    ADRsPanel.-view > #adrs-table { display: none; }
    ADRsPanel #adr-facts { padding: 0 1; background: $boost; }
    ADRsPanel #adr-markdown { padding: 0 1; }
    """

    BINDINGS = [
        Binding("N", "newer", "Superseded by", id="adrs.superseded_by"),
        Binding("P", "older", "Supersedes", id="adrs.supersedes"),
        Binding("c", "service", "Service card", id="adrs.service"),
        Binding("l", "terms", "Glossary terms", id="adrs.glossary"),
    ]

    def __init__(self, context: PanelContext) -> None:
        super().__init__(context)
        self.open_number: int | None = None
        self._trail: list[int] = []  # ADRs left by N / P: esc goes back along them
        self._from_elsewhere = False  # opened by a link or the palette: esc returns there

    def compose(self) -> ComposeResult:
        yield FilterTable(COLUMNS, id="adrs-table", placeholder="filter ADRs")
        with VerticalScroll(id="adr-view"):
            yield Static(id="adr-facts")
            yield Markdown(id="adr-markdown", open_links=False)

    @property
    def table(self) -> FilterTable:
        return self.query_one("#adrs-table", FilterTable)

    @property
    def adrs(self) -> tuple[ADR, ...]:
        return self.snapshot.adrs if self.snapshot else ()

    def adr(self, number: int | None) -> ADR | None:
        return next((a for a in self.adrs if a.number == number), None)

    @property
    def shown(self) -> ADR | None:
        """The ADR open in the viewer, else the one highlighted in the list."""
        if self.mode == "view":
            return self.adr(self.open_number)
        key = self.table.selected_key
        return self.adr(int(key)) if key else None

    # ---------------------------------------------------------------- view

    def refresh_view(self) -> None:
        if self.snapshot is None or not self.is_mounted:
            return
        self.table.set_rows(self._row(adr) for adr in self.adrs)
        if self.mode == "view" and self.adr(self.open_number) is not None:
            self.query_one("#adr-facts", Static).update(self._facts(self.adr(self.open_number)))

    def _row(self, adr: ADR) -> Row:
        return Row(
            key=str(adr.number),
            cells=(adr.key, literal(adr.title), status_text(adr, superseded_by(adr, self.adrs)),
                   adr.date.isoformat() if adr.date else "—", literal(", ".join(adr.deciders) or "—"),
                   literal(", ".join(adr.tags))),
            sort_values={"number": adr.number, "title": adr.title.lower(), "status": adr.status,
                         "date": adr.date},
            search_text=f"{adr.path} {' '.join(adr.services)}",
        )

    def _facts(self, adr: ADR) -> Text:
        newer, older = superseded_by(adr, self.adrs), supersedes(adr, self.adrs)
        text = Text(f"{adr.key}  ", "bold").append_text(literal(adr.title, "bold")).append("\n")
        if newer:
            text.append(f"Superseded by {', '.join(self._named(n) for n in newer)}  (N opens it)\n", style="bold yellow")
        if older:
            text.append(f"Supersedes {', '.join(self._named(n) for n in older)}  (P opens it)\n", style="dim")
        for label, value in (("status", adr.status or "—"), ("date", adr.date.isoformat() if adr.date else "—"),
                             ("deciders", ", ".join(adr.deciders) or "—"), ("tags", ", ".join(adr.tags) or "—"),
                             ("services", ", ".join(adr.services) or "—")):
            text.append(f"{label}: ", style="dim").append_text(literal(value)).append("   ")
        return text

    def _named(self, number: int) -> str:
        other = self.adr(number)
        return f"{adr_key(number)} {clean(other.title, single_line=True)}" if other else f"{adr_key(number)} (missing)"

    def focus_item(self, ref: str, origin: Origin | None = None) -> bool:
        number = next(iter(ref_numbers(ref)), None)  # "5" (links, the palette) or "ADR-0005"
        if self.adr(number) is None:
            return False
        self.table.select_key(str(number))
        self._from_elsewhere, self._trail = True, []
        self.open_adr(number)
        return True

    def open_adr(self, number: int) -> None:
        adr = self.adr(number)
        if adr is None:
            self.notify(f"{adr_key(number)} is not in the ADR folder.", severity="warning", markup=False)
            return
        self.open_number = number
        self.query_one("#adr-facts", Static).update(self._facts(adr))
        self.mode = "view"
        self.query_one("#adr-view", VerticalScroll).focus()
        self.run_worker(self._show_body(clean(adr.body)), group="adr-view", exclusive=True)

    async def _show_body(self, body: str) -> None:
        await self.query_one("#adr-markdown", Markdown).update(body)
        self.query_one("#adr-view", VerticalScroll).scroll_home(animate=False, immediate=True)

    def back(self) -> bool:
        if self.mode != "view":
            return False
        if self._trail:  # back along the supersede links followed
            self.open_adr(self._trail.pop())
            return True
        self.mode = "list"
        self.table.focus()
        if self._from_elsewhere:
            self._from_elsewhere = False
            return False  # the app returns to the panel the user came from
        return True

    @on(FilterTable.Chosen, "#adrs-table")
    def _chosen(self, event: FilterTable.Chosen) -> None:
        event.stop()
        self._from_elsewhere, self._trail = False, []
        self.open_adr(int(event.key))

    # ---------------------------------------------------------------- keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        adr = self.shown
        if action in ("newer", "older"):
            if self.mode != "view" or adr is None:
                return False
            links = superseded_by(adr, self.adrs) if action == "newer" else supersedes(adr, self.adrs)
            return True if any(self.adr(n) for n in links) else None
        if action == "service":
            return True if adr is not None and adr.services else None
        if action == "terms":
            return self.mode == "view"
        return True

    def unavailable(self, action: str) -> str:
        """Why N, P or c does nothing here (they are offered only where they apply)."""
        adr = self.shown
        if adr is None or action not in UNAVAILABLE or self.check_action(action, ()) is not None:
            return ""
        return UNAVAILABLE[action].format(key=adr.key)

    def _follow(self, numbers: tuple[int, ...]) -> None:
        target = next((n for n in numbers if self.adr(n) is not None), None)
        if target is not None and self.open_number is not None:
            self._trail.append(self.open_number)
            self.open_adr(target)

    def action_newer(self) -> None:
        if (adr := self.shown) is not None:
            self._follow(superseded_by(adr, self.adrs))

    def action_older(self) -> None:
        if (adr := self.shown) is not None:
            self._follow(supersedes(adr, self.adrs))

    def action_service(self) -> None:
        if (adr := self.shown) is not None and adr.services:
            self.post_message(Navigate("services", adr.services[0], Origin("adrs", str(adr.number))))

    def action_terms(self) -> None:
        if (adr := self.shown) is not None and self.snapshot is not None:
            look_up_terms(self, adr.key, adr.body, self.snapshot.glossary)
