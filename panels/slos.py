"""SLOs: budget remaining, burn rates and the error-budget policy tier.

The table sorts by budget remaining or 1h burn (``>`` cycles the sort);
enter opens the detail: the multiwindow burn-rate rules with their
thresholds and which fire, when the budget runs out at the current rate, the
budget over the window as a sparkline, and what the policy tier demands.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache, partial
from typing import NamedTuple

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import ContentSwitcher, Static

from cockpit.durations import format_duration
from cockpit.service_index import Index
from cockpit.model import SLO, SLOStatus, Snapshot
from cockpit.slo import MULTIWINDOW_RULES, history_times
from cockpit.ui.widgets.budget_line import BudgetLine
from cockpit.ui.widgets.messages import Origin
from cockpit.ui.widgets.panel import Panel, PanelContext
from cockpit.ui.widgets.text import literal
from cockpit.ui.widgets.badges import TIER_STYLES, demo_badge, percent, tier_badge
from cockpit.ui.widgets.text import line
from cockpit.ui.widgets.rows import Column, Row, RowMemo
from cockpit.ui.widgets.filter_table import FilterTable
from cockpit.ui.widgets.links import Link, LinkList

# Budget, burn and tier first: they must stay visible at 80 columns.
COLUMNS = (
    Column("service", "Service", sortable=True, min_width=14),
    Column("slo", "SLO", width=21, min_width=16),
    Column("budget", "Budget left", sortable=True),
    Column("burn", "1h burn", sortable=True),
    Column("tier", "Tier"),
    Column("objective", "Objective", width=12, hide_first=3),
    Column("sli", "SLI now", hide_first=2),
    Column("data", "Data", hide_first=1),
)
DATA_LABELS = {"ok": ("ok", "green"), "insufficient_traffic": ("low traffic", "yellow"), "no_data": ("no data", "red")}


def rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}x"


def budget_text(status: SLOStatus) -> Text:
    # Coloured like the policy tier it puts the SLO in.
    return _budget_cell(percent(status.budget_remaining), status.tier)


class SloLine(NamedTuple):
    """What an SLO's row shows, as plain values: its row is made again only
    when one of them changed (RowMemo). Numbers are kept as shown, so a
    budget moving in the fourth digit leaves the row as it was."""

    key: str
    slo: SLO  # the spec: service, name, objective, what the filter finds
    owned: bool  # the catalog has the service
    budget: str  # budget left, as shown
    budget_left: float | None  # the same to the shown precision, to sort by
    tier: str
    burn: str  # 1h burn rate, as shown
    burn_rate: float | None  # the same to the shown precision, to sort by
    firing: tuple[str, ...]  # the burn-rate rules firing
    sli: str
    data: str
    demo: bool


def slo_line(status: SLOStatus, owned: bool = True) -> SloLine:
    slo = status.slo
    budget, burn = status.budget_remaining, status.burn_rates.get("1h")
    return SloLine(slo.key, slo, owned, percent(budget), None if budget is None else round(budget, 3), status.tier,
                   rate(burn), None if burn is None else round(burn, 1), status.alerts_firing,
                   percent(status.sli_value, 3), status.data, status.demo)


def slo_row(shown: SloLine) -> Row:
    slo = shown.slo
    return Row(
        shown.key,
        (_service_cell(slo.service, shown.owned), slo.name, _budget_cell(shown.budget, shown.tier),
         _burn_cell(shown.burn, "page-1h" in shown.firing), _tier_cell(shown.tier),
         slo.target_text or percent(slo.objective, 2), shown.sli, _data_cell(shown.data, shown.demo)),
        sort_values={"service": shown.key, "budget": shown.budget_left, "burn": shown.burn_rate},
        search_text=" ".join((slo.sli, slo.description, shown.tier, *shown.firing, "" if shown.owned else "unowned")),
    )


# Cells that few distinct values fill are made once and shared by every row
# showing them (6,000 SLOs: a handful of tiers, a few hundred percentages).
# Nothing mutates them.
@lru_cache(maxsize=4096)
def _service_cell(service: str, owned: bool) -> Text:
    """The SLO's service; one the catalog lacks is kept and marked unowned,
    as alerts are."""
    if owned:
        return literal(service, "bold")
    if not service:
        return literal("unowned", "dim italic")
    return line(literal(service, "italic"), Text(" unowned", "dim italic"))


@lru_cache(maxsize=2048)
def _budget_cell(shown: str, tier: str) -> Text:
    return Text(shown, style=TIER_STYLES.get(tier, "dim"))


@lru_cache(maxsize=1024)
def _burn_cell(shown: str, paging: bool) -> Text:
    return Text(shown, style="bold red" if paging else "")


_tier_cell = lru_cache(maxsize=16)(partial(tier_badge, short=True))


@lru_cache(maxsize=16)
def _data_cell(data: str, demo: bool) -> Text:
    label, style = DATA_LABELS.get(data, (data, "dim"))
    return line(literal(label, style), Text(" demo", "magenta") if demo else "")


def burn_table(status: SLOStatus) -> Table:
    """The workbook's multiwindow rules for this SLO: both windows must burn
    faster than the threshold for a rule to fire."""
    table = Table(box=None, padding=(0, 2, 0, 0), header_style="bold underline")
    for header in ("Rule", "Windows", "Long rate", "Short rate", "Threshold", "Firing"):
        table.add_column(header, justify="left" if header in ("Rule", "Windows", "Firing") else "right")
    for rule in MULTIWINDOW_RULES:
        firing = rule.name in status.alerts_firing
        table.add_row(
            Text(rule.name, style="bold" if firing else ""), f"{rule.long} / {rule.short}",
            rate(status.burn_rates.get(rule.long)), rate(status.burn_rates.get(rule.short)),
            f"{rule.burn_rate_for(status.slo.window):.1f}x",
            Text("FIRING", style="bold white on red") if firing else Text("no", style="dim"),
        )
    return table


def summary(status: SLOStatus) -> Text:
    slo = status.slo
    text = line(literal(slo.service, "bold reverse"), " ", literal(slo.name, "bold"))
    text.no_wrap = False
    if status.demo:
        text.append(" ").append_text(demo_badge())
    label, style = DATA_LABELS.get(status.data, (status.data, "dim"))
    text.append("   data ").append_text(literal(label, style))
    if slo.service_description:
        text.append("\n").append_text(literal(slo.service_description, "dim"))
    calendar = slo.calendar
    period = format_duration(slo.window) if calendar is None else \
        f"this calendar {calendar.count}{calendar.unit} ({calendar.time_zone}) so far"
    text.append("\nObjective ").append_text(literal(slo.target_text or percent(slo.objective, 2)))
    text.append(" over ").append_text(literal(period))  # the time zone comes from an SLO file
    text.append("   SLI ").append_text(literal(slo.sli or "—")).append(f" {percent(status.sli_value, 3)}")
    text.append("\nBudget left ").append_text(budget_text(status))
    eta = status.exhaustion_eta_s
    if status.data == "ok" and status.burn_rates.get("1h") is None:
        # No 1h rate is not a zero rate: too few requests in the last hour to say.
        text.append("  1h burn unknown: too little traffic in the last hour", style="yellow")
    elif eta is None:
        text.append("  not being spent at the 1h rate", style="dim")
    elif eta == 0:
        text.append("  already spent", style="bold red")
    else:
        text.append(f"  runs out in {format_duration(eta)} at the 1h burn rate",
                    style="bold" if eta < 86400 * 3 else "")
    for warning in status.warnings:
        text.append("\n").append_text(literal(warning, "yellow"))
    return text


def policy_text(status: SLOStatus) -> Text:
    text = Text()
    text.append("Policy tier ", style="dim").append_text(tier_badge(status.tier))
    for action in status.tier_actions:
        text.append("\n  • ").append_text(literal(action))
    return text


class SloDetail(VerticalScroll, can_focus=False):
    DEFAULT_CSS = """
    SloDetail { height: 1fr; padding: 0 1; }
    SloDetail > Static { height: auto; }
    SloDetail > LinkList { height: auto; max-height: 5; }
    SloDetail > #slo-burn { margin-top: 1; }
    SloDetail > #slo-spark { margin-bottom: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="slo-summary")
        yield LinkList(id="slo-links")
        yield Static(id="slo-burn")
        yield Static("Budget left over the window (bar height: 0 to 100 %)", id="slo-spark-label", classes="dim")
        yield BudgetLine(id="slo-spark")
        yield Static(id="slo-policy")

    def show(self, status: SLOStatus, index: Index, now: datetime) -> None:
        self.query_one("#slo-summary", Static).update(summary(status))
        self.query_one("#slo-burn", Static).update(burn_table(status))
        spark = self.query_one(BudgetLine)
        placed = status.history_end is not None and status.history_step is not None
        spark.show(status.history, history_times(status) if placed else ())
        spark.display = self.query_one("#slo-spark-label").display = bool(status.history)
        self.query_one("#slo-policy", Static).update(policy_text(status))
        service = status.slo.service
        runbooks = [Link(line("runbook ", literal(r.title)), "runbooks", r.path) for r in index.runbooks.get(service, [])]
        card = [Link(line("service card ", literal(service, "bold")), "services", service)] \
            if service in index.services else []  # an unowned SLO has no card to open
        self.query_one(LinkList).set_sections([("Go to", [*card, *runbooks])])


class SlosPanel(Panel):
    panel_id = "slos"
    feeds = frozenset({"slos"})
    title = "SLOs"

    def __init__(self, context: PanelContext) -> None:
        super().__init__(context)
        self.shown_slo: str | None = None
        self.entered_directly = False  # esc on a detail opened from elsewhere goes back there
        self._rows = RowMemo(slo_row)

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="slos-table"):
            yield FilterTable(COLUMNS, id="slos-table", placeholder="filter SLOs")
            yield SloDetail(id="slo-detail")

    def _status(self, key: str | None) -> SLOStatus | None:
        if self.snapshot is None or key is None:
            return None
        return next((s for s in self.snapshot.slos if s.slo.key == key), None)

    def derive(self, snapshot: Snapshot, index: Index, now: datetime) -> list[SloLine]:
        return [slo_line(s, s.slo.service in index.services) for s in snapshot.slos]

    def refresh_view(self) -> None:
        if self.snapshot is None or not self.is_mounted:
            return
        self.query_one(FilterTable).set_rows(self._rows.rows(self.derived))
        self._show_detail()

    def _show_detail(self) -> None:
        status = self._status(self.shown_slo)
        switcher = self.query_one(ContentSwitcher)
        if status is None or self.index is None:
            switcher.current = "slos-table"
            return
        self.query_one(SloDetail).show(status, self.index, self.now)
        switcher.current = "slo-detail"

    def open_detail(self, key: str, *, directly: bool = False) -> bool:
        if self._status(key) is None:
            return False
        self.shown_slo, self.entered_directly = key, directly
        self.query_one(FilterTable).select_key(key)
        self._show_detail()
        self.query_one(LinkList).focus()
        return True

    @on(FilterTable.Chosen)
    def _chosen(self, event: FilterTable.Chosen) -> None:
        event.stop()
        self.open_detail(event.key)

    def focus_item(self, ref: str, origin: Origin | None = None) -> bool:
        return self.open_detail(ref, directly=self.shown_slo is None)

    def back(self) -> bool:
        if self.shown_slo is None:
            return False
        self.shown_slo = None
        self._show_detail()
        self.query_one(FilterTable).focus()
        return not self.entered_directly
