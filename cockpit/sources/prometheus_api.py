"""The prometheus source's client for Prometheus' HTTP API (or anything
speaking it): instant queries, range queries and the server's retention.

Every failure becomes a SourceError whose message names the source, host and
path only, never the query or header values (tokens travel in headers, and
errors reach the screen); header values a server echoes back are masked.
HTTP 400/422 is a BadQuery (only the SLOs using that expression go without
data), 401/403 an authentication failure, and 429, 500, 502, 503, 504 and
failures to connect are TransientSourceErrors, which the hub retries.

prometheus-api-client is synchronous, so its calls run in daemon threads
(the event loop never waits on the network, and a hung one never delays exit), at most MAX_CONCURRENT at once
however many queries a refresh sends together, with the client's own retries
off so that the hub's retry policy is the only one.
"""

from __future__ import annotations

import ast
import asyncio
import json
import re
from datetime import datetime, timedelta
from typing import Any, Callable

import requests
from prometheus_api_client import PrometheusApiClientException, PrometheusConnect
from urllib3.util.retry import Retry

from cockpit.durations import parse_duration
from cockpit.sources.base import SourceError, SourceSpec, TransientSourceError
from cockpit.sources.http import AUTH_STATUS, RETRYABLE_STATUS, safe_url
from cockpit.sources.threads import in_daemon_thread
from cockpit.untrusted import clean

MAX_CONCURRENT = 4
BAD_QUERY_STATUS = frozenset({400, 422})  # Prometheus refused one expression
_STATUS = re.compile(r"HTTP Status Code (\d+) \((.*)\)\Z", re.S)


class BadQuery(SourceError):
    """One expression was refused; only the SLOs using it go without data."""


class PrometheusAPI:
    """One source's connection: its ``url``, ``headers``, ``ca_file`` and
    ``timeout`` options. Creating it raises SourceError if ``ca_file`` is
    missing. ``sent`` counts the queries (instant and range) sent so far."""

    def __init__(self, spec: SourceSpec) -> None:
        self.name = spec.name
        self.url = str(spec.options.get("url", "")).rstrip("/")
        self.headers = {str(k): str(v) for k, v in dict(spec.options.get("headers") or {}).items()}
        self.timeout = spec.timeout.total_seconds()
        self.sent = 0
        self._limit: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        self._session = requests.Session()
        if spec.options.get("ca_file"):
            ca_file = spec.path(str(spec.options["ca_file"]))
            if not ca_file.is_file():
                raise SourceError(f"ca_file {ca_file}: not found")
            self._session.verify = str(ca_file)
        # Retry(total=0): no retries by the client; the hub owns the retry policy.
        self._api = PrometheusConnect(url=self.url, headers=self.headers, retry=Retry(total=0, read=False, redirect=5),
                                      session=self._session, timeout=self.timeout)

    def close(self) -> None:
        self._session.close()

    async def query(self, promql: str, at: datetime) -> list[dict]:
        """The instant query's result vector, evaluated at ``at``."""
        self.sent += 1
        return await self._run("/api/v1/query", self._api.custom_query, promql, params={"time": at.timestamp()})

    async def query_range(self, promql: str, start: datetime, end: datetime, step: timedelta) -> list[dict]:
        """The range query's result matrix, from ``start`` to ``end`` every ``step``."""
        self.sent += 1
        return await self._run("/api/v1/query_range", self._api.custom_query_range, promql,
                               start_time=start, end_time=end, step=str(int(step.total_seconds())))

    async def retention(self, timeout: float) -> timedelta | None:
        """The server's time retention (None: not configured, or no status
        page serves it, as with Thanos or Mimir), each page given ``timeout``
        seconds: the caller's budget, not the queries'."""
        return await self._run("/api/v1/status", self._read_retention, timeout)

    def _read_retention(self, timeout: float) -> timedelta | None:
        for path, key in (("/api/v1/status/runtimeinfo", "storageRetention"),
                          ("/api/v1/status/flags", "storage.tsdb.retention.time")):
            response = self._session.get(self.url + path, headers=self.headers, timeout=timeout)
            if response.status_code != 200:
                continue
            # "15d", "15d or 512MiB" (time or size), "512MiB", "0s" (flag unset).
            for part in str((response.json().get("data") or {}).get(key, "")).split(" or "):
                try:
                    retention = parse_duration(part)
                except ValueError:
                    continue
                if retention > timedelta(0):
                    return retention
        return None

    async def _run(self, path: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        async with self._semaphore():
            return await in_daemon_thread(self._translated, path, call, *args, **kwargs)

    def _semaphore(self) -> asyncio.Semaphore:
        """The limit of calls at once: one per event loop, as a semaphore
        cannot serve two loops."""
        loop = asyncio.get_running_loop()
        if self._limit is None or self._limit[0] is not loop:
            self._limit = (loop, asyncio.Semaphore(MAX_CONCURRENT))
        return self._limit[1]

    def _translated(self, path: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``call`` with every failure turned into a SourceError whose message
        names host and path only (never the query string or header values)."""
        where = f"{self.name}: {safe_url(self.url).rstrip('/')}{path}"
        try:
            return call(*args, **kwargs)
        except PrometheusApiClientException as error:
            raise self._status_error(where, str(error)) from None
        except requests.exceptions.JSONDecodeError:
            raise SourceError(f"{where}: the reply is not a Prometheus API response") from None
        except requests.exceptions.SSLError:
            raise SourceError(f"{where}: TLS certificate verification failed (see ca_file)") from None
        except (requests.exceptions.Timeout, requests.exceptions.ConnectionError) as error:
            raise TransientSourceError(f"{where}: cannot connect ({type(error).__name__})") from None
        except requests.exceptions.RequestException as error:
            raise SourceError(f"{where}: request failed ({type(error).__name__})") from None
        except (ValueError, KeyError, TypeError, AttributeError):
            raise SourceError(f"{where}: the reply is not a Prometheus API response") from None

    def _status_error(self, where: str, message: str) -> SourceError:
        match = _STATUS.match(message)
        status = int(match.group(1)) if match else 0
        detail = _error_detail(match.group(2)) if match else ""
        for value in self.headers.values():  # a server may echo a request back
            for secret in (value, value.partition(" ")[2]):
                if len(secret) >= 4:
                    detail = detail.replace(secret, "***")
        text = f"{where}: HTTP {status}" + (f": {detail}" if detail else "")
        if status in AUTH_STATUS:
            return SourceError(f"{where}: authentication failed (HTTP {status}); check the headers option")
        if status in BAD_QUERY_STATUS:
            return BadQuery(text)
        if status in RETRYABLE_STATUS or status == 429:
            return TransientSourceError(text)
        return SourceError(text)


def _error_detail(body_repr: str) -> str:
    """Prometheus' own error text from the client's repr of the reply body."""
    try:
        body = ast.literal_eval(body_repr)
        text = json.loads(body).get("error", "") if body.strip().startswith(b"{") else body.decode()
    except (ValueError, SyntaxError, AttributeError, UnicodeDecodeError):
        return ""
    text = clean(str(text), single_line=True)
    return text if len(text) <= 200 else text[:199] + "…"
