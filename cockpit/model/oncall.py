"""Who is on call, and who was paged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class OnCall:
    service: str
    escalation_policy: str
    level: int
    user: str
    until: datetime | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class Page:
    """One person paged for one incident (PagerDuty's notify log entries: an
    SMS, a call and a push for the same incident are one page)."""

    at: datetime  # the first notification
    user: str
    incident_id: str
    service: str = ""  # catalog service name, "" when unmapped
    title: str = ""
    source: str = ""
    demo: bool = False
