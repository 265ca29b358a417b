"""Applying a snapshot (CockpitApp._apply): to the panel on screen at once,
the hidden panels after the screen is drawn, one at a time (or when one is
shown before its turn); and the garbage collector: no collection
while the panels rebuild, then what the app holds is frozen out of the
collector's reach (cockpit/collector.py, tested in tests/test_collector.py),
and everything unfrozen when the app goes."""

from __future__ import annotations

import gc
import threading

from cockpit.ui.widgets.panel import Panel
from tests.ui.conftest import settle


async def caught_up(app, pilot) -> None:
    """Until the hidden panels have the newest snapshot."""
    for _ in range(50):
        if not app._catching_up:
            return
        await pilot.pause()
    raise AssertionError("the hidden panels never caught up")


async def test_a_snapshot_is_applied_with_the_collector_off_then_frozen(app_factory, monkeypatch):
    app = app_factory()
    during: list[bool] = []
    async with app.run_test() as pilot:
        await settle(app, pilot)
        show = app._show_in
        monkeypatch.setattr(app, "_show_in", lambda panels, snapshot, *derived: (during.append(gc.isenabled()),
                                                                                   show(panels, snapshot, *derived)))
        gc.unfreeze()
        app._apply(app.hub.snapshot())
        assert during == [False]  # the panel on screen
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
        await caught_up(app, pilot)  # the hidden panels, the same way
        assert len(during) == len(app.switcher.query_children(Panel)) and not any(during)
    assert gc.get_freeze_count() == 0  # unmounted: the app's objects are collectable again


async def test_the_panel_on_screen_gets_a_snapshot_at_once_a_hidden_one_the_latest_after(app_factory,
                                                                                         monkeypatch):
    app = app_factory()
    async with app.run_test() as pilot:
        await settle(app, pilot)
        await pilot.press("i")
        await caught_up(app, pilot)
        incidents, services = app.query_one("#incidents"), app.query_one("#services")
        shown: list = []
        show = services.show_snapshot
        monkeypatch.setattr(services, "show_snapshot", lambda s, index, derived: (shown.append(s),
                                                                                 show(s, index, derived)))
        older, newer = app.hub.snapshot(), app.hub.snapshot()  # new objects, not published
        assert older is not newer
        app._apply(older)
        app._apply(newer)
        assert incidents.snapshot is newer
        assert shown == []  # hidden: not while the refresh is applied
        await caught_up(app, pilot)
        assert shown == [newer] and services.snapshot is newer  # after it: the latest, once
        await pilot.press("s")
        await pilot.press("i")
        await pilot.press("s")
        assert shown == [newer]  # shown with nothing new: not rebuilt


async def test_a_hidden_panel_derives_its_lines_in_a_worker_thread(app_factory, monkeypatch):
    """Panel.derive of a hidden panel runs off the event loop, with the
    collector off there too; refresh_view then draws what it gave."""
    app = app_factory()
    async with app.run_test() as pilot:
        await settle(app, pilot)
        await caught_up(app, pilot)
        services = app.query_one("#services")
        derive, ran = services.derive, []
        monkeypatch.setattr(services, "derive", lambda *args: (
            ran.append((threading.current_thread() is threading.main_thread(), gc.isenabled())), derive(*args))[1])
        newer = app.hub.snapshot()
        app._apply(newer)
        await caught_up(app, pilot)
        assert ran == [(False, False)]
        assert services.snapshot is newer and services.derived == derive(newer, app.index, app.clock())
        await pilot.press("s")
        assert ran == [(False, False)]  # caught up already: shown as it is


async def test_a_hidden_panel_whose_derive_fails_says_so_once(app_factory, monkeypatch):
    app = app_factory()
    async with app.run_test() as pilot:
        await settle(app, pilot)
        await caught_up(app, pilot)
        services = app.query_one("#services")

        def broken(*args):
            raise ValueError("no")

        monkeypatch.setattr(services, "derive", broken)
        notes: list[str] = []
        monkeypatch.setattr(app, "notify", lambda message, **kwargs: notes.append(message))
        for _ in range(2):
            app._apply(app.hub.snapshot())
            await caught_up(app, pilot)  # not tried again and again
        assert notes == ["Services: cannot render (ValueError)"]
        assert "services" in app.broken_panels


async def test_a_panel_shown_before_its_turn_gets_the_latest_then(app_factory, monkeypatch):
    app = app_factory()
    async with app.run_test() as pilot:
        await settle(app, pilot)
        await caught_up(app, pilot)
        monkeypatch.setattr(app, "call_after_refresh", lambda *args: True)  # the hidden ones' turn never comes
        newer = app.hub.snapshot()
        app._apply(newer)
        services = app.query_one("#services")
        assert services.snapshot is not newer
        await pilot.press("s")
        assert services.snapshot is newer


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


async def test_a_snapshot_that_lands_while_the_app_closes_is_dropped(app_factory, monkeypatch):
    """q while a refresh is in flight: its snapshot reaches the app after the
    panels are gone (the app's last messages are handled after its screens)."""
    app = app_factory()
    close_all = app._close_all

    late = []

    async def screens_closed_then_a_snapshot() -> None:
        await close_all()
        late.append(app.hub.snapshot())
        app._published(late[0])  # as the hub's subscriber is called

    monkeypatch.setattr(app, "_close_all", screens_closed_then_a_snapshot)
    async with app.run_test() as pilot:  # an error inside the app would be raised here
        await settle(app, pilot)
    assert late and app.snapshot is not late[0]


async def test_of_snapshots_published_together_only_the_newest_is_rendered(app_factory, monkeypatch):
    """Sources answering at once publish a snapshot each; the older ones would
    be drawn and replaced within a frame."""
    app = app_factory()
    async with app.run_test() as pilot:
        await settle(app, pilot)
        applied: list = []
        monkeypatch.setattr(app, "_apply", applied.append)
        older, newer = app.hub.snapshot(), app.hub.snapshot()
        app._published(older)
        app._published(newer)
        await pilot.pause()
        assert applied == [newer]
        newest = app.hub.snapshot()
        app._published(newest)  # one on its own is rendered
        await pilot.pause()
        assert applied == [newer, newest]
