"""Alertmanager v2 API JSON to cockpit objects and back: alert groups to
Sightings, held alerts to Incidents, silences to Silence, and the body of a
new silence. Pure (no HTTP), so the alertmanager source only fetches, merges
and writes.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import partial
from types import MappingProxyType
from typing import Any, Mapping, Sequence

import msgspec

from cockpit.alerts import Held, Matcher, MatcherError, Sighting, Silence, dedupe, format_labels, sort_alerts
from cockpit.model import SEVERITIES, Incident, frozen_map

DEFAULT_SEVERITY_MAP: Mapping[str, str] = {
    "critical": "P1", "page": "P1",
    "high": "P2", "error": "P2", "major": "P2",
    "warning": "P3", "minor": "P3", "low": "P3", "info": "P3",
}
DEFAULT_SEVERITY = "P3"  # an alert with no (known) severity label
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)  # start time of an alert that gives none
# Label and annotation values are cut to this many characters as they are
# read: one 1 MB annotation took 3.3 s to draw and to leave the detail view.
MAX_VALUE_CHARS = 8192
TRUNCATED = "…(truncated)"


# The reply's shape as Alertmanager sends it, only the fields read here: msgspec
# decodes 5 MB (10,000 alerts) into these in ~18 ms, against ~45 ms for
# json.loads plus ~25 ms to walk the dicts, and skips the rest (receivers,
# endsAt, updatedAt...). gc=False: decoded JSON holds no cycles, so the
# collector need not track 10,000 more objects per reply.
class _Status(msgspec.Struct, gc=False):
    silencedBy: Any = None
    inhibitedBy: Any = None


class _Alert(msgspec.Struct, gc=False):
    labels: dict[str, str]
    annotations: dict[str, str] = {}
    fingerprint: str | None = None
    startsAt: str | None = None
    status: _Status | None = None
    generatorURL: str | None = None


class _Group(msgspec.Struct, gc=False):
    labels: dict[str, str] = {}
    alerts: list[_Alert] = []


_GROUPS = msgspec.json.Decoder(list[_Group])


def decode_groups(body: bytes) -> list[Sighting] | None:
    """sightings_of(json.loads(body)), faster, for a reply shaped exactly as
    the API says; None for anything else (not JSON, a wrong type anywhere),
    which the caller then reads with json and sightings_of: a malformed
    entry is skipped there, never fails the fetch."""
    try:
        groups = _GROUPS.decode(body)
    except msgspec.DecodeError:
        return None
    sightings, times = [], {}  # startsAt repeats: alerts of one rule evaluation share it
    for group in groups:
        group_key = format_labels(_capped(group.labels))
        for alert in group.alerts:
            labels = alert.labels
            if not labels:
                continue
            status = alert.status
            state = "firing" if status is None else "silenced" if status.silencedBy else \
                "inhibited" if status.inhibitedBy else "firing"
            started = times.get(alert.startsAt)
            if started is None:
                started = times[alert.startsAt] = _time(alert.startsAt)
            sightings.append(Sighting(alert.fingerprint or format_labels(labels), state, started,
                                      (_capped(labels), _capped(alert.annotations),
                                       _cut(alert.generatorURL or ""), group_key)))
    return sightings


def sightings_of(groups: list) -> list[Sighting]:
    """Every alert in a reply to /api/v2/alerts/groups, with the group it is
    in; entries too broken to show (not an object, no labels) are skipped.
    A Sighting's payload is (labels, annotations, generatorURL, group key)."""
    sightings = []
    for group in groups:
        if type(group) is not dict:
            continue
        group_key = format_labels(_capped(_str_map(group.get("labels"))))
        for raw in group.get("alerts") or ():
            labels = _capped(_str_map(raw.get("labels"))) if type(raw) is dict else None
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
            payload = (labels, _capped(_str_map(raw.get("annotations"))), _cut(str(raw.get("generatorURL") or "")),
                       group_key)
            sightings.append(Sighting(key, state, _time(raw.get("startsAt")), payload))
    return sightings


def to_incident(held: Held, *, source: str, service_labels: Sequence[str],
                severity_map: Mapping[str, str]) -> Incident:
    """One alert (however many instances hold it) as an incident."""
    labels, annotations, url, group = held.first.payload
    summary = annotations.get("summary") or annotations.get("description") or ""
    alertname = labels.get("alertname", "")
    return Incident(
        id=held.first.key,
        title=f"{alertname}: {summary}" if alertname and summary else alertname or summary,
        severity=severity_of(labels, severity_map),
        status=held.status,
        service=_first_label(labels, service_labels),
        started_at=held.started_at,
        source=source,
        kind="alert",
        silenced=held.status == "silenced",
        labels=MappingProxyType(labels),
        annotations=MappingProxyType(annotations),
        instances=held.instances,
        runbook=annotations.get("runbook_url") or annotations.get("runbook") or "",
        url=url,
        group=group,
    )


class AlertMerge:
    """One fetch's alerts, from each instance's sightings to sorted Incidents
    (what sort_alerts over to_incident of every dedupe result gives).

    An HA pair's replies arrive ~100 ms apart and mostly agree. ahead() turns
    the first reply in into Incidents while the others are on their way,
    guessing every instance holds every alert; merge(), after the last,
    reuses each Incident the guess got right (same first payload, state,
    start and instances) and builds only the rest, so building 10,000
    Incidents and sorting them is off the path from last reply to snapshot.

    Given the ``previous`` fetch's merge, an alert that has not changed
    since keeps its Incident object: the Incidents panel then knows its row
    is current by identity, on the event loop, instead of comparing 10,000
    Incidents field by field (~60 ms every refresh); the comparison here
    runs in the fetch's worker thread."""

    def __init__(self, instances: Sequence[str], *, source: str, service_labels: Sequence[str],
                 severity_map: Mapping[str, str], previous: "AlertMerge | None" = None) -> None:
        self._everywhere = tuple(instances)
        self._incident = partial(to_incident, source=source, service_labels=service_labels,
                                 severity_map=severity_map)
        self._ahead: dict[str, tuple[Held, Incident]] = {}
        self._ahead_sorted: list[Incident] = []
        self._previous = previous.built if previous is not None else {}
        self.built: dict[str, tuple[Held, Incident]] = {}  # what merge() gave, by key: the next fetch's previous

    def ahead(self, instance: str, sightings: list[Sighting]) -> None:
        """Build Incidents from one instance's sightings before the others arrive."""
        everywhere = self._everywhere
        for alone in dedupe([(instance, sightings)]):
            held = Held(alone.first, everywhere, alone.status, alone.started_at)
            self._ahead[held.first.key] = self._reuse_or_build(held)
        self._ahead_sorted = sort_alerts(incident for _, incident in self._ahead.values())

    def merge(self, per_instance: list[tuple[str, list[Sighting]]]) -> list[Incident]:
        """Every instance's sightings (in configured order), deduplicated, as sorted Incidents."""
        incidents, reused, ahead = [], 0, self._ahead
        for held in dedupe(per_instance):
            kept = ahead.get(held.first.key)
            if kept is not None and _same_incident(kept[0], held):
                reused += 1
            else:
                kept = self._reuse_or_build(held)
            incidents.append(kept[1])
            self.built[held.first.key] = kept
        self._previous = {}  # only one fetch back is kept
        if reused == len(incidents) == len(self._ahead_sorted):
            return self._ahead_sorted  # the same Incidents, so the same order
        return sort_alerts(incidents)

    def _reuse_or_build(self, held: Held) -> tuple[Held, Incident]:
        """The previous fetch's held alert and Incident when nothing changed
        (its payload is kept, not this reply's equal copy: the Incident
        refers to it, and keeping both held every alert's labels twice),
        else ``held`` with a new Incident."""
        before = self._previous.get(held.first.key)
        if before is not None and _same_incident(before[0], held):
            return before
        return held, self._incident(held)


def _same_incident(guess: Held, held: Held) -> bool:
    """Would to_incident make the same Incident of both (same key assumed)?"""
    return guess.status == held.status and guess.started_at == held.started_at \
        and guess.instances == held.instances and guess.first.payload == held.first.payload


def _first_label(labels: Mapping[str, str], names: Sequence[str]) -> str:
    """The value of the first of ``names`` that ``labels`` has (not empty); "" if none."""
    for name in names:
        value = labels.get(name)
        if value:
            return value
    return ""


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


def _capped(values: dict[str, str]) -> dict[str, str]:
    """``values`` with every value over MAX_VALUE_CHARS cut, marked; the
    same dict when none is (the usual case: one pass of len())."""
    for value in values.values():
        if len(value) > MAX_VALUE_CHARS:
            return {key: _cut(value) for key, value in values.items()}
    return values


def _cut(value: str) -> str:
    return value if len(value) <= MAX_VALUE_CHARS else value[:MAX_VALUE_CHARS] + TRUNCATED


def _time(value: Any) -> datetime:
    try:
        when = datetime.fromisoformat(value if type(value) is str else str(value))
    except ValueError:
        return EPOCH
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")
