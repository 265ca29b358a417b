"""The prometheus source's client for Prometheus' HTTP API (or anything
speaking it): instant queries, range queries and the server's retention.

Every failure becomes a SourceError whose message names the source, host and
path only, never the query or header values (tokens travel in headers, and
errors reach the screen); header values a server echoes back are masked.
HTTP 400/422 is a BadQuery (only the SLOs using that expression go without
data); every other failure is what sources/http.py makes of it (429 with its
Retry-After, 500, 502, 503, 504 and failures to connect are
TransientSourceErrors, which the hub retries), and a reply of the wrong
shape is an UnexpectedReply, not an AttributeError deep in the SLO math.

prometheus-api-client is synchronous, so its calls run in daemon threads
(the event loop never waits on them, and a hung one never delays exit), at
most MAX_CONCURRENT at once however many queries a refresh sends together;
its requests go through sources/http.py on the event loop
(sources.requests_bridge): the same deadline per request, reply size limit
and retry policy as every HTTP source, and the client's own retries off.
"""

from __future__ import annotations

import ast
import asyncio
import json
import re
from datetime import datetime, timedelta
from typing import Any, Callable

import httpx
import requests
from prometheus_api_client import PrometheusApiClientException, PrometheusConnect
from urllib3.util.retry import Retry

from cockpit import secrets
from cockpit.durations import parse_duration
from cockpit.sources.base import SourceError, SourceSpec
from cockpit.sources.http import make_client, safe_url
from cockpit.sources.reply_shape import each, expect
from cockpit.sources.prometheus.requests_bridge import call_in_thread, route_through_httpx
from cockpit.untrusted import clean

MAX_CONCURRENT = 4
BAD_QUERY_STATUS = frozenset({400, 422})  # Prometheus refused one expression
_STATUS = re.compile(r"HTTP Status Code (\d+) \((.*)\)\Z", re.S)


class BadQuery(SourceError):
    """One expression was refused; only the SLOs using it go without data."""


class PrometheusAPI:
    """One source's connection: its ``url``, ``headers``, ``ca_file``,
    ``max_response_bytes`` and ``timeout`` options. Creating it raises
    SourceError if ``ca_file`` cannot be loaded. ``sent`` counts the queries
    (instant and range) sent so far."""

    def __init__(self, spec: SourceSpec) -> None:
        self.name = spec.name
        self.spec = spec
        self.url = str(spec.options.get("url", "")).rstrip("/")
        self.timeout = spec.timeout.total_seconds()
        self.sent = 0
        # (the event loop, its limit of calls at once, its client); make_client
        # fails now on a ca_file that cannot be loaded.
        self._per_loop: tuple[asyncio.AbstractEventLoop | None, asyncio.Semaphore, httpx.AsyncClient] = \
            (None, asyncio.Semaphore(MAX_CONCURRENT), make_client(spec))
        self._session = requests.Session()
        # Retry(total=0): no retries by the client; the hub owns the retry policy. Headers and
        # ca_file are the httpx client's (make_client), which the bridge sends with.
        self._api = PrometheusConnect(url=self.url, retry=Retry(total=0, read=False, redirect=5),
                                      session=self._session, timeout=self.timeout)
        route_through_httpx(self._session, passed_through=BAD_QUERY_STATUS)

    async def aclose(self) -> None:
        self._session.close()
        await self._per_loop[2].aclose()

    async def query(self, promql: str, at: datetime) -> list[dict]:
        """The instant query's result vector, evaluated at ``at``."""
        self.sent += 1
        return await self._run("/api/v1/query", self._series(self._api.custom_query), promql,
                               params={"time": at.timestamp()})

    async def query_range(self, promql: str, start: datetime, end: datetime, step: timedelta) -> list[dict]:
        """The range query's result matrix, from ``start`` to ``end`` every ``step``."""
        self.sent += 1
        return await self._run("/api/v1/query_range", self._series(self._api.custom_query_range, "values"), promql,
                               start_time=start, end_time=end, step=str(int(step.total_seconds())))

    async def retention(self, timeout: float) -> timedelta | None:
        """The server's time retention (None: not configured, or no status
        page serves it, as with Thanos or Mimir), each page given ``timeout``
        seconds: the caller's budget, not the queries'."""
        return await self._run("/api/v1/status", self._read_retention, timeout)

    def _read_retention(self, timeout: float) -> timedelta | None:
        for path, key in (("/api/v1/status/runtimeinfo", "storageRetention"),
                          ("/api/v1/status/flags", "storage.tsdb.retention.time")):
            try:
                response = self._session.get(self.url + path, timeout=timeout)
            except SourceError as error:
                if error.retryable:  # a timeout or refused connection: worth saying, and trying again
                    raise
                continue  # no such page here (Thanos, Mimir)
            reply = response.json()
            data = reply.get("data") if isinstance(reply, dict) else None
            # "15d", "15d or 512MiB" (time or size), "512MiB", "0s" (flag unset).
            for part in str((data if isinstance(data, dict) else {}).get(key, "")).split(" or "):
                try:
                    retention = parse_duration(part)
                except ValueError:
                    continue
                if retention > timedelta(0):
                    return retention
        return None

    async def _run(self, path: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        limit, client = self._on_loop()
        async with limit:
            return await call_in_thread(client, self._translated, path, call, *args, **kwargs)

    def _on_loop(self) -> tuple[asyncio.Semaphore, httpx.AsyncClient]:
        """The limit of calls at once and the client requests go through:
        one pair per event loop, as neither can serve two (the first made
        with the API, for whichever loop uses it first)."""
        loop = asyncio.get_running_loop()
        if self._per_loop[0] not in (loop, None):
            self._per_loop = (loop, asyncio.Semaphore(MAX_CONCURRENT), make_client(self.spec))
        self._per_loop = (loop, *self._per_loop[1:])
        return self._per_loop[1], self._per_loop[2]

    def _series(self, call: Callable[..., Any], samples: str = "value") -> Callable[..., list[dict]]:
        """``call`` (a query), its answer checked to be what the SLO math
        reads: a list of series objects, each with a ``metric`` object and
        its ``samples`` ("value": one [time, value] pair; "values": a list
        of them). Checked in the worker thread, with the decoding."""
        origin = f"{self.name} {safe_url(self.url).rstrip('/')}"

        def checked(*args: Any, **kwargs: Any) -> list[dict]:
            series = each(expect(call(*args, **kwargs), list, "data.result", origin), dict, "data.result", origin)
            for index, one in enumerate(series):
                at = f"data.result[{index}]"
                expect(one.get("metric", {}), dict, f"{at}.metric", origin)
                pairs = [one.get("value", [0, "NaN"])] if samples == "value" else \
                    expect(one.get("values", []), list, f"{at}.values", origin)
                for pair in pairs:
                    if not (isinstance(pair, list) and len(pair) == 2):
                        expect(pair, tuple, f"{at}.{samples}", origin)  # says what it is instead
            return series
        return checked

    def _translated(self, path: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``call`` with every failure turned into a SourceError whose message
        names host and path only (never the query string or header values)."""
        where = f"{self.name}: {safe_url(self.url).rstrip('/')}{path}"
        try:
            return call(*args, **kwargs)
        except SourceError as error:  # from sources/http.py, through the bridge: name the source
            error.args = (f"{self.name}: {error}",)
            raise
        except PrometheusApiClientException as error:
            raise _bad_query(where, str(error)) from None
        except requests.exceptions.JSONDecodeError:
            raise SourceError(f"{where}: the reply is not JSON") from None
        except requests.exceptions.RequestException as error:
            raise SourceError(f"{where}: request failed ({type(error).__name__})") from None
        except (KeyError, TypeError):  # the client's answer["data"]["result"]
            raise SourceError(f"unexpected reply from {where}: no data.result") from None


def _bad_query(where: str, message: str) -> SourceError:
    """The client's error for a status the bridge passed through (400, 422)."""
    match = _STATUS.match(message)
    status = int(match.group(1)) if match else 0
    detail = secrets.redact(_error_detail(match.group(2))) if match else ""
    text = f"{where}: HTTP {status}" + (f": {detail}" if detail else "")
    return BadQuery(text) if status in BAD_QUERY_STATUS else SourceError(text)


def _error_detail(body_repr: str) -> str:
    """Prometheus' own error text from the client's repr of the reply body."""
    try:
        body = ast.literal_eval(body_repr)
        text = json.loads(body).get("error", "") if body.strip().startswith(b"{") else body.decode()
    except (ValueError, SyntaxError, AttributeError, UnicodeDecodeError):
        return ""
    text = clean(str(text), single_line=True)
    return text if len(text) <= 200 else text[:199] + "…"
