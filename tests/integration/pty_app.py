"""Run the cockpit app as a real process on a pseudo-terminal (80x24) for
the tests that drive it by keys, reading everything it draws so it never
blocks on its terminal."""

from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import sys
import termios
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping, Sequence


@contextmanager
def app_in_pty(args: Sequence[str], env: Mapping[str, str], cwd: Path) -> Iterator[tuple[subprocess.Popen, bytearray, int]]:
    """(the process, what it drew so far, the terminal's master fd to type into)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    screen = bytearray()

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            screen.extend(chunk)

    process = subprocess.Popen([sys.executable, "-m", "cockpit.cli", *args], stdin=slave, stdout=slave,
                               stderr=slave, env=dict(env), cwd=cwd, start_new_session=True)
    os.close(slave)
    threading.Thread(target=drain, daemon=True).start()
    try:
        yield process, screen, master
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
