"""Blocking calls in daemon threads (cockpit.sources.threads): results and
errors come back, a cancelled wait returns at once, and the thread is a
daemon, so a hung call never holds the process at exit."""

from __future__ import annotations

import asyncio
import threading

import pytest

from cockpit.sources.threads import in_daemon_thread


async def test_result_and_error_come_back():
    assert await in_daemon_thread(lambda a, b=0: a + b, 2, b=3) == 5

    def boom():
        raise ValueError("bad reply")

    with pytest.raises(ValueError, match="bad reply"):
        await in_daemon_thread(boom)


async def test_a_hung_call_can_be_cancelled_and_runs_in_a_daemon_thread():
    release = threading.Event()
    seen: list[threading.Thread] = []

    def hang():
        seen.append(threading.current_thread())
        release.wait()
        return "late"

    task = asyncio.ensure_future(in_daemon_thread(hang))
    while not seen:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen[0].daemon and seen[0].is_alive()
    release.set()  # finishing after nobody waits is harmless
    seen[0].join(timeout=5)
    assert not seen[0].is_alive()
