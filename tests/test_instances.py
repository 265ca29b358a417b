"""One instance's deadline and breaker (cockpit.sources.instances), with a
fake monotonic clock; the only real wait is the deadline on a request that
never completes."""

from __future__ import annotations

import asyncio

import pytest

from cockpit.sources.base import SourceError, TransientSourceError
from cockpit.sources.instances import INSTANCE_SHARE, InstanceGuard


class Monotonic:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def never() -> None:
    await asyncio.Event().wait()


async def refused() -> None:
    raise TransientSourceError("cannot connect (ConnectError)")


async def test_the_deadline_is_a_share_of_the_source_timeout():
    guard = InstanceGuard(0.1)
    assert guard.timeout == pytest.approx(0.1 * INSTANCE_SHARE) and INSTANCE_SHARE < 1
    with pytest.raises(TransientSourceError, match=r"timed out after 0.05s"):
        await guard.call(never)
    assert guard.error == "timed out after 0.05s"


async def test_five_failures_open_the_breaker_which_then_refuses_at_once_naming_the_cause():
    clock = Monotonic()
    guard = InstanceGuard(10, monotonic=clock)
    calls = 0

    async def counted():
        nonlocal calls
        calls += 1
        await refused()

    for _ in range(5):
        with pytest.raises(TransientSourceError):
            await guard.call(counted)
    with pytest.raises(SourceError, match=r"circuit breaker open, next try in 5m \(ctrl\+r tries now\); "
                                          r"last error: cannot connect") as caught:
        await guard.call(counted)
    assert calls == 5 and not caught.value.retryable

    guard.retry_now()  # ctrl+r: tried at once, and a success closes the breaker

    async def ok():
        return "alerts"

    assert await guard.call(ok) == "alerts"
    assert guard.breaker.state == "closed" and guard.error == ""
