"""The cockpit as real processes for the tests that stop them: the app on a
pseudo-terminal (80x24), everything it draws read so it never blocks on its
terminal, and `cockpit status --json` interrupted; each timed from the
moment it is asked to quit."""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

WAIT_S = 30.0


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def status_after_sigint(config: Path, env: Mapping[str, str], cwd: Path, ready: Callable[[], bool],
                        what: str) -> tuple[float, int, str]:
    """Run `cockpit status --json`, SIGINT it once ``ready()``: (seconds it
    took to exit after the signal, its exit code, its stderr)."""
    process = subprocess.Popen([sys.executable, "-m", "cockpit.cli", "status", "--json", "--config", str(config)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(env), cwd=cwd)
    try:
        wait_for(ready, what)
        asked = time.monotonic()
        process.send_signal(signal.SIGINT)
        process.wait(timeout=WAIT_S)
        took = time.monotonic() - asked
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    stderr = process.stderr.read().decode()
    process.stdout.close()
    process.stderr.close()
    return took, process.returncode, stderr


def app_after_q(config: Path, env: Mapping[str, str], cwd: Path, ready: Callable[[], bool],
                what: str) -> tuple[float, int, bytes]:
    """Run the app, press q once it has drawn its key hints and ``ready()``:
    (seconds it took to exit after q, its exit code, all it drew)."""
    with app_in_pty(["--config", str(config)], env, cwd) as (process, screen, master):
        wait_for(lambda: b"Quit" in screen, "the app to draw its key hints")
        wait_for(ready, what)
        asked = time.monotonic()
        os.write(master, b"q")
        process.wait(timeout=WAIT_S)
        took = time.monotonic() - asked
    return took, process.returncode, bytes(screen)


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
