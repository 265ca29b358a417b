"""What happened in a drill's sandbox, when: the scenario's events as they
came due and everything the person drilling did (writes, runbooks opened,
panels visited), each at its time since the start. The debrief scores it
and the drill postmortem's timeline is made of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Mapping

from cockpit.model import TimelineEntry


@dataclass(frozen=True)
class Done:
    at: timedelta  # since the drill's start
    what: str  # a write's name (ack, silence, declare ...), runbook, panel, or an event's kind (alert, hint ...)
    text: str  # one line for the debrief and the draft
    ok: bool = True
    alerts: tuple[str, ...] = ()  # ack, silence: the alert names it applied to
    params: Mapping[str, object] = field(default_factory=dict)


class DrillTimeline:
    def __init__(self, clock: Callable[[], datetime], started_at: datetime) -> None:
        self._clock = clock
        self.started_at = started_at
        self.entries: list[Done] = []

    @property
    def elapsed(self) -> timedelta:
        return self._clock() - self.started_at

    def record(self, what: str, text: str, *, at: timedelta | None = None, **details) -> Done:
        done = Done(self.elapsed if at is None else at, what, text, **details)
        self.entries.append(done)
        return done

    def by_person(self) -> list[Done]:
        return [d for d in self.entries if d.what not in EVENT_KINDS]

    def as_incident_timeline(self, author: str) -> tuple[TimelineEntry, ...]:
        # A write's text starts with its name ("ack HighErrorRate"), which the
        # draft's row already shows as the kind: "ack (trainee): HighErrorRate".
        return tuple(TimelineEntry(at=self.started_at + d.at, kind=d.what, text=d.text.removeprefix(f"{d.what} "),
                                   author="" if d.what in EVENT_KINDS else author)
                     for d in sorted(self.entries, key=lambda d: d.at) if d.what not in NOT_IN_DRAFT)


EVENT_KINDS = frozenset({"alert", "burn", "clear", "hint", "drill"})
# Panels visited are for the debrief; alerts join a draft's timeline from the snapshot (related alerts).
NOT_IN_DRAFT = frozenset({"panel", "alert"})
