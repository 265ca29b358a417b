"""Shared HTTP plumbing for sources that talk to a backend (Prometheus,
Alertmanager, PagerDuty): one way to build a client from a source's options,
and one translation of HTTP failures into SourceError / TransientSourceError.

Messages name the method, host and path, never query strings, userinfo or
header values: tokens travel in headers and URLs, and errors reach the screen.

Every reply is read under two bounds, whatever the server does: a total
deadline per request (the source's timeout; a server dripping a byte a second
never trips a per-read timeout) and ``max_response_bytes``, counted while the
body streams in, so a 50 MB reply costs at most that much memory.
"""

from __future__ import annotations

import asyncio
import os
import ssl
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Mapping

import httpx

from cockpit import secrets
from cockpit.config_schema import ByteSize, format_size
from cockpit.durations import format_seconds
from cockpit.sources.base import OptionSpec, SourceError, SourceSpec, TransientSourceError

# Options every HTTP source accepts; merge into the source's own ``options``.
HTTP_OPTIONS: Mapping[str, OptionSpec] = {
    "headers": OptionSpec(dict, help="extra request headers, e.g. {Authorization: 'Bearer ${TOKEN}'}"),
    "ca_file": OptionSpec(str, help="PEM bundle to verify the server's TLS certificate"),
    "max_response_bytes": OptionSpec(ByteSize, help="largest reply read from the backend, e.g. 64MiB; a larger "
                                                    "one is an error (default 16MiB)"),
}
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024

RETRYABLE_STATUS = frozenset({500, 502, 503, 504})
AUTH_STATUS = frozenset({401, 403})
_MAX_BODY = 200  # characters of an error body worth showing
_BODY_READ = 16 * 1024  # characters of an error body redacted before it is cut to _MAX_BODY


class SourceClient(httpx.AsyncClient):
    """An AsyncClient that knows its source's bounds on a reply (see send)."""

    def __init__(self, *, max_response_bytes: int, deadline: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_response_bytes = max_response_bytes
        self.deadline = deadline  # seconds for a whole request, reply included


class RateLimitedError(TransientSourceError):
    """HTTP 429; ``retry_after`` is the server's requested wait in seconds (None: not given)."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def make_client(
    spec: SourceSpec,
    *,
    base_url: str = "",
    headers: Mapping[str, str] | None = None,
) -> SourceClient:
    """A client for ``spec``: its ``headers`` option (plus ``headers`` the
    source adds, e.g. a token), ``ca_file`` resolved from the config's
    folder, ``spec.timeout`` (per read and for the whole request),
    ``max_response_bytes``, and a ``transport`` option tests set directly."""
    options = spec.options
    merged = {str(k): str(v) for k, v in dict(options.get("headers") or {}).items()}
    merged.update(headers or {})
    for name, value in merged.items():  # a backend may echo them in an error body
        if name.lower() not in secrets.PLAIN_HEADERS:
            secrets.add(value)
    ca_path = spec.path(str(options["ca_file"])) if options.get("ca_file") else None
    try:
        verify = ssl_context(str(ca_path) if ca_path else None)
    except (OSError, ssl.SSLError) as error:
        raise SourceError(f"ca_file {ca_path}: cannot load ({error.__class__.__name__})") from None
    timeout = spec.timeout.total_seconds()
    return SourceClient(
        max_response_bytes=int(options.get("max_response_bytes") or DEFAULT_MAX_RESPONSE_BYTES),
        deadline=timeout,
        base_url=base_url,
        headers=merged,
        verify=verify,
        timeout=timeout,
        transport=options.get("transport"),
    )


_contexts: dict[tuple, ssl.SSLContext] = {}


def ssl_context(ca_file: str | None) -> ssl.SSLContext:
    """The SSLContext verifying against ``ca_file`` (None: httpx's default,
    certifi), one per process: building one loads a CA bundle (~35 ms), once
    per client before; a context is made to be shared by connections. A
    ca_file is read again when it changes on disk."""
    key = (ca_file, _stamp(ca_file)) if ca_file else \
        (None, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))  # what httpx's default reads
    context = _contexts.get(key)
    if context is None:
        context = ssl.create_default_context(cafile=ca_file) if ca_file else httpx.create_ssl_context()
        _contexts[key] = context
    return context


def _stamp(path: str) -> tuple[int, int]:
    stat = os.stat(path)
    return stat.st_mtime_ns, stat.st_size


async def send(client: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """``client.request`` with every failure turned into a SourceError; a
    response below 400 is returned as is."""
    response = await fetch(client, method, url, **kwargs)
    raise_for_status(response)
    return response


async def fetch(client: httpx.AsyncClient, method: str, url: str, *, deadline: float | None = None,
                **kwargs: Any) -> httpx.Response:
    """The reply to one request, whatever its status, its body read in full
    within the client's deadline (or ``deadline``, if shorter) and its size
    limit; every failure to get it is a SourceError."""
    limits = [d for d in (getattr(client, "deadline", None), deadline) if d is not None]
    total = min(limits) if limits else None
    try:
        async with asyncio.timeout(total):
            return await _read(client, client.build_request(method, url, **kwargs))
    except TimeoutError:
        raise TransientSourceError(f"{_where(client, method, url)}: no complete reply within "
                                   f"{format_seconds(total)}") from None
    except httpx.TimeoutException:
        raise TransientSourceError(f"{_where(client, method, url)}: timed out") from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol):
        raise SourceError(f"{_where(client, method, url)}: invalid URL") from None
    except (httpx.ConnectError, httpx.ProxyError) as error:
        raise TransientSourceError(f"{_where(client, method, url)}: cannot connect "
                                   f"({error.__class__.__name__})") from None
    except httpx.TransportError as error:
        raise TransientSourceError(f"{_where(client, method, url)}: the reply broke off "
                                   f"({error.__class__.__name__})") from None
    except httpx.DecodingError:
        raise SourceError(f"{_where(client, method, url)}: the reply's content encoding is broken") from None


async def _read(client: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
    """Send ``request`` and stream the reply in, refusing it as soon as it
    says or proves to be larger than the client's max_response_bytes."""
    limit = getattr(client, "max_response_bytes", DEFAULT_MAX_RESPONSE_BYTES)
    response = await client.send(request, stream=True)
    try:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise SourceError(_too_large(request, limit))
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise SourceError(_too_large(request, limit))
            chunks.append(chunk)
    finally:
        await response.aclose()
    # The body as read (decoded), in a response that can be read again.
    headers = [(k, v) for k, v in response.headers.multi_items()
               if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
    return httpx.Response(response.status_code, headers=headers, content=b"".join(chunks), request=request,
                          extensions=response.extensions)


def _too_large(request: httpx.Request, limit: int) -> str:
    return f"{request.method} {safe_url(request.url)}: reply larger than {format_size(limit)} " \
           "(the source's max_response_bytes)"


def raise_for_status(response: httpx.Response, *, now: datetime | None = None) -> None:
    """Raise the SourceError that matches an HTTP error response."""
    status = response.status_code
    if status < 400:
        return
    request = response.request
    where = f"{request.method} {safe_url(request.url)}"
    if status in AUTH_STATUS:
        raise SourceError(f"{where}: authentication failed (HTTP {status}); check the token or credentials")
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"), now=now)
        wait = f", retry after {retry_after:g}s" if retry_after is not None else ""
        raise RateLimitedError(f"{where}: rate limited (HTTP 429{wait})", retry_after)
    detail = _body_excerpt(response)
    message = f"{where}: HTTP {status} {response.reason_phrase}" + (f": {detail}" if detail else "")
    if status in RETRYABLE_STATUS:
        raise TransientSourceError(message)
    raise SourceError(message)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _where(client: httpx.AsyncClient, method: str, url: str) -> str:
    """The request as an error names it. Made only for an error: joining and
    parsing the URL cost a tenth of a Prometheus refresh's client time."""
    try:
        return f"{method} {safe_url(client.base_url.join(url))}"
    except httpx.InvalidURL:
        return f"{method} <invalid URL>"


def safe_url(url: httpx.URL | str) -> str:
    """scheme://host:port/path: no userinfo, no query (either may hold a token)."""
    url = httpx.URL(url)
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}{url.path}"


def _body_excerpt(response: httpx.Response) -> str:
    """The start of an error body, worth showing: secrets a server echoes
    back (our own headers, say) are redacted before it is cut to length,
    so no cut half of one escapes."""
    try:
        text = response.text[:_BODY_READ]
    except (httpx.ResponseNotRead, UnicodeDecodeError, LookupError):
        return ""
    text = secrets.redact(" ".join(text.split()))
    return text[:_MAX_BODY] + ("…" if len(text) > _MAX_BODY else "")
