"""A loopback HTTP proxy in front of a real server that hangs the paths it is
told to: it accepts the request and never answers, until it is closed. A
gateway whose status pages hang (Prometheus-compatible engines), or a hung
backend, for the tests. It counts the requests it hung, and those it passed on, per path."""

from __future__ import annotations

import http.server
import threading
from collections import Counter
from contextlib import contextmanager
from typing import Iterator, Sequence

import httpx

_DROPPED = frozenset({"connection", "keep-alive", "transfer-encoding", "content-encoding", "content-length"})


class HangingProxy(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str, hang: Sequence[str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = upstream.rstrip("/")
        self.hang = tuple(hang)  # path prefixes; "" hangs everything
        self.released = threading.Event()
        self.hung: Counter[str] = Counter()
        self.passed: Counter[str] = Counter()  # forwarded to the upstream
        self.hung_one = threading.Event()  # set once a request is being held
        self.client = httpx.Client(timeout=30.0)  # one for all: a client per request costs ~0.2 s

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: HangingProxy
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._answer()

    def do_POST(self) -> None:  # noqa: N802
        self._answer()

    def _answer(self) -> None:
        path = self.path.split("?")[0]
        if any(path.startswith(prefix) for prefix in self.server.hang):
            self.server.hung[path] += 1
            self.server.hung_one.set()
            self.server.released.wait()
            self.close_connection = True
            return
        self.server.passed[path] += 1
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _DROPPED | {"host"}}
        reply = self.server.client.request(self.command, self.server.upstream + self.path, headers=headers,
                                           content=body)
        self.send_response(reply.status_code)
        for name, value in reply.headers.items():
            if name.lower() not in _DROPPED:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.content)))
        self.end_headers()
        self.wfile.write(reply.content)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def hanging_proxy(upstream: str, hang: Sequence[str]) -> Iterator[HangingProxy]:
    proxy = HangingProxy(upstream, hang)
    thread = threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.released.set()
        proxy.shutdown()
        proxy.server_close()
        proxy.client.close()
