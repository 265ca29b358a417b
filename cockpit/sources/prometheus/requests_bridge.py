"""A requests transport that sends through sources/http.py on the event loop,
so prometheus-api-client (synchronous, built on requests) gets what every
other HTTP source gets: the total deadline per request, max_response_bytes
enforced while the reply streams in, Retry-After on 429 and the same error
messages.

The client's calls still run in daemon threads (sources.threads), where its
JSON decoding of a large reply stays off the event loop; only the bytes
travel on the loop, with httpx. A thread whose awaiting task was cancelled
finds its request ended by the deadline, so none is left dripping.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from contextvars import ContextVar
from typing import Any, Callable, TypeVar

import httpx
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from cockpit.sources.http import fetch, raise_for_status
from cockpit.sources.threads import in_daemon_thread

T = TypeVar("T")

# The loop and client the current call's requests go through (set per call,
# copied into its thread with the rest of the context).
_route: ContextVar[tuple[asyncio.AbstractEventLoop, httpx.AsyncClient] | None] = \
    ContextVar("cockpit_requests_route", default=None)


def route_through_httpx(session: requests.Session, passed_through: frozenset[int] = frozenset()) -> None:
    """Replace every transport of ``session`` (those mounted on prefixes, as
    prometheus-api-client mounts its own, included) with one that sends
    through the client of the call (see call_in_thread). Replies with a
    status in ``passed_through`` are returned for the caller to read
    (Prometheus' 400 says why a query was refused); every other status of
    400 or more raises the SourceError sources/http.py gives it."""
    adapter = _ViaHttpx(passed_through)
    for prefix in {*session.adapters, "http://", "https://"}:
        session.mount(prefix, adapter)


async def call_in_thread(client: httpx.AsyncClient, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``call(*args, **kwargs)`` in a daemon thread, its requests sent by ``client`` on this loop."""
    token = _route.set((asyncio.get_running_loop(), client))
    try:
        return await in_daemon_thread(call, *args, **kwargs)
    finally:
        _route.reset(token)


class _ViaHttpx(BaseAdapter):
    def __init__(self, passed_through: frozenset[int]) -> None:
        super().__init__()
        self.passed_through = passed_through

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        route = _route.get()
        if route is None:
            raise RuntimeError("a bridged session is used outside call_in_thread")
        loop, client = route
        # requests' timeout (a number, or connect and read) is one more bound on the whole request.
        deadline = max(timeout) if isinstance(timeout, tuple) and None not in timeout else \
            timeout if isinstance(timeout, (int, float)) else None
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}  # httpx sets it
        coroutine = fetch(client, request.method or "GET", request.url or "", deadline=deadline,
                          headers=headers, content=request.body)
        try:
            reply = asyncio.run_coroutine_threadsafe(coroutine, loop).result()
        except (RuntimeError, concurrent.futures.CancelledError):  # the loop closed: nobody waits for this now
            coroutine.close()
            raise requests.exceptions.ConnectionError("the event loop closed") from None
        if reply.status_code not in self.passed_through:
            raise_for_status(reply)
        return _as_requests_response(request, reply)

    def close(self) -> None:
        pass  # the httpx client is the source's to close


def _as_requests_response(request: requests.PreparedRequest, reply: httpx.Response) -> requests.Response:
    response = requests.Response()
    response.status_code = reply.status_code
    response.headers = CaseInsensitiveDict(reply.headers.multi_items())
    response.reason = reply.reason_phrase
    response.url = request.url or ""
    response.request = request
    response.encoding = reply.encoding
    response._content = reply.content  # read already (and bounded) by http.fetch, as mocking libraries set it
    response._content_consumed = True
    return response
