"""A loopback HTTP server (tests and benchmarks only, 127.0.0.1, a free
port) that speaks just enough of Prometheus', Alertmanager's and
PagerDuty's APIs to be a healthy backend, and fails in one way at a time,
switched at run time (``server.mode = "hang"``), so the same URL can break
and recover without restarting anything.

Modes (FAULTS lists the faults): ok; refuse (the port is closed: connections
refused); hang (accepts, never answers); drip (the whole reply, status line
included, one byte per ``drip_every`` seconds); 503 (HTTP 503 ``fail_times``
times, then ok again); 429 (HTTP 429 with Retry-After: ``retry_after``);
html (a 200 login page); truncated (JSON cut in half, framed correctly);
huge (``huge_bytes`` of JSON, 50 MB by default, with its Content-Length);
wrong-shape (valid JSON of the wrong shape for each API); endless (a
chunked reply that never ends, as fast as the client reads).
``sent`` counts the body bytes written, per mode.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections import Counter
from contextlib import contextmanager
from typing import Iterator

from loopback_server import free_port

FAULTS = ("refuse", "hang", "drip", "503", "429", "html", "truncated", "huge", "wrong-shape", "endless")
ALERT = {"labels": {"alertname": "DiskFull", "service": "api-server", "severity": "critical"},
         "annotations": {"summary": "disk 95% full"}, "fingerprint": "f00d", "startsAt": "2024-01-01T00:00:00Z",
         "status": {"state": "active", "silencedBy": [], "inhibitedBy": []}}
INCIDENT = {"id": "PFAULT1", "title": "Checkout errors", "status": "triggered", "urgency": "high",
            "created_at": "2024-01-01T00:00:00Z", "service": {"id": "PSVC", "summary": "checkout"}}


def healthy_reply(path: str) -> object:
    """What a healthy backend answers at ``path``."""
    if path.startswith("/api/v1/status/"):
        return {"status": "success", "data": {"storageRetention": "90d"}}
    if path.startswith("/api/v1/query"):
        return {"status": "success", "data": {"resultType": "vector", "result": []}}
    if path == "/api/v2/alerts/groups":
        return [{"labels": {"alertname": "DiskFull"}, "alerts": [ALERT]}]
    if path == "/api/v2/silences":
        return []
    if path == "/incidents":
        return {"incidents": [INCIDENT], "more": False}
    if path in ("/services", "/oncalls"):
        return {path[1:]: [], "more": False}
    return {"error": "not found"}


def wrong_shape(path: str) -> object:
    """Valid JSON, not what the API promises at ``path``."""
    if path.startswith("/api/v1/"):
        return {"status": "success", "data": {"resultType": "vector", "result": "nope"}}
    if path.startswith("/api/v2/"):
        return {"groups": "nope"}  # an object where a list belongs
    return {path.strip("/"): "nope", "more": False}  # PagerDuty: {"incidents": "nope"}


class FaultServer:
    """The server; ``url`` stays the same whatever the mode."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mode = "ok"
        self.fail_times = 2  # 503: how many requests fail before it recovers
        self.retry_after = 1  # 429: seconds
        self.drip_every = 1.0
        self.huge_bytes = 50 * 1024 * 1024
        self.requests: Counter[str] = Counter()  # per mode answered, since the last set()
        self.sent: Counter[str] = Counter()  # body bytes written, per mode, since the last set()
        self.held = threading.Event()  # set once a request is being hung or dripped
        self.closing = threading.Event()
        self._failed = 0
        self._listener: _Listener | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set(self, mode: str, **settings) -> None:
        """Switch to ``mode`` (and any of fail_times, retry_after, drip_every, huge_bytes)."""
        assert mode == "ok" or mode in FAULTS, mode
        for name, value in settings.items():
            assert hasattr(self, name), name
            setattr(self, name, value)
        with self._lock:
            self.mode, self._failed = mode, 0
            self.held.clear()
            self.requests.clear()
            self.sent.clear()
            if mode == "refuse":
                self._stop_listening()
            elif self._listener is None:
                self._listen()

    def start(self) -> None:
        with self._lock:
            self._listen()

    def close(self) -> None:
        self.closing.set()
        with self._lock:
            self._stop_listening()

    def _listen(self) -> None:
        self._listener = _Listener(self)
        threading.Thread(target=self._listener.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def _stop_listening(self) -> None:
        if self._listener is not None:
            self._listener.shutdown()
            self._listener.server_close()
            self._listener = None

    def next_fault(self) -> str:
        """The mode this request gets (503 recovers after fail_times)."""
        with self._lock:
            mode = self.mode
            if mode == "503":
                self._failed += 1
                if self._failed > self.fail_times:
                    mode = "ok"
            self.requests[mode] += 1
            return mode


class _Listener(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, faults: FaultServer) -> None:
        super().__init__(("127.0.0.1", faults.port), _Handler)
        self.faults = faults


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Listener
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        faults = self.server.faults
        path = self.path.split("?")[0]
        mode = faults.next_fault()
        try:
            _ANSWERS[mode](self, path, faults)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up: what it should do
        self.close_connection = True

    do_POST = do_PUT = do_DELETE = do_GET

    def log_message(self, *args) -> None:
        pass

    def end_headers(self) -> None:
        # One request per connection, said so: a client must not reuse a connection this server closes.
        self.send_header("Connection", "close")
        super().end_headers()

    def _reply(self, status: int, body: bytes, content_type: str = "application/json", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)
        self.server.faults.sent[self.server.faults.mode] += len(body)

    def _ok(self, path: str, faults: FaultServer) -> None:
        self._reply(200, json.dumps(healthy_reply(path)).encode())

    def _hang(self, path: str, faults: FaultServer) -> None:
        faults.held.set()
        faults.closing.wait()

    def _drip(self, path: str, faults: FaultServer) -> None:
        body = json.dumps(healthy_reply(path)).encode()
        whole = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                 "Connection: close\r\n\r\n".encode() + body)
        faults.held.set()
        for byte in whole:
            if faults.closing.wait(faults.drip_every):
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            faults.sent["drip"] += 1

    def _unavailable(self, path: str, faults: FaultServer) -> None:
        self._reply(503, b"upstream unavailable", "text/plain")

    def _limited(self, path: str, faults: FaultServer) -> None:
        self._reply(429, b'{"error": "rate limited"}', Retry_After=str(faults.retry_after))

    def _html(self, path: str, faults: FaultServer) -> None:
        self._reply(200, b"<!doctype html><html><body><form>Sign in</form></body></html>", "text/html")

    def _truncated(self, path: str, faults: FaultServer) -> None:
        body = json.dumps(healthy_reply(path)).encode()
        self._reply(200, body[: len(body) // 2])

    def _wrong_shape(self, path: str, faults: FaultServer) -> None:
        self._reply(200, json.dumps(wrong_shape(path)).encode())

    def _huge(self, path: str, faults: FaultServer) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(faults.huge_bytes))
        self.end_headers()
        self._stream(faults, faults.huge_bytes)

    def _endless(self, path: str, faults: FaultServer) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._stream(faults, None)

    def _stream(self, faults: FaultServer, size: int | None) -> None:
        """``size`` bytes of a JSON list (None: forever, chunked)."""
        piece = b'{"labels": {"a": "b"}},' * 2800  # ~64 KiB
        left = None if size is None else size - 1
        self._write(b"[", size is None)
        while (left is None or left > 0) and not faults.closing.is_set():
            chunk = piece if left is None else piece[:left]
            self._write(chunk, size is None)
            faults.sent[faults.mode] += len(chunk)
            if left is not None:
                left -= len(chunk)

    def _write(self, data: bytes, chunked: bool) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)


_ANSWERS = {"ok": _Handler._ok, "hang": _Handler._hang, "drip": _Handler._drip, "503": _Handler._unavailable,
            "429": _Handler._limited, "html": _Handler._html, "truncated": _Handler._truncated,
            "huge": _Handler._huge, "wrong-shape": _Handler._wrong_shape, "endless": _Handler._endless}


@contextmanager
def fault_server() -> Iterator[FaultServer]:
    server = FaultServer()
    server.start()
    try:
        yield server
    finally:
        server.close()
