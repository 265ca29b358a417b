"""Real Alertmanagers for the integration tests and the benchmark: start
instances of Debian's /usr/bin/prometheus-alertmanager on free loopback
ports, gossip off (``--cluster.listen-address=``, which would otherwise bind
*:9094), each with its own temporary storage; post alerts; wait for state.

Importable on its own (bench/alerts.py uses it without pytest).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator, Sequence

import httpx

from loopback_server import serve_process

BINARY = shutil.which("prometheus-alertmanager") or "/usr/bin/prometheus-alertmanager"

# Group by alertname and service, the way most real routing trees start.
CONFIG = """\
route:
  receiver: blackhole
  group_by: [alertname, service]
receivers:
  - name: blackhole
"""


def available() -> bool:
    return Path(BINARY).is_file()


def wait_until(condition: Callable[[], bool], timeout_s: float = 10.0, what: str = "condition") -> None:
    """Poll ``condition`` (the servers apply posts asynchronously); fail loudly on timeout."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout_s:g}s waiting for {what}")
        time.sleep(0.05)


@contextmanager
def alertmanager(workdir: Path, config: str = CONFIG) -> Iterator[str]:
    """One Alertmanager (``config``: its alertmanager.yml); yields its base
    URL and stops it on exit."""
    with alertmanager_process(workdir, config) as (url, _):
        yield url


@contextmanager
def alertmanagers(count: int) -> Iterator[list[tuple[str, subprocess.Popen]]]:
    """``count`` independent instances: (base URL, process) each."""
    with tempfile.TemporaryDirectory(prefix="cockpit-am-") as tmp, ExitStack() as stack:
        yield [stack.enter_context(alertmanager_process(Path(tmp) / str(n))) for n in range(count)]


@contextmanager
def alertmanager_process(workdir: Path, config: str = CONFIG) -> Iterator[tuple[str, subprocess.Popen]]:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "alertmanager.yml").write_text(config)
    with serve_process("alertmanager", lambda port: [
        BINARY, f"--config.file={workdir / 'alertmanager.yml'}", f"--storage.path={workdir / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=", "--log.level=warn",
    ], workdir / "alertmanager.log") as running:
        yield running


@contextmanager
def alertmanager_pair() -> Iterator[tuple[str, str]]:
    """Two independent instances (an HA pair without gossip)."""
    with tempfile.TemporaryDirectory(prefix="cockpit-am-") as tmp, ExitStack() as stack:
        first = stack.enter_context(alertmanager(Path(tmp) / "a"))
        second = stack.enter_context(alertmanager(Path(tmp) / "b"))
        yield first, second


def make_alert(labels: dict[str, str], annotations: dict[str, str] | None = None,
               starts_at: datetime | None = None, lasts: timedelta = timedelta(hours=2)) -> dict:
    """A postable alert; endsAt in the future so it does not resolve during a run."""
    start = starts_at or datetime.now(timezone.utc) - timedelta(minutes=5)
    return {
        "labels": labels,
        "annotations": annotations or {},
        "startsAt": start.isoformat(),
        "endsAt": (datetime.now(timezone.utc) + lasts).isoformat(),
        "generatorURL": f"http://prometheus.example:9090/graph?g0.expr={labels.get('alertname', '')}",
    }


def post_alerts(urls: Sequence[str], alerts: list[dict], batch: int = 1000) -> None:
    """POST /api/v2/alerts to every instance, in batches."""
    with httpx.Client(timeout=30.0) as client:
        for url in urls:
            for start in range(0, len(alerts), batch):
                client.post(f"{url}/api/v2/alerts", json=alerts[start:start + batch]).raise_for_status()


def grouped_alert_count(url: str) -> int:
    groups = httpx.get(f"{url}/api/v2/alerts/groups", timeout=30.0).json()
    return len({a["fingerprint"] for g in groups for a in g["alerts"]})
