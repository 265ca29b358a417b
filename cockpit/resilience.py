"""The one retry policy and circuit breaker every source call goes through.

Defaults are the seed's (architecture-practices, "Circuit Breaker
Configuration" and "Retry Policy"): 3 tries, 1 s initial delay doubling up to
30 s, retrying only errors marked retryable; the breaker opens after 5
failures within 1 minute and lets one trial call through after 5 minutes.
Sleep and clock are injected so tests never really wait.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass
from typing import Awaitable, Callable, Iterator, TypeVar

T = TypeVar("T")

Sleep = Callable[[float], Awaitable[object]]
Monotonic = Callable[[], float]  # seconds, only differences matter

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half-open"


@dataclass(frozen=True)
class RetryPolicy:
    tries: int = 3  # attempts in all, the first included (the seed's maxRetries)
    initial_delay: float = 1.0  # seconds before the second attempt
    multiplier: float = 2.0
    max_delay: float = 30.0

    def delays(self) -> Iterator[float]:
        """The pause before each retry: 1, 2, 4 ... capped at max_delay."""
        delay = self.initial_delay
        for _ in range(max(self.tries, 1) - 1):
            yield min(delay, self.max_delay)
            delay *= self.multiplier

    async def run(
        self,
        attempt: Callable[[], Awaitable[T]],
        *,
        sleep: Sleep = asyncio.sleep,
    ) -> T:
        """Call ``attempt`` until it succeeds, raises a non-retryable error,
        or the tries are used up (then the last error propagates).

        An error carrying ``retry_after`` (HTTP 429) waits at least that long;
        if the server asks for more than ``max_delay`` we stop now and let the
        next scheduled refresh try again, rather than hold the refresh open.
        """
        delays = self.delays()
        while True:
            try:
                return await attempt()
            except Exception as error:
                if not getattr(error, "retryable", False):
                    raise
                delay = next(delays, None)
                if delay is None:
                    raise
                retry_after = getattr(error, "retry_after", None)
                if retry_after is not None:
                    if retry_after > self.max_delay:
                        raise
                    delay = max(delay, retry_after)
                await sleep(delay)


class CircuitBreaker:
    """closed -> (failure_threshold failures within window) -> open ->
    (reset_after elapsed) -> half-open: one trial call; its success closes
    the breaker, its failure opens it for another reset_after."""

    def __init__(
        self,
        failure_threshold: int = 5,
        window: float = 60.0,
        reset_after: float = 300.0,
        clock: Monotonic = time.monotonic,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.window = window
        self.reset_after = reset_after
        self._clock = clock
        self._failures: deque[float] = deque()
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return CLOSED
        if self._clock() - self._opened_at >= self.reset_after:
            return HALF_OPEN
        return OPEN

    def retry_in(self) -> float:
        """Seconds until an open breaker lets a trial through (0 otherwise)."""
        if self._opened_at is None:
            return 0.0
        return max(0.0, self.reset_after - (self._clock() - self._opened_at))

    def allow(self) -> bool:
        """May a call go ahead now? In half-open, only the first caller may,
        until its outcome is recorded."""
        state = self.state
        if state == CLOSED:
            return True
        if state == HALF_OPEN and not self._trial_running:
            self._trial_running = True
            return True
        return False

    def try_now(self) -> None:
        """Let the next call through as the half-open trial at once, however
        long the breaker was to stay open (a user asked to retry); its
        outcome closes or reopens the breaker as any trial's does."""
        if self._opened_at is not None and not self._trial_running:
            self._opened_at = min(self._opened_at, self._clock() - self.reset_after)

    def record_success(self) -> None:
        self._failures.clear()
        self._opened_at = None
        self._trial_running = False

    def record_failure(self) -> None:
        now = self._clock()
        if self._opened_at is not None:
            # The half-open trial failed (or a call that started before the
            # breaker opened): stay open for another full reset period.
            self._opened_at = now
            self._trial_running = False
            return
        self._failures.append(now)
        while self._failures and now - self._failures[0] > self.window:
            self._failures.popleft()
        if len(self._failures) >= self.failure_threshold:
            self._opened_at = now
            self._failures.clear()
