"""Postmortem drafts: the seed's blameless template, prefilled from an incident.

Only facts the cockpit knows are filled in (title, dates, severity, services
and owners, the timeline, the error budget each SLO burned where a source
measured it); every other section keeps the template's prompt so
nobody mistakes a guess for a finding. Pure except for the file helpers at
the bottom; no Textual import.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Mapping

import yaml

from cockpit.clock import as_utc
from cockpit.postmortems.writer import CREATE, DraftWriter
from cockpit.durations import format_duration
from cockpit.frontmatter import split_front_matter
from cockpit.model import Incident, Service, SLOStatus, Snapshot, TimelineEntry
from cockpit.slo import budget_burned, burn_span
from cockpit.untrusted import clean

# The seed's template (architecture-practices.md, "Postmortem Template"), in order.
SECTIONS = (
    "Summary", "Impact", "Timeline", "Root Cause", "Contributing Factors",
    "What Went Well", "What Went Wrong", "Action Items", "Lessons Learned", "References",
)

# The template's prompts for what only people can write.
PROMPTS: Mapping[str, str] = {
    "Summary": "[One paragraph summary of what happened]",
    "Root Cause": "[What actually caused the incident?]",
    "Contributing Factors": "- [Factor 1]\n- [Factor 2]\n- [Factor 3]",
    "What Went Well": "- [Positive thing 1]\n- [Positive thing 2]",
    "What Went Wrong": "- [Issue 1]\n- [Issue 2]",
    "Action Items": (
        "| Action | Owner | Due Date | Status |\n"
        "|--------|-------|----------|--------|\n"
        "| [Action 1] | [@owner] | YYYY-MM-DD | [ ] |\n"
        "| [Action 2] | [@owner] | YYYY-MM-DD | [ ] |"
    ),
    "Lessons Learned": "- [Lesson 1]\n- [Lesson 2]",
}
_EMPTY_TIMELINE_ROWS = "| HH:MM | [Event description] |\n| HH:MM | [Event description] |"


@dataclass(frozen=True)
class SloBurn:
    """Error budget an SLO burned during the incident window (from a metrics source)."""

    service: str
    slo: str  # the SLO's name, "availability"
    burned: float  # fraction of the SLO window's budget, 0.125 = 12.5 %
    simulated: bool = False  # from the demo source, not measured
    # The interval really measured, when the SLO history's points are much
    # further apart than the incident lasted (said next to the figure).
    measured_over: timedelta | None = None


def draft_from_incident(
    incident: Incident,
    *,
    services: Mapping[str, Service],
    now: datetime,
    audit_entries: Iterable[TimelineEntry] = (),
    slo_burn: Iterable[SloBurn] = (),
    alerts: Iterable[Incident] = (),
    drill: str = "",
) -> str:
    """The postmortem draft for ``incident`` as markdown with YAML front matter.

    ``audit_entries`` are the cockpit's own actions on it (acks, silences) and
    ``alerts`` the alerts that fired for it; both join the timeline. ``drill``
    (a drill scenario's name) marks the draft as a drill's in its front matter.
    """
    incident_id, severity = _one_line(incident.id), _one_line(incident.severity)
    title = _one_line(incident.title) or incident_id
    affected = affected_services(incident)
    front = {
        "incident": incident_id,
        "source": _one_line(incident.source),
        "title": title,
        "severity": severity,
        "status": "draft",
        "created": now.astimezone(timezone.utc).isoformat(),
        "services": [_one_line(name) for name in affected],
        **({"drill": _one_line(drill)} if drill else {}),
    }
    if incident.commander:  # the practices guide: every document has an owner; the commander writes this one
        front["owner"] = _one_line(incident.commander)
    rows = timeline_rows(incident, audit_entries, alerts)
    parts = [
        "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n",
        f"# Postmortem: {title}\n",
        f"**Date**: {as_utc(incident.started_at):%Y-%m-%d}  \n"
        f"**Duration**: {_duration_line(incident)}  \n"
        f"**Severity**: {severity or 'P0 | P1 | P2 | P3'}  \n"
        f"**Status**: {_one_line(incident.status).capitalize() or 'Resolved'}  \n",
    ]
    for section in SECTIONS:
        if section == "Impact":
            body = _impact(incident, affected, services, slo_burn)
        elif section == "Timeline":
            body = _timeline_table(rows, incident)
        elif section == "References":
            body = _references(incident)
        else:
            body = PROMPTS[section]
        parts.append(f"## {section}\n\n{body}\n")
    return "\n".join(parts)


def affected_services(incident: Incident) -> tuple[str, ...]:
    return tuple(name for name in dict.fromkeys((incident.service, *incident.services)) if name)


def _one_line(text: object) -> str:
    """Untrusted text as one clean line: a draft is a file people cat and open in editors."""
    return clean(text, single_line=True)


def timeline_rows(
    incident: Incident, audit_entries: Iterable[TimelineEntry] = (), alerts: Iterable[Incident] = ()
) -> list[tuple[datetime, str]]:
    """(time, event) for everything known about the incident, oldest first."""
    rows: list[tuple[datetime, str]] = []
    for entry in (*incident.timeline, *audit_entries):
        who = f" ({clean(entry.author, single_line=True)})" if entry.author else ""
        rows.append((entry.at, f"{entry.kind}{who}: {clean(entry.text, single_line=True)}"))
    own_alert = (incident,) if incident.kind == "alert" else ()
    for alert in (*own_alert, *alerts):
        name = clean(alert.title, single_line=True)
        rows.append((alert.started_at, f"alert firing: {name}"))
        if alert.resolved_at is not None:
            rows.append((alert.resolved_at, f"alert resolved: {name}"))
    return sorted(rows, key=lambda row: as_utc(row[0]))


def slo_burns(incident: Incident, slos: Iterable[SLOStatus]) -> list[SloBurn]:
    """The error budget each SLO of the incident's services burned from its
    start to its resolution (or the evaluation, while open), for every status
    whose history covers that (cockpit.slo.budget_burned). Demo statuses count,
    marked simulated, unless a real source measured the same SLO."""
    affected = affected_services(incident)
    candidates = sorted((s for s in slos if s.slo.service in affected),
                        key=lambda s: (s.demo, affected.index(s.slo.service), s.slo.name))
    start, end = as_utc(incident.started_at), as_utc(incident.resolved_at) if incident.resolved_at else None
    burns: dict[str, SloBurn] = {}
    for status in candidates:
        burned = budget_burned(status, start, end)
        if burned is not None and status.slo.key not in burns:
            span = burn_span(status, start, end)
            lasted = (end or status.history_end) - start
            wide = span if span is not None and span > 2 * lasted else None
            burns[status.slo.key] = SloBurn(status.slo.service, status.slo.name, burned, simulated=status.demo,
                                            measured_over=wide)
    return list(burns.values())


def related_alerts(incident: Incident, incidents: Iterable[Incident], now: datetime) -> list[Incident]:
    """Alerts on the incident's services that were firing during its window."""
    affected = set(affected_services(incident))
    end = as_utc(incident.resolved_at or now)
    start = as_utc(incident.started_at)
    return [
        alert for alert in incidents
        if alert.kind == "alert" and alert is not incident and alert.service in affected
        and as_utc(alert.started_at) <= end and (alert.resolved_at is None or as_utc(alert.resolved_at) >= start)
    ]


def audit_entries_for(audit_log: Path, incident: Incident, alerts: Iterable[Incident] = ()) -> list[TimelineEntry]:
    """The cockpit's own successful writes (acks, silences, notes) on the
    incident or its alerts, read from the audit log (one JSON object a line).
    Writes to an incident log are skipped: its timeline records them already."""
    targets = {(a.source, a.id) for a in alerts}
    if incident.kind != "incident":
        targets.add((incident.source, incident.id))
    try:
        lines = Path(audit_log).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    entries = []
    for line in lines:
        try:
            entry = json.loads(line)
            when = datetime.fromisoformat(str(entry["time"]).replace("Z", "+00:00"))
        except (ValueError, KeyError, TypeError):
            continue  # a damaged line; `cockpit audit verify` reports it
        if (entry.get("source"), entry.get("target")) in targets and str(entry.get("result", "")).startswith("ok"):
            entries.append(TimelineEntry(when, "action", f"{entry.get('action')} {entry.get('target')} "
                                         f"via {entry.get('source')}", str(entry.get("user") or "")))
    return entries


def _timeline_table(rows: list[tuple[datetime, str]], incident: Incident) -> str:
    header = "| Time | Event |\n|------|-------|\n"
    if not rows:
        return header + _EMPTY_TIMELINE_ROWS
    day = as_utc(incident.started_at).date()
    lines = []
    for at, event in rows:
        at = as_utc(at)
        when = f"{at:%H:%M}" if at.date() == day else f"{at:%Y-%m-%d %H:%M}"
        lines.append(f"| {when} | {table_cell(event)} |")
    return header + "\n".join(lines)


def _impact(incident: Incident, affected: tuple[str, ...], services: Mapping[str, Service],
            slo_burn: Iterable[SloBurn]) -> str:
    duration = (format_duration(incident.resolved_at - incident.started_at)
                if incident.resolved_at else "[How long]")
    listed = ", ".join(f"{_one_line(name)} ({_owner(name, services)})" for name in affected) or "[List services]"
    lines = [
        "- **Users Affected**: [Number/percentage]",
        f"- **Duration**: {duration}",
        f"- **Services Affected**: {listed}",
        "- **Revenue Impact**: [If applicable]",
    ]
    lines += [f"- {clean(b.service, single_line=True)} {clean(b.slo, single_line=True)}: {_burned_text(b)}"
              for b in slo_burn]
    return "\n".join(lines)


def _burned_text(burn: SloBurn) -> str:
    percent = round(burn.burned * 100, 1) + 0.0  # + 0.0: no "-0.0 %"
    notes = ["simulated by the demo source"] if burn.simulated else []
    if burn.measured_over is not None:  # a short incident between sparse history points
        notes.insert(0, f"measured over the {format_duration(burn.measured_over)} around it")
    if percent < 0:  # more old errors left the rolling window than came in (cockpit.slo.budget_burned)
        notes.insert(0, f"older errors leaving the window freed {-percent:.1f}% meanwhile")
    text = (f"{percent:.1f}% of the error budget" if percent >= 0 else "no net error budget") + \
        " burned during the incident"
    return text + (f" ({'; '.join(notes)})" if notes else "")


def _owner(name: str, services: Mapping[str, Service]) -> str:
    service = services.get(name)
    return f"owner: {_one_line(service.owner)}" if service else "not in the catalog"


def _references(incident: Incident) -> str:
    lines = [f"- Incident {_one_line(incident.id)} (source: {_one_line(incident.source)})"]
    if incident.url:
        lines.append(f"- {clean(incident.url, single_line=True)}")
    if incident.runbook:
        lines.append(f"- Runbook: {clean(incident.runbook, single_line=True)}")
    lines.append("- [Links to monitoring, logs, etc.]")
    return "\n".join(lines)


def _duration_line(incident: Incident) -> str:
    start = f"{as_utc(incident.started_at):%Y-%m-%d %H:%M} UTC"
    if incident.resolved_at is None:
        return f"{start} - [End time: not resolved yet]"
    end = f"{as_utc(incident.resolved_at):%Y-%m-%d %H:%M} UTC"
    return f"{start} - {end} ({format_duration(incident.resolved_at - incident.started_at)})"


def table_cell(text: str) -> str:
    """A markdown table cell: a pipe would split the row."""
    return text.replace("\\", "\\\\").replace("|", "\\|")


# -- front matter edits ------------------------------------------------------



def export_markdown(text: str) -> str:
    """The draft as it is handed in: the markdown without the cockpit's front matter."""
    _, body, _ = split_front_matter(text)
    return body.lstrip("\r\n")


def set_status(text: str, status: str) -> str:
    """``text`` with the front matter's top-level ``status:`` set to ``status``."""
    return set_field(text, "status", status)


def set_field(text: str, key: str, value: str) -> str:
    """``text`` with the front matter's top-level ``key:`` set to ``value``
    (added when missing); every other byte is kept, comments and key order too,
    so it is an edit, not a rewrite. ValueError when there is no front matter."""
    _, _, body_line = split_front_matter(text)
    if body_line == 1:
        raise ValueError(f"no front matter (a '---' block at the top) to keep the {key} in")
    line_of_key = re.compile(rf"^{re.escape(key)}[ \t]*:.*?(\r?\n)?$")
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    lines = text.removeprefix("\ufeff").splitlines(keepends=True)
    close = body_line - 2  # the closing '---' line
    for index in range(1, close):
        match = line_of_key.match(lines[index])
        if match:
            lines[index] = f"{key}: {value}{match.group(1) or ''}"
            break
    else:
        newline = "\r\n" if lines[0].endswith("\r\n") else "\n"
        lines.insert(close, f"{key}: {value}{newline}")
    return bom + "".join(lines)


# -- files -----------------------------------------------------------------

def draft_path(folder: Path, incident: Incident) -> Path:
    """Where the draft for ``incident`` lives: <start date>-<incident id>.md."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", incident.id).strip("-.") or "incident"
    return Path(folder) / f"{as_utc(incident.started_at):%Y-%m-%d}-{slug}.md"


def write_new_draft(writer: DraftWriter, folder: Path, incident: Incident, snapshot: Snapshot, *, audit_log: Path,
                    now: datetime, drill: str = "") -> tuple[Path, str]:
    """Draft ``incident``'s postmortem from what ``snapshot`` knows (owners,
    related alerts, SLO burn) and the audit log, and write it as a new file:
    its path and any warning to show. Raises WriteRefused or OSError."""
    alerts = related_alerts(incident, snapshot.incidents, now)
    text = draft_from_incident(
        incident, services={s.name: s for s in snapshot.services}, now=now, alerts=alerts,
        audit_entries=audit_entries_for(audit_log, incident, alerts), slo_burn=slo_burns(incident, snapshot.slos),
        drill=drill,
    )
    path = draft_path(folder, incident)
    return path, writer.write(CREATE, path, text)
