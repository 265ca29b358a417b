"""Start a real server binary on a free 127.0.0.1 port, wait until its
/-/ready answers, stop it on exit: what the Prometheus and Alertmanager
harnesses share. Importable without pytest (the benchmarks use it)."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

import httpx

START_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/-/ready", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def serve(name: str, command: Callable[[int], Sequence[str]], log_path: Path) -> Iterator[str]:
    """Run ``command(port)`` with its output in ``log_path``; yield its base URL
    once ready. A server that exits or never gets ready fails with its log."""
    with serve_process(name, command, log_path) as (url, _):
        yield url


@contextmanager
def serve_process(name: str, command: Callable[[int], Sequence[str]],
                  log_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """serve(), yielding the process too (tests hang it with SIGSTOP)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(list(command(port)), stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while not ready(url):
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited: {log_path.read_text()[-2000:]}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name} at {url} not ready after {START_TIMEOUT_S:g}s")
                time.sleep(0.05)
            yield url, process
        finally:
            process.send_signal(signal.SIGCONT)  # a server a test stopped must be able to terminate
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
