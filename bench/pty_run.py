"""A command in a real pty at 120x36, as a terminal over SSH sees it: every
byte it writes, with when it was written."""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import termios
import time
from dataclasses import dataclass, field

COLUMNS, LINES = 120, 36


@dataclass
class PtyRun:
    argv: list[str]
    started: float = 0.0
    chunks: list[tuple[float, bytes]] = field(default_factory=list)  # (seconds since start, bytes)

    def __enter__(self) -> "PtyRun":
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(LINES)}
        env.pop("TEXTUAL", None)
        self.started = time.perf_counter()
        self.process = subprocess.Popen(self.argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                        start_new_session=True, close_fds=True)
        os.close(slave)
        return self

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        os.close(self.master)

    def read_for(self, seconds: float) -> None:
        self.read_until(lambda: False, seconds)

    def read_until(self, done, limit: float) -> bool:
        """Read until ``done()`` or ``limit`` seconds; whether done."""
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            if done():
                return True
            ready, _, _ = select.select([self.master], [], [], 0.01)
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    return done()
                if not data:
                    return done()
                self.chunks.append((time.perf_counter() - self.started, data))
        return done()

    def output(self, since: float = 0.0) -> bytes:
        return b"".join(data for at, data in self.chunks if at >= since)

    def first_seen(self, marker: bytes) -> float | None:
        """Seconds from start to the chunk in which ``marker`` was complete."""
        seen = b""
        for at, data in self.chunks:
            seen += data
            if marker in seen:
                return at
        return None

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)
