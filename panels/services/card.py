"""The service card: a summary of everything about one service, then
selectable links to its incidents, SLOs, runbooks and neighbours.

A new fact on the card is a section function: ``(service, index, now)`` to a
``Text`` (or None when it has nothing to say) in ``SUMMARY_SECTIONS``, or to
a list of ``(title, links)`` in ``LINK_SECTIONS``. Each lives in its own
module next to this one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from cockpit.durations import format_duration
from cockpit.model import ApiLink, Service
from cockpit.panels.services.dr import dr_summary
from cockpit.panels.services.flags import flags_summary
from cockpit.panels.services.adrs import adr_links
from cockpit.panels.services.rows import incident_rank, on_call_text, open_incidents
from cockpit.service_index import Index, escalation_due, on_call_now
from cockpit.ui.widgets.badges import age, percent, severity_badge, status_badge, tier_badge
from cockpit.ui.widgets.links import Link, LinkList
from cockpit.ui.widgets.text import line, literal

LinkSections = list[tuple[str, list[Link]]]
SummarySection = Callable[[Service, Index, datetime], "Text | None"]
LinkSection = Callable[[Service, Index, datetime], LinkSections]


class ServiceCard(Vertical):
    """Everything about one service; the links below the summary are selectable."""

    DEFAULT_CSS = """
    ServiceCard { height: 1fr; padding: 0 1; }
    ServiceCard > #card-summary-scroll { height: auto; max-height: 60%; }
    ServiceCard #card-summary { height: auto; }
    ServiceCard > LinkList { height: 1fr; margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        # The summary scrolls when it is taller than its room (recovery facts
        # and flags below the ownership on a 24-row terminal).
        with VerticalScroll(id="card-summary-scroll"):
            yield Static(id="card-summary")
        yield LinkList(id="card-links")

    def show(self, service: Service, index: Index, now: datetime) -> None:
        self.query_one("#card-summary", Static).update(card_summary(service, index, now))
        self.query_one(LinkList).set_sections(card_links(service, index, now))


def ownership_summary(service: Service, index: Index, now: datetime) -> Text:
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


def api_links(service: Service, index: Index) -> LinkSections:
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


def related_links(service: Service, index: Index, now: datetime) -> LinkSections:
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
    for incident in sorted(open_incidents(service.name, index), key=incident_rank):
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


# The card's parts, top to bottom.
SUMMARY_SECTIONS: tuple[SummarySection, ...] = (ownership_summary, dr_summary, flags_summary)
LINK_SECTIONS: tuple[LinkSection, ...] = (related_links, adr_links)


def card_summary(service: Service, index: Index, now: datetime) -> Text:
    parts = [text for section in SUMMARY_SECTIONS if (text := section(service, index, now))]
    return Text("\n").join(parts)


def card_links(service: Service, index: Index, now: datetime) -> LinkSections:
    return [part for section in LINK_SECTIONS for part in section(service, index, now)]
