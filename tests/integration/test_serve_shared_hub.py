"""`cockpit serve`: N browser sessions cost the backends what one does.
The serve process's one hub (SnapshotFeed) against a real Prometheus,
counted by Prometheus' own prometheus_http_requests_total, and a real
Alertmanager, counted by a proxy; each session is a RemoteHub, as
cockpit.web.session makes it."""

from __future__ import annotations

import asyncio

import pytest

from serve_backends import ALERT, SLO, serve_backends

from cockpit.clock import system_clock
from cockpit.config import load_config
from cockpit.hub import Hub
from cockpit.web.feed import SnapshotFeed
from cockpit.web.remote_hub import RemoteHub

pytestmark = pytest.mark.integration


async def _until(condition, what: str, timeout_s: float = 20.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():
            await asyncio.sleep(0.02)


async def _costs(backends, sessions: int) -> dict[str, tuple[int, int]]:
    """(PromQL queries, Alertmanager requests) spent opening ``sessions``
    sessions, and on one refresh of the hub with them open."""
    config = load_config(backends.config())
    feed = SnapshotFeed(Hub.from_config(config, system_clock), backends.folder / f"feed-{sessions}.sock")
    await feed.start()  # the hub's loops fetch once at start; the next refresh is an hour away
    try:
        await _until(lambda: all(s.state != "loading" for s in feed.hub.snapshot().sources), "the first fetch")
        start = backends.counts()
        clients = [await asyncio.to_thread(RemoteHub.connect, feed.path) for _ in range(sessions)]
        received: list[list] = [[] for _ in clients]
        for client, got in zip(clients, received):
            client.subscribe(got.append)
            client.start()
        await _until(lambda: feed.sessions == sessions, "the sessions")
        assert all({s.slo.name for s in c.snapshot().slos} == {SLO} for c in clients)  # the hello carries the data
        opened = backends.counts()
        await feed.hub.refresh_all()  # what the periodic loop does
        await _until(lambda: all(received), "the refreshed snapshot in every session")
        refreshed = backends.counts()
        for got in received:
            assert [ALERT in i.title for i in got[-1].incidents] == [True]
        for client in clients:
            await client.aclose()
    finally:
        await feed.aclose()
    return {"opening": tuple(b - a for a, b in zip(start, opened)),
            "refresh": tuple(b - a for a, b in zip(opened, refreshed))}


async def test_three_sessions_cost_one_sessions_queries_per_refresh(capsys):
    with serve_backends() as backends:
        one = await _costs(backends, 1)
        three = await _costs(backends, 3)
    with capsys.disabled():
        print(f"\nper refresh, 1 session: {one['refresh'][0]} PromQL queries, {one['refresh'][1]} Alertmanager "
              f"requests; 3 sessions: {three['refresh'][0]}, {three['refresh'][1]}")
    assert one["refresh"][0] > 0 and one["refresh"][1] > 0
    assert three["refresh"] == one["refresh"]
    assert one["opening"] == three["opening"] == (0, 0)  # a session fetches nothing itself
