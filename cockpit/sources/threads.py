"""Blocking calls (prometheus-api-client is synchronous) off the event loop,
in daemon threads.

asyncio.to_thread runs them in the loop's default executor, whose threads
the interpreter joins at exit: a request hanging on a gateway kept `cockpit
status` and the app alive for the whole socket timeout after being asked to
quit (33 s). A daemon thread is left behind at exit instead, and the task
awaiting it can be cancelled at once either way.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from typing import Any, Callable, TypeVar

T = TypeVar("T")


async def in_daemon_thread(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``call(*args, **kwargs)`` in a new daemon thread; its result or error."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()
    context = contextvars.copy_context()

    def run() -> None:
        try:
            result, error = context.run(call, *args, **kwargs), None
        except BaseException as raised:  # handed to the awaiting task, which decides
            result, error = None, raised
        try:
            loop.call_soon_threadsafe(_settle, future, result, error)
        except RuntimeError:
            pass  # the loop is closed: nobody waits for this call any more

    threading.Thread(target=run, name=f"cockpit-{getattr(call, '__name__', 'call')}", daemon=True).start()
    return await future


def _settle(future: asyncio.Future, result: Any, error: BaseException | None) -> None:
    if future.done():  # the awaiting task was cancelled
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
