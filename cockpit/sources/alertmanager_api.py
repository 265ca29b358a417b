"""Alertmanager v2 API JSON to cockpit objects and back: alert groups to
Sightings, held alerts to Incidents, silences to Silence, and the body of a
new silence. Pure (no HTTP), so the alertmanager source only fetches, merges
and writes.
"""

from __future__ import annotations

from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any, Mapping, Sequence

from cockpit.alerts import Held, Matcher, MatcherError, Sighting, Silence, format_labels
from cockpit.model import SEVERITIES, Incident, frozen_map

DEFAULT_SEVERITY_MAP: Mapping[str, str] = {
    "critical": "P1", "page": "P1",
    "high": "P2", "error": "P2", "major": "P2",
    "warning": "P3", "minor": "P3", "low": "P3", "info": "P3",
}
DEFAULT_SEVERITY = "P3"  # an alert with no (known) severity label
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)  # start time of an alert that gives none


def sightings_of(groups: list) -> list[Sighting]:
    """Every alert in a reply to /api/v2/alerts/groups, with the group it is
    in; entries too broken to show (not an object, no labels) are skipped."""
    sightings = []
    for group in groups:
        if type(group) is not dict:
            continue
        group_key = format_labels(_str_map(group.get("labels")))
        for raw in group.get("alerts") or ():
            labels = _str_map(raw.get("labels")) if type(raw) is dict else None
            if not labels:
                continue
            status = raw.get("status")
            if type(status) is not dict:
                state = "firing"
            else:
                state = "silenced" if status.get("silencedBy") else "inhibited" if status.get("inhibitedBy") \
                    else "firing"
            key = raw.get("fingerprint")
            key = key if type(key) is str and key else str(key or format_labels(labels))
            sightings.append(Sighting(key, state, _time(raw.get("startsAt")), (raw, labels, group_key)))
    return sightings


def to_incident(held: Held, *, source: str, service_labels: Sequence[str],
                severity_map: Mapping[str, str]) -> Incident:
    """One alert (however many instances hold it) as an incident."""
    raw, labels, group = held.first.payload
    annotations = _str_map(raw.get("annotations"))
    summary = annotations.get("summary") or annotations.get("description") or ""
    alertname = labels.get("alertname", "")
    return Incident(
        id=held.first.key,
        title=f"{alertname}: {summary}" if alertname and summary else alertname or summary,
        severity=severity_of(labels, severity_map),
        status=held.status,
        service=next((labels[n] for n in service_labels if labels.get(n)), ""),
        started_at=held.started_at,
        source=source,
        kind="alert",
        silenced=held.status == "silenced",
        labels=MappingProxyType(labels),
        annotations=MappingProxyType(annotations),
        instances=held.instances,
        runbook=annotations.get("runbook_url") or annotations.get("runbook") or "",
        url=str(raw.get("generatorURL") or ""),
        group=group,
    )


def severity_of(labels: Mapping[str, str], severity_map: Mapping[str, str]) -> str:
    value = labels.get("severity", "")
    if value in SEVERITIES:
        return value
    return severity_map.get(value.lower(), DEFAULT_SEVERITY)


def silences_of(data: Any, instance: str, source: str) -> list[Silence]:
    """The silences in a reply to /api/v2/silences from ``instance``."""
    silences = []
    for raw in data if isinstance(data, list) else ():
        try:
            silences.append(Silence(
                id=str(raw["id"]),
                matchers=tuple(Matcher.from_api(m) for m in raw.get("matchers") or ()),
                starts_at=_time(raw.get("startsAt")),
                ends_at=_time(raw.get("endsAt")),
                created_by=str(raw.get("createdBy") or ""),
                comment=str(raw.get("comment") or ""),
                state=str((raw.get("status") or {}).get("state") or ""),
                ids=((instance, str(raw["id"])),),
                source=source,
                annotations=frozen_map(_str_map(raw.get("annotations"))),
            ))
        except (KeyError, TypeError, AttributeError, MatcherError):
            continue  # one malformed silence must not hide the rest
    return silences


def silence_body(matchers: Sequence[Matcher], starts: datetime, ends: datetime, *, created_by: str,
                 comment: str) -> dict:
    """What to POST to /api/v2/silences."""
    return {
        "matchers": [m.to_api() for m in matchers],
        "startsAt": _iso(starts),
        "endsAt": _iso(ends),
        "createdBy": created_by,
        "comment": comment,
    }


def _str_map(value: Any) -> dict[str, str]:
    """A JSON object as a dict of strings (cheap check: this runs per alert).
    Already all strings, it is returned as it is, not copied: it comes from
    a reply parsed for this fetch alone, and nothing changes it."""
    if type(value) is not dict:
        return {}
    for item in value.values():
        if type(item) is not str:
            return {str(k): str(v) for k, v in value.items()}
    return value


def _time(value: Any) -> datetime:
    try:
        when = datetime.fromisoformat(value if type(value) is str else str(value))
    except ValueError:
        return EPOCH
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")
