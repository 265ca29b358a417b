"""Fixtures of the fault suite (the world they build: fault_world.py)."""

from __future__ import annotations

import pytest

from fault_server import fault_server
from fault_world import Clock, make_source
from cockpit.hub import Hub
from cockpit.resilience import RetryPolicy


@pytest.fixture(scope="module")
def server():
    with fault_server() as running:
        yield running


@pytest.fixture
def faults(server):
    """The shared server, healthy at the start and end of each test."""
    server.set("ok", fail_times=2, retry_after=1, drip_every=1.0, huge_bytes=50 * 1024 * 1024)
    yield server
    server.set("ok")


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
async def hub_for(faults, tmp_path, clock):
    """hub_for(kind, retry=..., sleep=...): a hub over one source of ``kind`` at the fault server."""
    hubs = []

    def build(kind: str, *, retry: RetryPolicy = RetryPolicy(tries=1), sleep=None, **options) -> Hub:
        async def no_wait(seconds):
            pass
        hub = Hub([make_source(kind, faults.url, tmp_path, clock, **options)], clock=clock, retry=retry,
                  sleep=sleep or no_wait)
        hubs.append(hub)
        return hub

    yield build
    for hub in hubs:
        await hub.aclose()
