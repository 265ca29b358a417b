"""The onboarding checklist ticks itself from what the cockpit sees (a
runbook and the card of each of the user's services opened, a drill
completed), across restarts; the first-run tour shows once."""

from __future__ import annotations

import json
from dataclasses import replace

from cockpit import activity
from cockpit.clock import fixed_clock
from cockpit.drills_done import completed_path
from cockpit.onboarding import load_progress
from cockpit.tour import QUESTIONS, seen_path
from cockpit.ui.app import make_app
from cockpit.ui.tour import TourScreen
from tests.ui.conftest import make_hub, open_panel
from tests.ui.helpers import screen_text

SIZE = (120, 36)


def build(config, **options):
    # alice is on call for api-server in the canned world: it is her service.
    return make_app(replace(config, user="alice"), hub=make_hub(), clock=fixed_clock(), **options)


def prompt(panel, item_id: str) -> str:
    return str(panel.items.get_option(item_id).prompt)


async def test_runbooks_and_cards_opened_and_a_drill_tick_items_across_restarts(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "w", "onboarding")
        assert prompt(panel, "read-runbooks").startswith("  [ ]")
        assert "to open: a runbook of api-server" in prompt(panel, "read-runbooks")
        assert "to open: the card of api-server" in prompt(panel, "escalation-path")
        await pilot.press("r")
        await pilot.pause()
        app.current_panel.focus_item("api-server/high-error-rate.md")
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        assert prompt(panel, "read-runbooks").startswith("  [x]")
        assert "seen: opened a runbook of api-server" in prompt(panel, "read-runbooks")
        assert prompt(panel, "escalation-path").startswith("  [ ]")
        await pilot.press("s")
        await pilot.pause()
        services = app.current_panel
        services.query_one("#services-table").select_key("api-server")
        await pilot.press("enter")  # the card, with its escalation path
        await pilot.pause()
        assert services.shown_service == "api-server"
        await pilot.press("w")
        await pilot.pause()
        assert prompt(panel, "escalation-path").startswith("  [x]")
        # A ticked-by-sight item is not unticked by space, and is not saved as a manual tick.
        panel.focus_item("read-runbooks")
        await pilot.press("space")
        await pilot.pause()
        assert prompt(panel, "read-runbooks").startswith("  [x]")
        assert load_progress(config.data_dir, "alice").done == {}
    assert activity.opened(config.data_dir, "alice") == {
        activity.RUNBOOK: {"api-server/high-error-rate.md"}, activity.SERVICE_CARD: {"api-server"}}

    # The drill feature's file: someone else's drill, a line cut short by a crash, then alice's.
    path = completed_path(config.data_dir)
    path.parent.mkdir(parents=True)
    drill = {"scenario": "db-failover", "title": "Database failover", "finished_at": "2026-11-27T10:00:00+00:00",
             "score": 80}
    path.write_text(json.dumps({**drill, "user": "bob"}) + "\n{\"scenario\": \"cut" + "\n"
                    + json.dumps({**drill, "user": "alice"}) + "\n")
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "w", "onboarding")
        assert prompt(panel, "read-runbooks").startswith("  [x]")
        assert prompt(panel, "escalation-path").startswith("  [x]")
        assert prompt(panel, "fire-drills").startswith("  [x]")
        assert "seen: completed Database failover" in prompt(panel, "fire-drills")
        assert str(app.query_one("#count-0").render()).strip() == "3/7 done"


async def test_without_a_drill_file_or_services_nothing_ticks_itself(config):
    app = make_app(replace(config, user="nobody-here"), hub=make_hub(), clock=fixed_clock())
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "w", "onboarding")
        assert "no service of yours in the catalog" in prompt(panel, "read-runbooks")
        assert prompt(panel, "fire-drills").startswith("  [ ]") and "no drill completed yet" in prompt(
            panel, "fire-drills")


async def test_the_tour_shows_once_and_is_remembered(config):
    app = build(config, tour=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TourScreen)
        text = screen_text(app)
        assert all(question in text for question in QUESTIONS.values()), text
        assert set(QUESTIONS) == set(app.panel_ids)  # every panel says what it answers
        assert "O On call" in text and "w Onboarding" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, TourScreen)
        assert seen_path(config.data_dir, "alice").is_file()
    app = build(config, tour=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not isinstance(app.screen, TourScreen)


async def test_any_other_key_closes_the_tour_and_does_what_it_does(config):
    app = build(config, tour=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TourScreen)
        await pilot.press("w")
        await pilot.pause()
        assert not isinstance(app.screen, TourScreen)
        assert app.current_panel.panel_id == "onboarding"
        assert seen_path(config.data_dir, "alice").is_file()
