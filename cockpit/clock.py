"""Clocks: the real one, and a fixed one for deterministic tests and benchmarks."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

Clock = Callable[[], datetime]

# The moment screenshots and deterministic tests are taken at.
DEMO_TIME = datetime(2026, 11, 28, 3, 0, 0, tzinfo=timezone.utc)


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


def fixed_clock(at: datetime = DEMO_TIME) -> Clock:
    return lambda: at
