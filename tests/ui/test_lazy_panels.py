"""Panels mount lazily (start-up is import and CSS bound): only the first is
composed; the others mount once every source has answered, or at once when
a key shows one before that, with the snapshot already in it."""

from __future__ import annotations

import asyncio

from cockpit.hub import Hub
from cockpit.model import SourceData
from cockpit.clock import fixed_clock
from cockpit.ui.app import make_app
from cockpit.ui.widgets.panel import Panel
from tests.ui.conftest import CannedSource, catalog, demo_data, settle


class HeldSource(CannedSource):
    """Answers only once ``release`` is set: a source still loading."""

    def __init__(self, name: str, data: SourceData) -> None:
        super().__init__(name, data, demo=True)
        self.release = asyncio.Event()

    async def fetch(self) -> SourceData:
        await self.release.wait()
        return self.data


def held_app(config, held: HeldSource):
    hub = Hub([CannedSource("catalog", catalog()), held], clock=fixed_clock())
    app = make_app(config, hub=hub, clock=fixed_clock())
    app.MOUNT_THE_REST_AFTER_S = 3600  # not within the test: only the sources' answers start the mounts
    return app


def mounted(app) -> list[str]:
    return [panel.panel_id for panel in app.query(Panel)]


async def test_only_the_first_panel_is_mounted_until_every_source_answered(config):
    held = HeldSource("demo", demo_data())
    app = held_app(config, held)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert mounted(app) == ["overview"]
        assert app.current_panel.snapshot.services  # the catalog answered: it is shown

        held.release.set()
        await settle(app, pilot)  # joins the held fetch, then waits for the mounts it starts
        assert sorted(mounted(app)) == sorted(app.panel_ids)
        await pilot.press("b")  # shown, a panel mounted in the background has the snapshot
        assert app.current_panel.panel_id == "slos" and app.current_panel.snapshot is app.snapshot


async def test_a_key_shows_a_panel_not_mounted_yet_with_the_snapshot_in_it(config):
    held = HeldSource("demo", demo_data())
    app = held_app(config, held)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert "services" not in mounted(app)
        await pilot.press("s", "down")  # the key after the panel's lands on its table
        panel = app.current_panel
        assert panel.panel_id == "services" and panel.snapshot is app.snapshot
        assert app.query_one("#services-table").selected_key == "auth-service"
        assert mounted(app) == ["overview", "services"]  # the others still wait for the held source
        held.release.set()


async def test_the_panels_mount_after_a_while_when_a_source_does_not_answer(config):
    held = HeldSource("demo", demo_data())
    app = held_app(config, held)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert mounted(app) == ["overview"]
        app.panels.mount_the_rest()  # what the timer calls
        await app.workers.wait_for_complete()
        assert sorted(mounted(app)) == sorted(app.panel_ids)
        held.release.set()


async def test_a_panel_still_mounting_is_not_ready_for_a_snapshot(config):
    """The hidden panels are brought up to each snapshot in the background:
    one given a snapshot while its table is not mounted yet would keep it
    and show an empty table when shown."""
    held = HeldSource("demo", demo_data())
    app = held_app(config, held)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert [panel.panel_id for panel in app.panels.ready()] == ["overview"]
        mounting = asyncio.ensure_future(app.panels.mounted("runbooks"))
        await asyncio.sleep(0)  # the mount has started, not finished
        assert "runbooks" not in [panel.panel_id for panel in app.panels.ready()]
        assert await mounting
        assert [panel.panel_id for panel in app.panels.ready()] == ["overview", "runbooks"]
        held.release.set()
