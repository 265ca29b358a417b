"""A row of the services table, and who is on call as sure as the data is."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from cockpit.model import Incident, Service, severity_rank
from cockpit.service_index import Index, OnCallNow, on_call_now
from cockpit.ui.widgets.badges import clock_time, severity_badge, tier_badge, worst_tier
from cockpit.ui.widgets.rows import Column, Row
from cockpit.ui.widgets.text import line, literal

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


def incident_rank(incident: Incident) -> int:
    return severity_rank(incident.severity)


def service_row(service: Service, index: Index, now: datetime) -> Row:
    incidents = sorted(open_incidents(service.name, index), key=incident_rank)
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
                     "incidents": (len(incidents), -incident_rank(incidents[0]) if incidents else 0),
                     "tier": tier_rank},
        search_text=" ".join((service.description, tier, *service.data_domains)),
    )
