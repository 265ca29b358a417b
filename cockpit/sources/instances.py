"""Isolation for a source that reads several backends (Alertmanager's
instances): each gets its own deadline, well inside the source's timeout,
and its own circuit breaker. A hung instance then costs one short wait per
refresh, and after the breaker opens none at all, while what the healthy
instances returned is published; the hub's breaker and timeout stay the
source's, for when every instance fails.
"""

from __future__ import annotations

import asyncio
import time
from typing import Awaitable, Callable, TypeVar

from cockpit.durations import format_duration, format_seconds
from cockpit.resilience import CircuitBreaker, Monotonic
from cockpit.sources.base import SourceError, TransientSourceError

T = TypeVar("T")

# An instance's deadline as a share of the source's timeout: the healthy
# instances' replies are merged and published before the hub gives up.
INSTANCE_SHARE = 0.5


class InstanceGuard:
    """One instance's deadline and breaker; ``call`` runs a request under both."""

    def __init__(self, source_timeout: float, *, monotonic: Monotonic = time.monotonic) -> None:
        self.timeout = source_timeout * INSTANCE_SHARE
        self.breaker = CircuitBreaker(clock=monotonic)
        self.error = ""  # why the last call failed ("" after a success)

    async def call(self, request: Callable[[], Awaitable[T]]) -> T:
        """``request()`` within the deadline; a failure (SourceError or the
        deadline) counts against the breaker, and an open breaker refuses at
        once, naming the error that opened it."""
        if not self.breaker.allow():
            raise SourceError(f"circuit breaker open, next try in {format_duration(self.breaker.retry_in())} "
                              f"(ctrl+r tries now); last error: {self.error}")
        try:
            async with asyncio.timeout(self.timeout):
                result = await request()
        except TimeoutError:
            error: SourceError = TransientSourceError(f"timed out after {format_seconds(self.timeout)}")
        except SourceError as raised:
            error = raised
        else:
            self.breaker.record_success()
            self.error = ""
            return result
        self.breaker.record_failure()
        self.error = str(error)
        raise error

    def retry_now(self) -> None:
        """ctrl+r: the next call goes through even if the breaker is open."""
        self.breaker.try_now()
