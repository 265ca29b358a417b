"""Clocks: the real one, a fixed one for deterministic tests and benchmarks,
and a simulated one for drills."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Callable

Clock = Callable[[], datetime]

# The moment screenshots and deterministic tests are taken at.
DEMO_TIME = datetime(2026, 11, 28, 3, 0, 0, tzinfo=timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive time is taken to be UTC already."""
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


def fixed_clock(at: datetime = DEMO_TIME) -> Clock:
    return lambda: at


class SimulatedClock:
    """A drill's clock: starts at ``start`` and runs with real time (read from
    ``monotonic``) plus whatever ``advance`` skipped ahead; tests pass a
    monotonic that never moves, so only ``advance`` moves it."""

    def __init__(self, start: datetime = DEMO_TIME, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.start = start
        self._monotonic = monotonic
        self._began = monotonic()
        self._skipped = timedelta(0)

    def __call__(self) -> datetime:
        return self.start + self.elapsed

    @property
    def elapsed(self) -> timedelta:
        return timedelta(seconds=self._monotonic() - self._began) + self._skipped

    def advance(self, by: timedelta) -> None:
        self._skipped += by
