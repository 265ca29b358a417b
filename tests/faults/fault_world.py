"""The fault suite's world (its fixtures: conftest.py): one source of each
HTTP kind (prometheus, alertmanager, pagerduty) pointed at the fault
server, with a short timeout and a 1 MiB reply limit so every fault is
decided within two seconds."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from cockpit.sources import load_kind
from cockpit.sources.base import SourceContext, SourceSpec

KINDS = ("prometheus", "alertmanager", "pagerduty")
TIMEOUT_S = 2.0  # a healthy Prometheus fetch (17 queries) takes 0.1-0.4 s on a loaded machine
LIMIT = 1024 * 1024  # max_response_bytes in these tests
PD_TOKEN = "pd-fault-T0KEN-4411"
SLO_FILE = ('version: "prometheus/v1"\nservice: "api"\nslos:\n  - name: "availability"\n    objective: 99.9\n'
            "    sli:\n      events:\n        error_query: 'sum(rate(errors[{{.window}}]))'\n"
            "        total_query: 'sum(rate(requests[{{.window}}]))'\n")


class Clock:
    """A clock the test moves: data ages are exact."""

    def __init__(self) -> None:
        self.now = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def options_for(kind: str, url: str, folder: Path) -> dict:
    if kind == "prometheus":
        (folder / "slos.yaml").write_text(SLO_FILE)
        return {"url": url, "slos": [str(folder / "slos.yaml")]}
    if kind == "alertmanager":
        return {"urls": [{"url": url, "name": "am-1"}]}
    return {"token": PD_TOKEN, "base_url": url}


def make_source(kind: str, url: str, folder: Path, clock, *, timeout_s: float = TIMEOUT_S, **options):
    spec = SourceSpec(kind=kind, name=kind, refresh=timedelta(hours=1), timeout=timedelta(seconds=timeout_s),
                      options={**options_for(kind, url, folder), "max_response_bytes": LIMIT, **options},
                      base_dir=folder)
    return load_kind(kind)(spec, SourceContext(clock=clock, user="tester", data_dir=folder))


def items(snapshot, kind: str) -> tuple:
    """What the source of ``kind`` contributes to a snapshot."""
    return snapshot.slos if kind == "prometheus" else snapshot.incidents
