"""The incident detail view: everything known about one incident (owner,
roles, escalation path and who is on call, labels, timeline) and what to do
next. Pure rendering: the Incidents panel shows it and handles the keys."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from cockpit.durations import format_duration
from cockpit.service_index import Index, escalation_due
from cockpit.model import Incident, Runbook, waiting_text
from cockpit.ui.widgets.badges import age, clock_time, demo_badge, severity_badge, status_badge
from cockpit.ui.widgets.text import literal


def runbook_for(incident: Incident, index: Index) -> Runbook | None:
    """The local runbook the incident's own runbook (an alert's runbook_url)
    names; only an incident naming none gets its service's first. An alert's
    own runbook wins: its service's may be about something else entirely."""
    if incident.runbook:
        return index.runbook(incident.runbook)
    return next(iter(index.runbooks.get(incident.service, ())), None) if incident.service else None


def incident_detail(incident: Incident, index: Index, now: datetime) -> Text:
    """Everything known about one incident, and what to do next."""
    text = Text()

    def heading(title: str) -> None:
        text.append(f"\n{title}\n", style="bold underline")

    def fact(label: str, value: Text | str) -> None:
        text.append(f"{label:<14}", style="bold")
        text.append_text(value if isinstance(value, Text) else literal(value))
        text.append("\n")

    text.append_text(severity_badge(incident.severity))
    text.append("  ")
    text.append_text(literal(incident.title, "bold"))
    text.append("  ")
    text.append_text(status_badge(incident.status))
    if incident.demo:
        text.append("  ")
        text.append_text(demo_badge())
    text.append("\n\n")
    fact("Id", incident.id)
    fact("Kind", incident.kind)
    fact("Source", incident.source)
    service = index.services.get(incident.service)
    owner = f" (owner {service.owner})" if service else ("" if not incident.service else " (not in the catalog)")
    fact("Service", literal(incident.owner_text + owner))
    if len(incident.services) > 1:
        fact("Services", ", ".join(incident.services))
    fact("Started", f"{incident.started_at:%Y-%m-%d %H:%M %Z} ({age(incident.started_at, now)} ago)")
    if incident.resolved_at:
        fact("Resolved", f"{incident.resolved_at:%Y-%m-%d %H:%M %Z} "
                         f"(after {age(incident.started_at, incident.resolved_at)})")
    if incident.commander:
        fact("Commander", incident.commander)
    for role, person in incident.roles.items():
        if role != "commander":
            fact(role.capitalize(), person)
    fact("Acknowledged", "yes" if incident.acknowledged else "no")
    if incident.silenced:
        fact("Silenced", "yes")
    if incident.instances:
        fact("Instances", ", ".join(incident.instances))
    if incident.url:
        fact("URL", incident.url)
    runbook = runbook_for(incident, index)
    fact("Runbook", f"{runbook.title} ({runbook.path})  [u opens it]" if runbook
         else (f"{incident.runbook}  [u or y copies the URL]" if incident.runbook else "none"))

    heading("Escalation")
    due = escalation_due(incident, service, now)
    if due:
        text.append(f"⚠ {due}\n", style="bold red")
    for step in service.escalation_path if service else ():
        when = "first" if step.level <= 1 else f"after {format_duration(step.after)}"
        text.append(f"  L{step.level} ", style="bold")
        text.append_text(literal(step.contact))
        text.append(f"  {when}{'  (critical only)' if step.critical_only else ''}\n", style="dim")
    if service is None or not service.escalation_path:
        text.append("  no escalation path known\n", style="dim")
    oncall = index.oncall.get(incident.service, [])
    for person in oncall:
        ended = person.until is not None and person.until <= now
        until = f" {'ended' if ended else 'until'} {clock_time(person.until, now)}" if person.until else ""
        text.append("  on call: ", style="bold")
        text.append_text(literal(f"L{person.level} {person.user}{until} ({person.escalation_policy})"))
        if ended:
            text.append("  stale: that shift is over", style="bold yellow")
        text.append("\n")
    if not oncall and service is not None and not service.on_call:
        text.append("  on call: nobody (on_call: false in the catalog)\n", style="yellow")
    elif not oncall:
        text.append("  on call: unknown (no on-call source for this service)\n", style="dim")

    for title, mapping in (("Labels", incident.labels), ("Annotations", incident.annotations)):
        if mapping:
            heading(title)
            for key, value in sorted(mapping.items()):
                text.append_text(literal(f"  {key}", "bold"))
                text.append(" = ")
                text.append_text(literal(value, single_line=False))
                text.append("\n")

    heading("Timeline")
    waiting = [entry.kind for entry in incident.timeline if entry.waiting]
    if waiting:  # typed while the incident log was unreachable: sent once it is back
        text.append(f"⏳ {waiting_text(waiting)}\n", style="bold yellow")
    for entry in sorted(incident.timeline, key=lambda e: e.at):
        text.append(f"  {entry.at:%m-%d %H:%M}  ", style="dim")
        text.append(f"{entry.kind:<9}", style="bold")
        if entry.author:  # who wrote it, and from which host
            text.append_text(literal(f"{entry.author}@{entry.host}" if entry.host else entry.author, "italic"))
            text.append("  ")
        text.append_text(literal(entry.text))
        if entry.waiting:
            text.append("  (waiting to be written)", style="dim yellow")
        text.append("\n")
    if not incident.timeline:
        text.append("  no entries yet (n adds a note)\n", style="dim")
    return text
