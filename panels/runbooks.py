"""Runbooks: the list with review dates and stale badges, full-text search
with each match shown in its line, a Markdown viewer (fenced code is
highlighted by Textual's MarkdownFence, which uses pygments), and the
runbook's task-list steps as a checklist: ticking one notes it on the
active incident's timeline."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Markdown, OptionList, Static
from textual.widgets.markdown import MarkdownBlock
from textual.widgets.option_list import Option

from cockpit.durations import format_duration
from cockpit.model import Incident, Runbook, incident_key
from cockpit.runbook_search import Match, search_runbooks, split_runbook_ref
from cockpit.runbook_steps import Step, active_incident, done_steps, parse_steps, step_note
from cockpit.ui.widgets.badges import stale_badge
from cockpit.ui.widgets.filter_table import FilterTable
from cockpit.ui.widgets.messages import ActionPerformed, Navigate, Origin, PerformAction, RunbookOpened
from cockpit.ui.widgets.panel import ListDetailPanel, PanelContext
from cockpit.ui.widgets.rows import TITLE_MAX_WIDTH, Column, Row
from cockpit.ui.widgets.text import highlighted_line, literal
from cockpit.untrusted import clean
from cockpit.writes import Action

# Stale badge and review date first: they must stay visible at 80 columns.
COLUMNS = (
    Column("stale", ""),
    Column("title", "Title", sortable=True, max_width=TITLE_MAX_WIDTH, min_width=20, takes_the_rest=True),
    Column("review", "Next review", sortable=True),
    Column("validated", "Last validated", sortable=True, hide_first=1),
    Column("owner", "Owner", sortable=True, min_width=12),
    Column("services", "Services", min_width=12, hide_first=2),
)
RESULT_COLUMNS = (Column("runbook", "Runbook"), Column("line", "Line"), Column("match", "Match"))


def _day(value: date | None) -> str:
    return value.isoformat() if value else "never"


class RunbooksPanel(ListDetailPanel):
    """Modes: list, search (full text), view (one runbook), steps (its checklist)."""

    panel_id = "runbooks"
    feeds = frozenset({"runbooks"})
    title = "Runbooks"

    DEFAULT_CSS = """
    RunbooksPanel > #runbook-search, RunbooksPanel > #runbook-results, RunbooksPanel > #runbook-view,
    RunbooksPanel > #runbook-steps {
        display: none;
    }
    RunbooksPanel.-steps > #runbook-steps { display: block; height: 1fr; }
    RunbooksPanel.-steps > #runbooks-table { display: none; }
    RunbooksPanel #runbook-steps-facts { padding: 0 1; background: $boost; }
    RunbooksPanel #runbook-steps-list { height: 1fr; }
    RunbooksPanel.-search > #runbook-search, RunbooksPanel.-search > #runbook-results { display: block; }
    RunbooksPanel.-search > #runbooks-table { display: none; }
    RunbooksPanel.-view > #runbook-view { display: block; height: 1fr; }
    RunbooksPanel.-view > #runbooks-table, RunbooksPanel.-view > #runbook-search,
    RunbooksPanel.-view > #runbook-results { display: none; }
    RunbooksPanel #runbook-facts { padding: 0 1; background: $boost; }
    RunbooksPanel #runbook-markdown { padding: 0 1; }
    """

    BINDINGS = [
        Binding("f", "find", "Full-text search", id="runbooks.search"),
        Binding("c", "service", "Service card", id="runbooks.service"),
        Binding("t", "steps", "Steps checklist", id="runbooks.steps"),
    ]

    def __init__(self, context: PanelContext) -> None:
        super().__init__(context)
        self.open_path: str | None = None
        self._return_to = "list"  # the mode esc goes back to from the viewer
        self._matches: dict[str, Match] = {}
        self._came_from: tuple[str, str] | None = None  # (source, id) of the incident that opened the runbook

    def compose(self) -> ComposeResult:
        yield FilterTable(COLUMNS, id="runbooks-table", placeholder="filter runbooks")
        yield Input(placeholder="search every runbook: words or \"a phrase\" (enter searches, esc closes)",
                    id="runbook-search")
        yield FilterTable(RESULT_COLUMNS, id="runbook-results", placeholder="filter matches")
        with VerticalScroll(id="runbook-view"):
            yield Static(id="runbook-facts")
            yield Markdown(id="runbook-markdown", open_links=False)
        with Vertical(id="runbook-steps"):
            yield Static(id="runbook-steps-facts")
            yield OptionList(id="runbook-steps-list")

    @property
    def table(self) -> FilterTable:
        return self.query_one("#runbooks-table", FilterTable)

    @property
    def runbooks(self) -> tuple[Runbook, ...]:
        return self.snapshot.runbooks if self.snapshot else ()

    def runbook(self, path: str | None) -> Runbook | None:
        return next((r for r in self.runbooks if r.path == path), None)

    # ---------------------------------------------------------------- view

    def refresh_view(self) -> None:
        if self.snapshot is None or not self.is_mounted:
            return
        today = self.now.date()
        self.table.set_rows(self._row(runbook, today) for runbook in sorted(self.runbooks, key=lambda r: r.path))
        if self.mode == "search":
            self._search(self.query_one("#runbook-search", Input).value)
        elif self.mode == "steps":
            self._render_steps()  # a tick noted by this or another session

    def _row(self, runbook: Runbook, today: date) -> Row:
        stale = runbook.is_stale(today)
        return Row(
            key=runbook.path,
            cells=(stale_badge() if stale else "", literal(runbook.title),
                   Text(_day(runbook.next_review), style="bold yellow" if stale else ""),
                   _day(runbook.last_validated), literal(runbook.owner or "—"),
                   literal(", ".join(runbook.services))),
            sort_values={"title": runbook.title.lower(), "owner": runbook.owner,
                         "validated": runbook.last_validated, "review": runbook.next_review},
            search_text=f"{runbook.path} {'stale' if stale else ''}",
        )

    def focus_item(self, ref: str, origin: Origin | None = None) -> bool:
        line = 0
        if self.runbook(ref) is None:  # a path that merely looks like "x#L3" wins
            ref, line = split_runbook_ref(ref)
        runbook = self.runbook(ref) or (self.index.runbook(ref) if self.index else None)
        if runbook is None:
            return False
        self.table.select_key(runbook.path)
        # Opened from elsewhere (u on an alert, a link, the palette): esc goes back there.
        self._return_to = "elsewhere"
        self._came_from = self._incident_of(origin)
        self.open_runbook(runbook.path, line)
        return True

    def open_runbook(self, path: str, line: int = 0) -> None:
        """Show the runbook; ``line`` (1-based, in the body) is scrolled to the top."""
        runbook = self.runbook(path)
        if runbook is None:
            self.notify(f"{path} is no longer listed.", severity="warning", markup=False)
            return
        self.open_path = path
        self.post_message(RunbookOpened(path))
        self.query_one("#runbook-facts", Static).update(self._facts(runbook))
        self.mode = "view"
        view = self.query_one("#runbook-view", VerticalScroll)
        view.focus()
        self.run_worker(self._show_body(clean(runbook.body), line), group="runbook-view", exclusive=True)

    async def _show_body(self, body: str, line: int) -> None:
        markdown = self.query_one("#runbook-markdown", Markdown)
        view = self.query_one("#runbook-view", VerticalScroll)
        await markdown.update(body)
        view.scroll_home(animate=False, immediate=True)
        # The innermost block holding the line (blocks know their source lines, 0-based),
        # scrolled to once the new blocks have been laid out.
        blocks = [b for b in markdown.query(MarkdownBlock) if b.source_range[0] <= line - 1 < b.source_range[1]]
        if line > 0 and blocks:
            view.call_after_refresh(view.scroll_to_widget, blocks[-1], top=True, animate=False)

    def _facts(self, runbook: Runbook) -> Text:
        stale = runbook.is_stale(self.now.date())
        text = Text()
        if stale:
            text.append_text(stale_badge())
            text.append(" ")
        text.append_text(literal(runbook.title, "bold"))
        text.append("\n")
        for label, value in (
            ("path", runbook.path), ("owner", runbook.owner or "—"),
            ("services", ", ".join(runbook.services) or "—"),
            ("last validated", _day(runbook.last_validated)),
            ("next review", f"{_day(runbook.next_review)} (every {format_duration(runbook.review_every)})"),
        ):
            text.append(f"{label}: ", style="dim")
            text.append_text(literal(value, "bold yellow" if stale and label == "next review" else ""))
            text.append("   ")
        return text

    def _incident_of(self, origin: Origin | None) -> tuple[str, str] | None:
        """(source, id) of the incident the user opened the runbook from, if they did."""
        if origin is None or origin.panel != "incidents" or self.snapshot is None:
            return None
        incident = next((i for i in self.snapshot.incidents if incident_key(i) == origin.ref), None)
        return (incident.source, incident.id) if incident is not None else None

    def back(self) -> bool:
        if self.mode == "steps":
            self.mode = "view"
            self.query_one("#runbook-view").focus()
            return True
        if self.mode == "view" and self._return_to == "elsewhere":
            self.mode, self._return_to = "list", "list"
            self.table.focus()
            return False  # the app returns to the panel the user came from
        if self.mode == "view":
            self.mode = self._return_to
            target = self.query_one("#runbook-results" if self.mode == "search" else "#runbooks-table", FilterTable)
            target.focus()
            return True
        if self.mode == "search":
            self.mode = "list"
            self.table.focus()
            return True
        return False

    # --------------------------------------------------------------- search

    def action_find(self) -> None:
        self.mode = "search"
        self.query_one("#runbook-search", Input).focus()

    @on(Input.Changed, "#runbook-search")
    def _query_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._search(event.value)

    @on(Input.Submitted, "#runbook-search")
    def _query_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        results = self.query_one("#runbook-results", FilterTable)
        if results.shown_keys:
            results.focus()
        else:
            self.notify("No runbook matches every word.", severity="warning", timeout=3)

    def _search(self, query: str) -> None:
        matches = search_runbooks(self.runbooks, query)
        self._matches = {f"{m.runbook.path}:{m.line_no}": m for m in matches}
        self.query_one("#runbook-results", FilterTable).set_rows(
            Row(key=key, cells=(literal(m.runbook.title), "title" if m.line_no == 0 else str(m.line_no),
                                highlighted_line(m.line_text, m.spans)))
            for key, m in self._matches.items()
        )

    # ------------------------------------------------------------- choosing

    @on(FilterTable.Chosen, "#runbooks-table")
    def _chosen(self, event: FilterTable.Chosen) -> None:
        event.stop()
        self._return_to = "list"
        self._came_from = None
        self.open_runbook(event.key)

    @on(FilterTable.Chosen, "#runbook-results")
    def _result_chosen(self, event: FilterTable.Chosen) -> None:
        event.stop()
        self._return_to = "search"
        self._came_from = None
        match = self._matches[event.key]
        self.open_runbook(match.runbook.path, match.line_no)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "service":
            runbook = self.runbook(self.open_path if self.mode == "view" else self.table.selected_key)
            return True if runbook is not None and runbook.services else None
        if action == "steps":
            if self.mode != "view" or not self.capabilities.can("note"):
                return False  # read-only: ticking would be refused, so the key is not offered
            return True if self._steps() else None
        return True

    def action_service(self) -> None:
        runbook = self.runbook(self.open_path if self.mode == "view" else self.table.selected_key)
        if runbook is not None and runbook.services:
            self.post_message(Navigate("services", runbook.services[0]))

    # ---------------------------------------------------------- checklist

    def _steps(self) -> list[Step]:
        runbook = self.runbook(self.open_path)
        return parse_steps(runbook.body) if runbook else []

    def active_incident(self) -> Incident | None:
        runbook = self.runbook(self.open_path)
        if runbook is None or self.snapshot is None:
            return None
        return active_incident(
            self.snapshot.incidents, runbook.services, came_from=self._came_from,
            note_sources=self.capabilities.sources_that("note"),
            # the sources incidents are declared in: an incident log
            log_sources=self.capabilities.sources_that("declare"),
        )

    def action_steps(self) -> None:
        if not self._steps():
            self.notify("This runbook has no task-list steps (- [ ] ...).", severity="warning")
            return
        self.mode = "steps"
        self._render_steps()
        self.query_one("#runbook-steps-list", OptionList).focus()

    def _render_steps(self) -> None:
        steps, incident = self._steps(), self.active_incident()
        done = done_steps(self.open_path or "", steps, incident)
        facts = Text()
        if incident is None:
            facts.append("No open incident to note steps on: open this runbook from an incident (u), or "
                         "declare one on its services.", style="bold yellow")
        else:
            why = ("the incident you came from" if (incident.source, incident.id) == self._came_from
                   else "the newest open incident on this runbook's services")
            facts.append("enter ticks a step and notes it on ")
            facts.append_text(literal(f"{incident.id} {incident.title}", "bold"))
            facts.append(f" ({why})")
        facts.append(f"\n{len(done)}/{len(steps)} done   esc: back to the runbook", style="dim")
        self.query_one("#runbook-steps-facts", Static).update(facts)
        options = self.query_one("#runbook-steps-list", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(
            Option(Text(" " * step.depth + ("[x] " if step.line in done else "[ ] "),
                        style="green" if step.line in done else "").append_text(literal(step.text)),
                   id=str(step.line))
            for step in steps
        )
        options.highlighted = highlighted if highlighted is not None else 0

    @on(OptionList.OptionSelected, "#runbook-steps-list")
    def _step_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        step = next((s for s in self._steps() if str(s.line) == event.option_id), None)
        incident = self.active_incident()
        if step is None or self.open_path is None:
            return
        if incident is None:
            self.notify("No open incident to note this step on.", severity="warning")
        elif step.line in done_steps(self.open_path, [step], incident):
            self.notify("Already done: the timeline has it (a timeline is never edited).", timeout=3)
        else:
            self._tick(incident, step_note(self.open_path, step))

    def _tick(self, incident: Incident, note: str) -> None:
        self.post_message(PerformAction(incident.source, Action("note", incident.id, {"text": note}),
                                        reply_to=self, announce=False))

    @on(ActionPerformed)
    def _ticked(self, message: ActionPerformed) -> None:
        message.stop()
        result, action = message.result, message.action
        if result.ok:
            self.notify(f"{action.target}: {action.params['text']}", timeout=4, markup=False)
        else:
            self.notify(clean(result.message or "note failed"), severity="error", timeout=8, markup=False)
        if self.mode == "steps":
            self._render_steps()
