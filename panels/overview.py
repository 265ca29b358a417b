"""Overview: what is broken right now, at a glance.

Four blocks: open incidents by severity (and the worst few), SLOs by policy
tier (and the lowest budgets), runbooks past their review date, and the health
of every source with the age of its data and its last error. Each block is a
list: tab moves between blocks, enter on a count opens that panel filtered,
enter on an item opens the item.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import NamedTuple

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Static

from cockpit.service_index import Index
from cockpit.model import SEVERITIES, Snapshot, SourceHealth
from cockpit.ui.widgets.panel import Panel
from cockpit.ui.widgets.text import literal, update_if_changed
from cockpit.ui.widgets.badges import (TIER_ORDER, age, data_age, demo_badge, health_badge, percent, severity_badge, status_badge, tier_badge)
from cockpit.ui.widgets.text import line
from cockpit.ui.widgets.links import Link, LinkList
from cockpit.ui.widgets.messages import NavigateFiltered

TOP_ITEMS = 5  # items listed under each block's counts
SOURCE_WARNINGS = 3  # warnings listed under a source on the overview (the notice above a panel lists more)


Sections = list[tuple[str, list[Link]]]  # a block's sections: (title, lines)


class OverviewBlocks(NamedTuple):
    """What the four blocks show (OverviewPanel.derive)."""

    incidents: Sections
    slos: Sections
    runbooks: Sections
    sources: Text


class CountLink(Link):
    """A count line: enter opens ``panel`` filtered by ``ref`` (a filter text)."""


class OverviewList(LinkList):
    """A LinkList whose count lines jump to a filtered panel."""

    def _navigate_to(self, link: Link) -> None:
        if isinstance(link, CountLink):
            self.post_message(NavigateFiltered(link.panel, link.ref))
        else:
            super()._navigate_to(link)


def _count_label(count: int, what: Text, total_style: str = "bold") -> Text:
    return line(Text(f"{count:>3} ", style=total_style if count else "dim"), what)


def incident_block(index: Index, now: datetime) -> Sections:
    open_incidents = index.open_incidents()
    by_severity = Counter(i.severity for i in open_incidents)
    counts = [CountLink(_count_label(by_severity[sev], line(severity_badge(sev), " open")), "incidents", sev)
              for sev in SEVERITIES]
    top = []
    for incident in open_incidents[:TOP_ITEMS]:  # the hub sorts them most severe, then oldest, first
        # Alert titles often start with their service already.
        service = "" if incident.title.startswith(incident.service or "\0") else incident.owner_text
        label = line(severity_badge(incident.severity), " ", literal(service, "cyan"), " " if service else "",
                     literal(incident.title), " ", status_badge(incident.status),
                     Text(f" {age(incident.started_at, now)}", "dim"),
                     Text(" demo", "magenta") if incident.demo else "", " ", literal(incident.id, "dim"))
        top.append(Link(label, "incidents", incident.id))
    return [("By severity", counts), (f"Open ({len(open_incidents)})", top)]


def slo_block(snapshot: Snapshot) -> Sections:
    tiers = list(reversed(TIER_ORDER))
    counts = [CountLink(_count_label(sum(s.tier == tier for s in snapshot.slos), tier_badge(tier)), "slos", tier)
              for tier in tiers]
    # SLOs with no tier say why: no data at all, or too little traffic to judge.
    for data, label in (("no_data", "no data"), ("insufficient_traffic", "low traffic")):
        untiered = sum(s.tier not in TIER_ORDER and s.data == data for s in snapshot.slos)
        if untiered:
            counts.append(CountLink(_count_label(untiered, literal(label, "dim")), "slos", label))
    spent = sorted((s for s in snapshot.slos if s.budget_remaining is not None), key=lambda s: s.budget_remaining)
    lowest = []
    for status in spent[:TOP_ITEMS]:
        label = line(Text(f"{percent(status.budget_remaining):>7} ", "bold"), tier_badge(status.tier), " ",
                     literal(status.slo.service, "cyan"), " ", literal(status.slo.name))
        lowest.append(Link(label, "slos", status.slo.key))
    return [("By policy tier", counts), ("Least budget left", lowest)]


def runbook_block(snapshot: Snapshot, now: datetime) -> Sections:
    stale = [r for r in snapshot.runbooks if r.is_stale(now.date())]
    count = CountLink(_count_label(len(stale), Text(f"stale of {len(snapshot.runbooks)} (past review date)"),
                                   "bold yellow"), "runbooks", "stale")
    items = [Link(line(literal(r.title), Text(f"  {r.next_review or 'never validated'}", "dim")),
                  "runbooks", r.path) for r in stale[:TOP_ITEMS]]
    return [("Runbooks", [count]), ("Stale", items)]


def source_lines(sources: tuple[SourceHealth, ...], now: datetime) -> Text:
    text = Text()
    for health in sources:
        text.append_text(health_badge(health)).append(" ")
        text.append_text(literal(health.name, "bold"))
        if health.kind != health.name:
            text.append(f" ({health.kind})", style="dim")
        if health.demo:
            text.append(" ").append_text(demo_badge())
        if health.state == "loading":  # its first fetch is under way: nothing has failed
            text.append("  first fetch under way", style="dim")
        else:
            text.append(f"  data {data_age(health.fetched_at, now)} old" if health.fetched_at else "  no data yet",
                        style="dim")
        if health.breaker != "closed":
            text.append(f"  breaker {health.breaker}", style="yellow")
        if health.error and health.state != "loading":
            text.append("\n    ").append_text(literal(health.error, "red"))
        for warning in health.warnings[:SOURCE_WARNINGS]:
            text.append("\n    ").append_text(literal(warning, "yellow"))
        if len(health.warnings) > SOURCE_WARNINGS:
            text.append(f"\n    … and {len(health.warnings) - SOURCE_WARNINGS} more", style="dim")
        text.append("\n")
    return text if sources else Text("no sources configured", style="dim")


class OverviewPanel(Panel):
    panel_id = "overview"
    title = "Overview"

    DEFAULT_CSS = """
    OverviewPanel > Grid { grid-size: 2 2; grid-gutter: 0 1; height: 1fr; }
    OverviewPanel .block { border: round $primary 40%; border-title-style: bold; height: 1fr; }
    OverviewPanel .block:focus { border: round $accent; }
    OverviewPanel #overview-sources { overflow-y: auto; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        with Grid():
            for block_id, title in (("incidents", "Incidents"), ("slos", "SLOs"), ("runbooks", "Runbooks")):
                block = OverviewList(id=f"overview-{block_id}")
                block.add_class("block")
                block.border_title = title
                yield block
            sources = Static(id="overview-sources", classes="block")
            sources.border_title = "Sources"
            yield sources

    def derive(self, snapshot: Snapshot, index: Index, now: datetime) -> OverviewBlocks:
        return OverviewBlocks(incident_block(index, now), slo_block(snapshot), runbook_block(snapshot, now),
                              source_lines(snapshot.sources, now))

    def refresh_view(self) -> None:
        if self.snapshot is None or self.index is None or not self.is_mounted:
            return
        blocks = self.derived
        self.query_one("#overview-incidents", OverviewList).set_sections(blocks.incidents)
        self.query_one("#overview-slos", OverviewList).set_sections(blocks.slos)
        self.query_one("#overview-runbooks", OverviewList).set_sections(blocks.runbooks)
        update_if_changed(self.query_one("#overview-sources", Static), blocks.sources)
