"""Incidents and firing alerts, from any source, in one list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Mapping

from cockpit.model.base import EMPTY


SEVERITIES = ("P0", "P1", "P2", "P3")  # most severe first
INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved")
ROLES = ("commander", "scribe", "comms")  # the incident roles a person is assigned


_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}


def severity_rank(severity: str) -> int:
    """Sort key, most severe first: 0 for P0 ... 3 for P3; an unknown
    severity after every known one."""
    return _SEVERITY_RANK.get(severity, len(SEVERITIES))


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    kind: str  # declared | note | status | role | action | alert
    text: str
    author: str = ""
    host: str = ""  # where the author wrote it (incident log)
    waiting: bool = False  # typed while the incident log was unreachable: queued, not written yet


@dataclass(frozen=True, slots=True)
class Incident:
    """An open incident or a firing alert, from any source, in one list."""

    id: str
    title: str
    severity: str  # P0..P3
    status: str  # INCIDENT_STATUSES; an alert's: firing, acknowledged, silenced, inhibited, resolved
    service: str  # catalog service name, "" when unowned
    started_at: datetime
    source: str  # source name
    kind: str = "incident"  # incident | alert
    services: tuple[str, ...] = ()  # every affected service (incident log)
    commander: str = ""
    roles: Mapping[str, str] = field(default_factory=lambda: EMPTY)  # role (one of ROLES) -> person
    resolved_at: datetime | None = None
    acknowledged: bool = False
    silenced: bool = False
    labels: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    annotations: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    instances: tuple[str, ...] = ()  # which backends hold it (HA pairs)
    runbook: str = ""
    url: str = ""
    timeline: tuple[TimelineEntry, ...] = ()
    demo: bool = False
    # Alertmanager's own group for an alert: its group labels as matcher text,
    # '{alertname="X", service="y"}' (cockpit.alerts groups and silences by it).
    group: str = ""
    # An unowned alert's label that named no catalog service, as 'service="kube-state-metrics"'.
    service_hint: str = ""
    # The incident log's count of status and role changes: a change made on
    # an older version is refused (someone else changed it meanwhile). None
    # for sources that keep no version.
    version: int | None = None

    @property
    def is_open(self) -> bool:
        return self.status != "resolved"

    @property
    def owner_text(self) -> str:
        """The service, else "unowned" with the label the alert named instead."""
        return self.service or (f"unowned ({self.service_hint})" if self.service_hint else "unowned")


def incident_key(incident: Incident) -> str:
    """An incident's key across sources: ids are unique per source, not across
    them (two Alertmanagers, one incident log)."""
    return f"{incident.source}/{incident.id}"


def waiting_text(kinds: Iterable[str]) -> str:
    """ "3 notes waiting to be written" (other writes counted apart)."""
    kinds = list(kinds)
    notes = kinds.count("note")
    counts = ((notes, "note"), (len(kinds) - notes, "other change"))
    return " and ".join(f"{n} {what}{'' if n == 1 else 's'}" for n, what in counts if n) + " waiting to be written"
