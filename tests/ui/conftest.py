"""A small fixed world for the UI tests: real Hub, real SLO math, sources
that return canned data, and the fixed demo clock."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from cockpit.clock import DEMO_TIME, fixed_clock
from cockpit.config import Config
from cockpit.hub import Hub
from cockpit.model import (SLO, EscalationStep, Incident, OnCall, Runbook, Service, SourceData,
                           TimelineEntry)
from cockpit.slo import BURN_WINDOWS, Events, evaluate
from cockpit.sources.base import Source, SourceError, SourceSpec

NOW = DEMO_TIME
MALICIOUS = "[bold]x[/] \x1b[31mred\x1b[0m"


class CannedSource(Source):
    """Returns the SourceData it was given (or fails with ``error``)."""

    kind = "canned"
    provides = frozenset({"catalog", "slos", "incidents", "runbooks", "oncall"})

    def __init__(self, name: str, data: SourceData, *, demo: bool = False, error: str = "") -> None:
        super().__init__(SourceSpec(kind="canned", name=name, refresh=timedelta(hours=1),
                                    timeout=timedelta(seconds=5), options={}, base_dir=Path(".")), None)
        self.data, self.error = data, error
        self.demo = demo

    async def fetch(self) -> SourceData:
        if self.error:
            raise SourceError(self.error)
        return self.data


def steps(*contacts: str) -> tuple[EscalationStep, ...]:
    afters = (timedelta(0), timedelta(minutes=15), timedelta(hours=1))
    return tuple(EscalationStep(n + 1, c, afters[min(n, 2)]) for n, c in enumerate(contacts))


def catalog(extra_title: str = "") -> SourceData:
    services = (
        Service("api-server", "backend-team", "@backend-lead", steps("@backend-oncall", "@backend-lead", "@cto"),
                True, ("runbooks/api-server/",), ("auth-service", "postgres-primary"), ("users",),
                description="Public REST API"),
        Service("auth-service", "backend-team", "@backend-lead", steps("@backend-oncall", "@backend-lead"),
                True, (), ("postgres-primary",), ("users",)),
        Service("checkout-service", "payments-team", "@payments-lead", steps("@payments-oncall"),
                True, (), ("postgres-primary",), ()),
        Service("postgres-primary", "platform-team", "@platform-lead", steps("@platform-oncall", "@dba"),
                True, (), (), ("users", "orders"), description=extra_title),
    )
    runbooks = (
        Runbook("api-server/high-error-rate.md", "API high error rate", "# Steps\n", "backend-team",
                ("api-server",), date(2026, 11, 25)),
        Runbook("postgres-primary/failover.md", "Postgres failover", "# Failover\n", "platform-team",
                ("postgres-primary",), date(2026, 9, 1)),
    )
    return SourceData(services=services, runbooks=runbooks)


def slo_status(service: str, name: str, error_ratio: float, burn: dict[str, float], demo: bool = True):
    slo = SLO(service, name, 0.999, timedelta(days=30), sli=name, target_text="99.9%")
    window = Events(errors=error_ratio * 100000, total=100000)
    burn_events = {w: Events(errors=burn.get(w, error_ratio) * 10000, total=10000) for w in BURN_WINDOWS}
    history = tuple(1.0 - error_ratio / 0.001 * i / 10 for i in range(11))
    return evaluate(slo, window, burn_events, history=history, source="demo", demo=demo)


def demo_data() -> SourceData:
    slos = (
        slo_status("api-server", "availability", 0.0006, {"1h": 0.02, "5m": 0.03}),  # 60% used, paging
        slo_status("auth-service", "availability", 0.0001, {}),  # healthy
        slo_status("checkout-service", "latency", 0.0012, {}),  # exhausted
    )
    incidents = (
        Incident("INC-7", "API 5xx spike", "P1", "investigating", "api-server", NOW - timedelta(minutes=40),
                 "incident-log", commander="@ann",
                 timeline=(TimelineEntry(NOW - timedelta(minutes=40), "declared", "declared"),)),
        Incident("ALERT-1", "Checkout latency burning budget", "P2", "firing", "checkout-service",
                 NOW - timedelta(minutes=5), "demo", kind="alert", demo=True),
    )
    oncall = (OnCall("api-server", "backend", 1, "alice", NOW + timedelta(hours=6), "demo"),)
    return SourceData(slos=slos, incidents=incidents, oncall=oncall)


def make_hub(*, catalog_data: SourceData | None = None, failing: str = "", degraded: tuple[str, ...] = (),
             read_only: bool = False) -> Hub:
    """``failing``: a pagerduty source failing with that error; ``degraded``:
    an alertmanager source whose fetch left those warnings."""
    sources = [CannedSource("catalog", catalog_data or catalog()), CannedSource("demo", demo_data(), demo=True)]
    if failing:
        sources.append(CannedSource("pagerduty", SourceData(), error=failing))
    if degraded:
        sources.append(CannedSource("alertmanager", SourceData(warnings=degraded)))
    return Hub(sources, clock=fixed_clock(), read_only=read_only)


@pytest.fixture
def config(tmp_path) -> Config:
    return Config(path=tmp_path / "cockpit.yaml", data_dir=tmp_path, audit_log=tmp_path / "audit.jsonl",
                  postmortems=tmp_path / "postmortems", user="tester")


@pytest.fixture
def app_factory(config):
    """Build the app over the canned world: app_factory(keymap=..., failing=..., catalog_data=...)."""
    from dataclasses import replace

    from cockpit.ui.app import make_app

    def build(*, keymap=None, read_only=False, **hub_options):
        cfg = replace(config, keymap=keymap or {})
        return make_app(cfg, hub=make_hub(read_only=read_only, **hub_options), clock=fixed_clock())

    return build


async def keys_done(app, pilot) -> None:
    """Wait until what the keys asked for is done: a panel's write or draft is
    a message the app acts on in a worker, one hop after the key itself."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def settle(app, pilot) -> None:
    """Fetch every source once and let the app render the snapshot (and
    mount the panels not shown yet, which it does once every source answered)."""
    await app.hub.refresh_all()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def open_panel(app, pilot, key: str, panel_id: str):
    """Settle, press the panel's key as a user would, return the panel."""
    await settle(app, pilot)
    await pilot.press(key)
    await pilot.pause()
    return app.query_one(f"#{panel_id}")
