"""On call: on-call health over the last shifts (architecture-practices.md,
"On-Call Health"): who was paged how often, after hours and without a
runbook, against the guide's maximum of 5 pages a shift; enter lists a
row's pages, d drafts the post-on-call retrospective (the app writes it)."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from cockpit.durations import format_duration
from cockpit.model import Snapshot
from cockpit.oncall_health import ShiftHealth, incident_log_incidents, is_after_hours, runbook_check, shift_health
from cockpit.service_index import Index
from cockpit.ui.widgets.filter_table import FilterTable
from cockpit.ui.widgets.messages import Origin, RetroRequested
from cockpit.ui.widgets.panel import Panel
from cockpit.ui.widgets.row_table import RowTable
from cockpit.ui.widgets.rows import Column, Row
from cockpit.ui.widgets.text import line, literal

COLUMNS = (
    Column("shift", "Shift from", sortable=True),
    Column("user", "Paged", sortable=True, min_width=10, takes_the_rest=True),
    Column("pages", "Pages", sortable=True),
    Column("after", "After hours", sortable=True),
    Column("runbook", "No runbook", sortable=True),
    Column("logged", "Logged", sortable=True, hide_first=1),
)


def _count(count: int, warn: bool = False) -> Text:
    return Text(str(count), style="bold red" if warn else ("" if count else "dim"))


def health_row(health: ShiftHealth) -> Row:
    pages = len(health.pages)
    paged = line(_count(pages, health.over_limit), Text(f" > {health.max_pages}", "bold red")) \
        if health.over_limit else _count(pages)
    return Row(
        health.key,
        (f"{health.shift.start:%a %m-%d %H:%M}", literal(health.user, "bold") if health.user
         else Text("nobody paged", "dim"), paged, _count(len(health.after_hours)),
         _count(len(health.without_runbook), bool(health.without_runbook)), _count(len(health.incidents))),
        sort_values={"shift": health.shift.start, "user": health.user, "pages": pages,
                     "after": len(health.after_hours), "runbook": len(health.without_runbook),
                     "logged": len(health.incidents)},
    )


class OncallPanel(Panel):
    panel_id = "oncall"
    title = "On call"
    feeds = frozenset({"pages", "incidents"})

    DEFAULT_CSS = """
    OncallPanel #oncall-summary { padding: 0 1; color: $text-muted; }
    OncallPanel FilterTable { height: 1fr; }
    OncallPanel #oncall-pages { height: auto; max-height: 40%; padding: 0 1; border-top: solid $primary; }
    """

    BINDINGS = [Binding("d", "retro", "Draft retro", id="oncall.retro")]

    def __init__(self, context) -> None:
        super().__init__(context)
        self.rows: dict[str, ShiftHealth] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="oncall-summary")
        yield FilterTable(COLUMNS, id="oncall-table", placeholder="filter shifts and people")
        yield Static("enter lists a row's pages; d drafts its post-on-call retrospective", id="oncall-pages")

    @property
    def table(self) -> FilterTable:
        return self.query_one(FilterTable)

    def derive(self, snapshot: Snapshot, index: Index, now: datetime) -> list[ShiftHealth]:
        return shift_health(snapshot.pages, incident_log_incidents(snapshot), runbook_check(snapshot, index.runbooks),
                            now, self.context.oncall)

    def refresh_view(self) -> None:
        if self.snapshot is None or self.index is None or not self.is_mounted:
            return
        settings, found = self.context.oncall, self.derived
        self.rows = {health.key: health for health in found}
        over = sum(h.over_limit for h in found)
        self.query_one("#oncall-summary", Static).update(line(
            literal(f"Last {settings.shifts} shifts of {format_duration(settings.shift_length)}, working hours "
                    f"{settings.working_hours_text()}; the guide's maximum: {settings.max_pages} pages a shift"),
            Text(f"  {over} over it" if over else "", "bold red")))
        self.table.set_rows(health_row(h) for h in found)
        self.refresh_bindings()

    @property
    def highlighted(self) -> ShiftHealth | None:
        key = self.table.selected_key if self.is_mounted else None
        return self.rows.get(key) if key else None

    @on(FilterTable.Chosen, "#oncall-table")
    def _chosen(self, event: FilterTable.Chosen) -> None:
        event.stop()
        health = self.rows.get(event.key)
        if health is not None:
            self._show_pages(health)

    def _show_pages(self, health: ShiftHealth) -> None:
        settings, without = self.context.oncall, set(health.without_runbook)
        lines = [literal(f"{health.user or 'Nobody'}: shift {health.shift.start:%a %Y-%m-%d %H:%M} to "
                         f"{health.shift.end:%a %Y-%m-%d %H:%M} ({settings.time_zone})", "bold")]
        for page in health.pages:
            lines.append(line(
                f"{page.at.astimezone(settings.zone):%a %H:%M}  ",
                Text("after hours  " if is_after_hours(page.at, settings) else "working hrs  ",
                     "yellow" if is_after_hours(page.at, settings) else "dim"),
                literal(page.service or "-", "cyan"), "  ", literal(page.title or page.incident_id),
                Text("  no runbook", "bold red") if page in without else ""))
        self.query_one("#oncall-pages", Static).update(Text("\n").join(lines))

    @on(RowTable.RowHighlighted)
    def _moved(self) -> None:
        self.refresh_bindings()  # d applies to rows where someone was paged

    def focus_item(self, ref: str, origin: Origin | None = None) -> bool:
        return self.table.select_key(ref)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retro":
            health = self.highlighted
            return True if health is not None and health.user else None
        return True

    def unavailable(self, action: str) -> str:
        if action == "retro" and self.highlighted is not None and not self.highlighted.user:
            return "Nobody was paged in this shift: no retrospective to draft."
        return ""

    def action_retro(self) -> None:
        health = self.highlighted
        if health is not None and health.user:
            self.post_message(RetroRequested(health))
