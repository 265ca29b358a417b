"""On-call health per shift (architecture-practices.md, "On-Call Health"):
how many times each person was paged, how many of those came after hours
(working hours in the configured time zone) and how many had no runbook,
against the guide's maximum of 5 pages a shift; and the incidents the
incident log holds for the shift. Pure functions of the snapshot, the
settings and the clock; no Textual import.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cached_property
from typing import Callable, Iterable
from zoneinfo import ZoneInfo

from cockpit.model import Incident, Page, Snapshot

MAX_PAGES_PER_SHIFT = 5  # the guide's maximum_pages_per_shift
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
INCIDENT_LOG_KIND = "incident-log"
# Any Monday: shifts are counted from a handoff on or after it, in wall-clock time.
_ANCHOR_MONDAY = datetime(2024, 1, 1)


@dataclass(frozen=True)
class OncallSettings:
    """The config's `oncall:`; defaults are the guide's (weekly, Monday handoff)."""

    time_zone: str = "UTC"
    work_start: time = time(9)
    work_end: time = time(17)
    working_days: frozenset[int] = frozenset(range(5))  # Monday = 0
    handoff_day: int = 0
    handoff_time: time = time(9)
    shift_length: timedelta = timedelta(days=7)
    shifts: int = 6
    max_pages: int = MAX_PAGES_PER_SHIFT

    @cached_property
    def zone(self) -> ZoneInfo:
        # Cached: asked once per page of every shift on each refresh.
        return ZoneInfo(self.time_zone)

    def working_hours_text(self) -> str:
        """ "09:00-17:00 mon-fri (UTC)"."""
        days = sorted(self.working_days)
        consecutive = len(days) > 2 and days == list(range(days[0], days[-1] + 1))
        named = f"{DAYS[days[0]]}-{DAYS[days[-1]]}" if consecutive else ", ".join(DAYS[d] for d in days)
        return f"{self.work_start:%H:%M}-{self.work_end:%H:%M} {named} ({self.time_zone})"


@dataclass(frozen=True)
class Shift:
    start: datetime  # aware, in the settings' zone
    end: datetime

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    @property
    def key(self) -> str:
        return self.start.isoformat()


@dataclass(frozen=True)
class ShiftHealth:
    """One person's pages in one shift (``user`` "" when nobody was paged)."""

    shift: Shift
    user: str
    pages: tuple[Page, ...]
    after_hours: tuple[Page, ...]
    without_runbook: tuple[Page, ...]
    incidents: tuple[Incident, ...]  # what the incident log holds for the shift
    max_pages: int = MAX_PAGES_PER_SHIFT

    @property
    def over_limit(self) -> bool:
        return len(self.pages) > self.max_pages

    @property
    def key(self) -> str:
        return f"{self.shift.key}|{self.user}"


def shift_at(moment: datetime, settings: OncallSettings) -> Shift:
    """The shift holding ``moment``: handoffs are wall-clock times in the
    settings' zone (09:00 stays 09:00 across a DST change)."""
    zone = settings.zone
    local = moment.astimezone(zone).replace(tzinfo=None)
    anchor = datetime.combine(_ANCHOR_MONDAY + timedelta(days=settings.handoff_day), settings.handoff_time)
    count = (local - anchor) // settings.shift_length
    start = anchor + count * settings.shift_length
    return Shift(start.replace(tzinfo=zone), (start + settings.shift_length).replace(tzinfo=zone))


def recent_shifts(now: datetime, settings: OncallSettings) -> list[Shift]:
    """The current shift and the ones before it, newest first."""
    shifts = [shift_at(now, settings)]
    while len(shifts) < settings.shifts:
        shifts.append(shift_at(shifts[-1].start - timedelta(seconds=1), settings))
    return shifts


def is_after_hours(moment: datetime, settings: OncallSettings) -> bool:
    local = moment.astimezone(settings.zone)
    working = local.weekday() in settings.working_days and settings.work_start <= local.time() < settings.work_end
    return not working


def runbook_check(snapshot: Snapshot, runbooks_by_service: dict) -> Callable[[Page], bool]:
    """Whether a page had a runbook: its service has one in the catalog, or
    its incident (by id, in any source: the incident log's record of it
    included) names one."""
    named = {i.id for i in snapshot.incidents if i.runbook}
    return lambda page: bool(runbooks_by_service.get(page.service)) or page.incident_id in named


def incident_log_incidents(snapshot: Snapshot) -> list[Incident]:
    logs = {s.name for s in snapshot.sources if s.kind == INCIDENT_LOG_KIND}
    return [i for i in snapshot.incidents if i.source in logs and i.kind == "incident"]


def shift_health(pages: Iterable[Page], incidents: Iterable[Incident], has_runbook: Callable[[Page], bool],
                 now: datetime, settings: OncallSettings) -> list[ShiftHealth]:
    """A row per person paged in each of the last ``settings.shifts`` shifts
    (one empty row for a shift nobody was paged in), newest shift first,
    most paged person first."""
    shifts = recent_shifts(now, settings)
    pages = sorted(pages, key=lambda p: p.at)
    times = [p.at for p in pages]
    incidents = list(incidents)
    rows: list[ShiftHealth] = []
    for shift in shifts:
        logged = tuple(i for i in incidents if shift.holds(i.started_at))
        # Pages are sorted: a shift's are one slice (2,000 services page
        # some 11,000 times in 6 shifts; testing each page against each
        # shift took ~0.1 s of the event loop per refresh).
        by_user: dict[str, list[Page]] = {}
        for page in pages[bisect.bisect_left(times, shift.start):bisect.bisect_left(times, shift.end)]:
            by_user.setdefault(page.user, []).append(page)
        if not by_user:
            rows.append(ShiftHealth(shift, "", (), (), (), logged, settings.max_pages))
        for user, paged in sorted(by_user.items(), key=lambda item: (-len(item[1]), item[0])):
            rows.append(ShiftHealth(
                shift, user, tuple(paged),
                after_hours=tuple(p for p in paged if is_after_hours(p.at, settings)),
                without_runbook=tuple(p for p in paged if not has_runbook(p)),
                incidents=logged, max_pages=settings.max_pages,
            ))
    return rows


def first_pages(notifications: Iterable[Page]) -> list[Page]:
    """One page per person and incident, at its first notification: an SMS,
    a call and a push for one incident are one page."""
    first: dict[tuple[str, str], Page] = {}
    for page in notifications:
        key = (page.user, page.incident_id)
        if key not in first or page.at < first[key].at:
            first[key] = page
    return sorted(first.values(), key=lambda p: (p.at, p.user))
