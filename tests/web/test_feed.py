"""A browser session's RemoteHub against the serve process's SnapshotFeed:
the hello, pushed snapshots, writes through the one hub (audited, refused
read-only), and what a session gets once the serve process has gone."""

from __future__ import annotations

import asyncio
import json

from cockpit.clock import DEMO_TIME
from cockpit.config import load_config
from cockpit.hub import READ_ONLY_REFUSAL, Hub
from cockpit.web.feed import SnapshotFeed
from cockpit.web.remote_hub import GONE, RemoteHub
from cockpit.writes import Action

DECLARE = Action("declare", params={"title": "Checkout down", "severity": "P1", "services": ["checkout"],
                                    "commander": "@lead"})


def _config(tmp_path, read_only: bool = False):
    (tmp_path / "services.yaml").write_text("services:\n  checkout: {owner: shop, primary_contact: '@lead'}\n")
    path = tmp_path / "cockpit.yaml"
    path.write_text(f"refresh: 1h\nread_only: {str(read_only).lower()}\nuser: alice\n"
                    f"data_dir: {tmp_path / 'data'}\n"
                    "sources:\n  - {kind: catalog, path: services.yaml}\n  - {kind: incident-log}\n")
    return load_config(path)


async def _serving(tmp_path, read_only: bool = False) -> tuple[SnapshotFeed, RemoteHub]:
    config = _config(tmp_path, read_only)
    feed = SnapshotFeed(Hub.from_config(config, lambda: DEMO_TIME), tmp_path / "feed.sock")
    await feed.start()
    await feed.hub.refresh_all()
    client = await asyncio.to_thread(RemoteHub.connect, feed.path)
    client.start()
    return feed, client


async def test_a_session_gets_the_hubs_snapshot_and_writes_through_it(tmp_path):
    feed, client = await _serving(tmp_path)
    try:
        assert [s.name for s in client.snapshot().services] == ["checkout"]
        assert client.capabilities.can("declare") and client.user == "alice" and not client.read_only
        pushed = []
        client.subscribe(pushed.append)
        result = await client.perform("incident-log", DECLARE)
        assert result.ok, result.message
        # The hub refreshed the log after the write; the session got that snapshot before the reply.
        assert [i.title for i in pushed[-1].incidents] == ["Checkout down"]
        assert client.snapshot() is pushed[-1]
        audit = [json.loads(line) for line in (tmp_path / "data" / "audit.jsonl").read_text().splitlines()]
        assert [(a["user"], a["action"], a["result"][:2]) for a in audit] == [("alice", "declare", "ok")]
        assert await client.list_silences() == ((), ())
        assert (await client.refresh_now()).incidents == pushed[-1].incidents
    finally:
        await client.aclose()
        await feed.aclose()


async def test_read_only_serve_refuses_a_sessions_write(tmp_path):
    feed, client = await _serving(tmp_path, read_only=True)
    try:
        assert client.read_only
        result = await client.perform("incident-log", DECLARE)
        assert (result.ok, result.message) == (False, READ_ONLY_REFUSAL)
    finally:
        await client.aclose()
        await feed.aclose()


async def test_a_session_outliving_the_serve_process_is_told_so(tmp_path):
    feed, client = await _serving(tmp_path)
    try:
        await feed.aclose()
        result = await client.perform("incident-log", DECLARE)
        assert (result.ok, result.message) == (False, GONE)
        assert await client.list_silences() == ((), (GONE,))
        assert client.snapshot().services  # the last snapshot stays on screen
    finally:
        await client.aclose()


async def test_a_closed_session_is_forgotten(tmp_path):
    feed, client = await _serving(tmp_path)
    try:
        assert feed.sessions == 1
        await client.aclose()
        async with asyncio.timeout(5):
            while feed.sessions:
                await asyncio.sleep(0.01)
        await feed.hub.refresh_all()  # publishing to nobody is fine
    finally:
        await feed.aclose()
