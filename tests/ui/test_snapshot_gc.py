"""Applying a snapshot and the garbage collector (CockpitApp._apply): no
collection while the panels rebuild, then what the app holds is frozen out
of the collector's reach, with a full collection at most every
FULL_COLLECTION_EVERY_S, and everything unfrozen when the app goes."""

from __future__ import annotations

import gc

from cockpit import app as app_module
from tests.ui.conftest import settle


async def test_a_snapshot_is_applied_with_the_collector_off_then_frozen(app_factory, monkeypatch):
    app = app_factory()
    during: list[bool] = []
    async with app.run_test() as pilot:
        await settle(app, pilot)
        show = app._show_everywhere
        monkeypatch.setattr(app, "_show_everywhere", lambda snapshot: (during.append(gc.isenabled()), show(snapshot)))
        gc.unfreeze()
        app._apply(app.hub.snapshot())
        assert during == [False]
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0  # unmounted: the app's objects are collectable again


async def test_a_full_collection_runs_at_most_once_per_interval(app_factory, monkeypatch):
    app = app_factory()
    collections: list[tuple] = []
    async with app.run_test() as pilot:
        await settle(app, pilot)
        monkeypatch.setattr(gc, "collect", lambda *args: collections.append(args) or 0)
        app._apply(app.hub.snapshot())
        assert collections == []  # the app started moments ago
        app._collected_at -= app_module.FULL_COLLECTION_EVERY_S
        app._apply(app.hub.snapshot())
        app._apply(app.hub.snapshot())
        assert collections == [()]


async def test_the_collector_stays_off_if_it_was_off(app_factory):
    app = app_factory()
    async with app.run_test() as pilot:
        await settle(app, pilot)
        gc.disable()
        try:
            app._apply(app.hub.snapshot())
            assert not gc.isenabled()
        finally:
            gc.enable()
