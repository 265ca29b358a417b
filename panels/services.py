"""Services: who owns what, and the service card an on-call engineer needs.

The table lists every catalog service; enter opens its card (owner, contact,
escalation path with timing, who is on call now, dependencies both ways, data
domains) with selectable links to its SLOs, incidents, runbooks and to the
services it touches. esc walks back through the cards, then to the table.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, Static

from cockpit.durations import format_duration
from cockpit.service_index import Index, OnCallNow, escalation_due, on_call_now
from cockpit.model import ApiLink, Incident, Service, severity_rank
from cockpit.ui.widgets.messages import Origin
from cockpit.ui.widgets.panel import Panel, PanelContext
from cockpit.ui.widgets.text import literal
from cockpit.ui.widgets.badges import age, clock_time, percent, severity_badge, status_badge, tier_badge, worst_tier
from cockpit.ui.widgets.text import line
from cockpit.ui.widgets.rows import Column, Row
from cockpit.ui.widgets.filter_table import FilterTable
from cockpit.ui.widgets.links import Link, LinkList

COLUMNS = (
    Column("name", "Service", sortable=True, min_width=14),
    Column("owner", "Owner", sortable=True, min_width=12, takes_the_rest=True),
    Column("oncall", "On call now"),
    Column("incidents", "Incidents", sortable=True),
    Column("tier", "SLO tier", sortable=True),
)


def on_call_text(on_call: OnCallNow, now: datetime, *, short: bool = False) -> Text:
    """Who is on call, as sure as the data is: a shift the on-call source
    reports is bold, one that ended is marked stale, a catalog guess is dim,
    and a service nobody is on call for says so."""
    if on_call.how == "off":
        return Text("not on call" if short else "nobody: not on call (on_call: false in the catalog)", "yellow")
    if on_call.how == "ended":
        ended = clock_time(on_call.ended, now) if on_call.ended else "?"
        return line(literal(on_call.who, "dim"), Text(" stale" if short else f"  stale: the on-call source's "
                                                      f"last shift ended {ended}", "bold yellow"))
    if on_call.how == "catalog":
        return line(literal(on_call.who or "—", "dim"), "" if short else
                    Text("  (first on the escalation path; no on-call data)", "dim"))
    return literal(on_call.who, "" if short else "bold")


def open_incidents(service: str, index: Index) -> list[Incident]:
    return [i for i in index.incidents.get(service, []) if i.is_open]


def _severity_rank(incident: Incident) -> int:
    return severity_rank(incident.severity)


def service_row(service: Service, index: Index, now: datetime) -> Row:
    incidents = sorted(open_incidents(service.name, index), key=_severity_rank)
    count = line(str(len(incidents)), " (", severity_badge(incidents[0].severity), ")") if incidents \
        else Text("0", style="dim")
    tier = worst_tier(s.tier for s in index.slos.get(service.name, []))
    tier_rank = ("", "healthy", "warning", "critical", "exhausted").index(tier)
    return Row(
        service.name,
        (literal(service.name, "bold"), literal(service.owner),
         on_call_text(on_call_now(service, index, now), now, short=True),
         count, tier_badge(tier, short=True) if index.slos.get(service.name) else Text("no SLO", style="dim")),
        sort_values={"name": service.name, "owner": service.owner,
                     "incidents": (len(incidents), -_severity_rank(incidents[0]) if incidents else 0),
                     "tier": tier_rank},
        search_text=" ".join((service.description, tier, *service.data_domains)),
    )


class ServiceCard(Vertical):
    """Everything about one service; the links below the summary are selectable."""

    DEFAULT_CSS = """
    ServiceCard { height: 1fr; padding: 0 1; }
    ServiceCard > #card-summary { height: auto; max-height: 60%; }
    ServiceCard > LinkList { height: 1fr; margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="card-summary")
        yield LinkList(id="card-links")

    def show(self, service: Service, index: Index, now: datetime) -> None:
        self.query_one("#card-summary", Static).update(card_summary(service, index, now))
        self.query_one(LinkList).set_sections(card_links(service, index, now))


def card_summary(service: Service, index: Index, now: datetime) -> Text:
    text = Text()
    text.append_text(literal(service.name, "bold reverse"))
    text.append("  ")
    text.append_text(literal(service.owner, "bold"))
    if service.tier:
        text.append("  tier ").append_text(literal(service.tier))
    text.append("\n")
    if service.description:
        text.append_text(literal(service.description, "italic")).append("\n")
    text.append("Primary contact  ", style="dim").append_text(literal(service.primary_contact or "—")).append("\n")
    text.append("On call now      ", style="dim").append_text(on_call_text(on_call_now(service, index, now), now))
    text.append("\n")
    text.append("Escalation       ", style="dim")
    if not service.escalation_path:
        text.append("none in the catalog\n", style="bold red")
    for n, step in enumerate(service.escalation_path):
        text.append("                 " if n else "")
        text.append(f"L{step.level} ", style="bold")
        text.append_text(literal(step.contact))
        when = "at once" if not step.after else f"after {format_duration(step.after)} unacknowledged"
        text.append(f"  {when}{', P0 only' if step.critical_only else ''}\n", style="dim")
    due = [d for i in open_incidents(service.name, index) if (d := escalation_due(i, service, now))]
    if due:
        text.append("                 ").append_text(literal(due[0], "bold red")).append("\n")
    text.append("Data domains     ", style="dim").append_text(literal(", ".join(service.data_domains) or "—"))
    if service.system:
        text.append("\nSystem           ", style="dim").append_text(literal(service.system))
        if service.domain:
            text.append("  domain ", style="dim").append_text(literal(service.domain))
    for n, member in enumerate(service.members[:_MEMBERS_SHOWN]):
        text.append("\nTeam members     " if n == 0 else "\n                 ", style="dim")
        text.append_text(literal(member))
    if len(service.members) > _MEMBERS_SHOWN:
        text.append(f"\n                 and {len(service.members) - _MEMBERS_SHOWN} more", style="dim")
    return text


_MEMBERS_SHOWN = 8


def _api_label(api: ApiLink, *rest: Text | str) -> Text:
    return line(literal(api.name, "bold"), Text(f"  {api.type}", "dim") if api.type else "",
                "  ", literal(api.description, "italic"), *rest)


def api_links(service: Service, index: Index) -> list[tuple[str, list[Link]]]:
    """Backstage's API relations, each leading to the service at the other
    end (who consumes what this service provides, who provides what it uses)."""
    def others(name: str, side: str) -> list[str]:
        return sorted(s.name for s in index.services.values() if s.name != service.name
                      and any(a.name == name for a in getattr(s, side)))

    provided = []
    for api in service.provides_apis:
        users = others(api.name, "consumes_apis")
        provided += [Link(_api_label(api, Text("  used by ", "dim"), literal(user)), "services", user) for user in users] \
            or [Link(_api_label(api, Text("  no consumer in the catalog", "dim")), "services", service.name)]
    consumed = []
    for api in service.consumes_apis:
        providers = others(api.name, "provides_apis")
        consumed += [Link(_api_label(api, Text("  from ", "dim"), literal(p)), "services", p) for p in providers] \
            or [Link(_api_label(api, Text("  no provider in the catalog", "red")), "services", api.name)]
    return [("Provides APIs", provided), ("Consumes APIs", consumed)] if provided or consumed else []


def card_links(service: Service, index: Index, now: datetime) -> list[tuple[str, list[Link]]]:
    def service_link(name: str) -> Link:
        known = name in index.services
        label = line(literal(name, "" if known else "red"), "" if known else Text(" (not in the catalog)", "dim"))
        return Link(label, "services", name)

    slos = []
    for status in index.slos.get(service.name, []):
        label = line(literal(status.slo.name, "bold"), "  ", literal(status.slo.target_text or
                     percent(status.slo.objective, 2)), f"  budget {percent(status.budget_remaining)}  ",
                     tier_badge(status.tier), Text(" demo", "magenta") if status.demo else "")
        slos.append(Link(label, "slos", status.slo.key))
    incidents = []
    for incident in sorted(open_incidents(service.name, index), key=_severity_rank):
        label = line(severity_badge(incident.severity), " ", literal(incident.id, "bold"), " ",
                     literal(incident.title), "  ", status_badge(incident.status),
                     Text(f" {age(incident.started_at, now)}", "dim"))
        incidents.append(Link(label, "incidents", incident.id))
    runbooks = []
    for runbook in index.runbooks.get(service.name, []):
        label = line(literal(runbook.title), Text("  stale", "bold yellow") if runbook.is_stale(now.date()) else "")
        runbooks.append(Link(label, "runbooks", runbook.path))
    return [
        ("Open incidents", incidents),
        ("SLOs", slos),
        ("Runbooks", runbooks),
        ("Depends on", [service_link(name) for name in service.depends_on]),
        ("Depended on by", [service_link(name) for name in index.dependents.get(service.name, [])]),
        *api_links(service, index),
    ]


class ServicesPanel(Panel):
    panel_id = "services"
    feeds = frozenset({"catalog", "oncall"})
    title = "Services"

    def __init__(self, context: PanelContext) -> None:
        super().__init__(context)
        self.card_stack: list[str] = []  # services whose cards were opened, last = shown
        # The first card came from another panel (drill-down, palette): esc on
        # it returns there rather than to this table (k9s' back).
        self.entered_directly = False

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="services-table"):
            yield FilterTable(COLUMNS, id="services-table", placeholder="filter services")
            yield ServiceCard(id="service-card")

    @property
    def shown_service(self) -> str | None:
        return self.card_stack[-1] if self.card_stack else None

    def refresh_view(self) -> None:
        if self.index is None or not self.is_mounted:
            return
        services = sorted(self.index.services.values(), key=lambda s: s.name)
        self.query_one(FilterTable).set_rows(service_row(s, self.index, self.now) for s in services)
        self._show_card()

    def _show_card(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        name = self.shown_service
        service = self.index.services.get(name) if (self.index and name) else None
        if service is None:
            switcher.current = "services-table"
            return
        self.query_one(ServiceCard).show(service, self.index, self.now)
        switcher.current = "service-card"

    def open_card(self, name: str, *, directly: bool = False) -> bool:
        if self.index is None or name not in self.index.services:
            return False
        if not self.card_stack:
            self.entered_directly = directly
        if self.shown_service != name:
            self.card_stack.append(name)
        self.query_one(FilterTable).select_key(name)
        self._show_card()
        self.query_one(LinkList).focus()
        return True

    @on(FilterTable.Chosen)
    def _chosen(self, event: FilterTable.Chosen) -> None:
        event.stop()
        self.open_card(event.key)

    def focus_item(self, ref: str, origin: Origin | None = None) -> bool:
        return self.open_card(ref, directly=not self.card_stack)

    def back(self) -> bool:
        if not self.card_stack:
            return False
        self.card_stack.pop()
        self._show_card()
        if self.card_stack:
            self.query_one(LinkList).focus()
            return True
        self.query_one(FilterTable).focus()
        return not self.entered_directly
