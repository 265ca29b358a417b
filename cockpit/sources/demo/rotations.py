"""The demo's on-call: rotations read from a YAML file, who is on call each
week, and who was paged."""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from cockpit.model import OnCall, Page
from cockpit.problems import Problem, ServiceRef
from cockpit.sources.demo.simulation import unit
from cockpit.yamlfile import YamlError, line_of, load_yaml_file

# Weekly on-call handoff: Mondays 09:00 UTC.
HANDOFF = datetime(2024, 1, 1, 9, 0, tzinfo=timezone.utc)
PAGED_WEEKS = 8  # how far back the demo's pages go (the On-call view shows 6 shifts)


@dataclass
class Rotations:
    """service -> levels, each level the people who take turns weekly."""

    levels: dict[str, list[list[str]]]
    problems: list[Problem]
    refers: list[ServiceRef]


def load_rotations(path: Any) -> Rotations:
    result = Rotations({}, [], [])
    file = str(path)
    try:
        data = load_yaml_file(path)
    except YamlError as exc:
        result.problems.append(exc.problem)
        return result
    rotations = data.get("rotations") if isinstance(data, dict) else None
    if not isinstance(rotations, dict) or set(data) != {"rotations"}:
        result.problems.append(Problem(file, line_of(data, "rotations"), "rotations",
                                       "expected `rotations: {SERVICE: [[person, ...], ...]}` and nothing else"))
        return result
    for service, levels in rotations.items():
        key = f"rotations.{service}"
        if not isinstance(levels, list) or not levels:
            result.problems.append(Problem(file, line_of(rotations, service), key,
                                           "expected a list of levels, each a person or a list of people"))
            continue
        people = [[level] if isinstance(level, str) else level for level in levels]
        bad = [i for i, level in enumerate(people)
               if not isinstance(level, list) or not level or not all(isinstance(p, str) and p for p in level)]
        for i in bad:
            result.problems.append(Problem(file, line_of(levels, i), f"{key}[{i}]",
                                           "expected a person or a non-empty list of people"))
        if not bad:
            result.levels[str(service)] = people
            result.refers.append(ServiceRef(str(service), file, line_of(rotations, service), key, "on-call rotation"))
    return result


def week_of(now: datetime) -> int:
    """Weeks since the first handoff: the on-call turns when it changes."""
    return math.floor((now - HANDOFF) / timedelta(weeks=1))


def on_call(levels: dict[str, list[list[str]]], now: datetime, source: str) -> list[OnCall]:
    """Who is on call now: each level's list turns once a week at the handoff."""
    week = week_of(now)
    until = HANDOFF + timedelta(weeks=week + 1)
    return [
        OnCall(service=service, escalation_policy=f"{service} rotation", level=level, user=people[week % len(people)],
               until=until if len(people) > 1 else None, source=source)
        for service, rotation in levels.items()
        for level, people in enumerate(rotation, start=1)
    ]


def paged_by_week(levels: dict[str, list[list[str]]], week_now: int, source: str) -> list[Page]:
    """Who the demo paged in the PAGED_WEEKS weeks up to ``week_now`` (the
    rest of that week included), oldest first: each week, 0-2 pages per
    service for its level-1 person at that week's handoff, at stable times;
    a team with four services now and then goes over the guide's 5 pages a
    shift."""
    paged = []
    for service, rotation in levels.items():
        people = rotation[0] if rotation else []
        for week in range(week_now - PAGED_WEEKS + 1, week_now + 1) if people else ():
            for n in range(int(3 * unit(service, "pages", week))):
                at = HANDOFF + timedelta(weeks=week, seconds=unit(service, "page-at", week, n) * 7 * 86400)
                paged.append(Page(at=at, user=people[week % len(people)], incident_id=f"demo-{service}-{week}-{n}",
                                  service=service, title=f"{service}: paged (demo)", source=source, demo=True))
    return sorted(paged, key=lambda p: p.at)


def until(paged: list[Page], now: datetime) -> list[Page]:
    """The pages (oldest first) sent by ``now``."""
    return paged[:bisect.bisect_right(paged, now, key=lambda p: p.at)]


class Weekly:
    """Who is on call and who was paged, made again only when the week
    turns (at 2,000 services a refresh made some 16,000 pages anew)."""

    def __init__(self) -> None:
        self._levels: dict[str, list[list[str]]] | None = None  # the rotations it was made from
        self._week: tuple[int, str] | None = None
        self._made: tuple[tuple[OnCall, ...], list[Page]] = ((), [])

    def at(self, levels: dict[str, list[list[str]]], now: datetime, source: str) -> tuple[tuple[OnCall, ...],
                                                                                            tuple[Page, ...]]:
        """(Who is on call at ``now``, who was paged by then.)"""
        week = (week_of(now), source)
        if levels is not self._levels or week != self._week:
            self._levels, self._week = levels, week
            self._made = (tuple(on_call(levels, now, source)), paged_by_week(levels, week[0], source))
        return self._made[0], tuple(until(self._made[1], now))
