"""A row of the services table, and who is on call as sure as the data is."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from rich.text import Text

from cockpit.model import Incident, Service, severity_rank
from cockpit.service_index import Index, OnCallNow, on_call_now
from cockpit.ui.widgets.badges import TIER_ORDER, clock_time, severity_badge, tier_badge, worst_tier
from cockpit.ui.widgets.rows import Column, Row
from cockpit.ui.widgets.text import line, literal

COLUMNS = (
    Column("name", "Service", sortable=True, min_width=14),
    Column("owner", "Owner", sortable=True, min_width=12, takes_the_rest=True),
    Column("oncall", "On call now"),
    Column("incidents", "Incidents", sortable=True),
    Column("tier", "SLO tier", sortable=True),
)
TIER_RANK = ("", *TIER_ORDER)  # sorts the tier column: no SLO first, then best to worst


def on_call_text(on_call: OnCallNow, now: datetime | None = None, *, short: bool = False) -> Text:
    """Who is on call, as sure as the data is: a shift the on-call source
    reports is bold, one that ended is marked stale (with, in the long form,
    when it ended as of ``now``), a catalog guess is dim, and a service
    nobody is on call for says so."""
    if on_call.how == "off":
        return Text("not on call" if short else "nobody: not on call (on_call: false in the catalog)", "yellow")
    if on_call.how == "ended":
        ended = clock_time(on_call.ended, now) if on_call.ended and now else "?"
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


class ServiceLine(NamedTuple):
    """What a service's row shows, as plain values: its row is made again
    only when one of them changed (RowMemo)."""

    name: str
    owner: str
    on_call: OnCallNow  # in the short form: who and how sure
    incidents: int  # open ones
    worst_severity: str  # of the open incidents ("" when none)
    tier: str  # the worst of its SLOs' tiers
    has_slos: bool
    search_text: str


def service_line(service: Service, index: Index, now: datetime) -> ServiceLine:
    incidents = open_incidents(service.name, index)
    worst = min(incidents, key=incident_rank).severity if incidents else ""
    on_call = on_call_now(service, index, now)
    slos = index.slos.get(service.name, [])
    tier = worst_tier(s.tier for s in slos)
    return ServiceLine(service.name, service.owner, OnCallNow(on_call.who, on_call.how), len(incidents), worst, tier,
                       bool(slos), " ".join((service.description, tier, *service.data_domains)))


def service_row(shown: ServiceLine) -> Row:
    count = line(str(shown.incidents), " (", severity_badge(shown.worst_severity), ")") if shown.incidents \
        else Text("0", style="dim")
    return Row(
        shown.name,
        (literal(shown.name, "bold"), shown.owner, on_call_text(shown.on_call, short=True), count,
         tier_badge(shown.tier, short=True) if shown.has_slos else Text("no SLO", style="dim")),
        sort_values={"name": shown.name, "owner": shown.owner,
                     "incidents": (shown.incidents, -severity_rank(shown.worst_severity) if shown.incidents else 0),
                     "tier": TIER_RANK.index(shown.tier)},
        search_text=shown.search_text,
    )
