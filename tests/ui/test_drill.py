"""Issue 17's drills, end to end in the app: the high-error-rate scenario run
with keys as a trainee would (ack the page, open the runbook, declare, note),
the clock moved by the test, the debrief at the end, the drill's postmortem
draft and the line the onboarding checklist reads."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from cockpit.clock import DEMO_TIME, SimulatedClock
from cockpit.config import BUNDLED_CONFIG, load_config
from cockpit.drills.sandbox import completed_log
from cockpit.drills.scenario import drills_folder, load_scenario, scenario_file
from cockpit.frontmatter import parse_front_matter
from cockpit.ui.app import make_app
from cockpit.ui.drill import DebriefScreen, DrillBanner, make_drill_app
from cockpit.ui.drill_palette import StartDrill
from cockpit.ui.widgets.messages import Navigate
from tests.ui.conftest import keys_done, settle

SIZE = (120, 40)


def drill_app(tmp_path: Path, name: str = "high-error-rate"):
    config = replace(load_config(BUNDLED_CONFIG), data_dir=tmp_path / "data", user="trainee", keymap={})
    clock = SimulatedClock(DEMO_TIME, monotonic=lambda: 0.0)  # only the test moves it
    scenario = load_scenario(scenario_file(drills_folder(config.path), name))
    return make_drill_app(config, scenario, clock=clock), clock, config


async def move_to(app, pilot, clock, minutes: float) -> None:
    clock.advance(DEMO_TIME + timedelta(minutes=minutes) - clock())
    app.drill_tick()
    await app.hub.refresh_all()  # may join a fetch begun before the clock moved: the next one begins after
    await settle(app, pilot)


def firing(app, alertname: str):
    return next(i for i in app.snapshot.incidents if i.labels.get("alertname") == alertname)


async def test_a_drill_run_with_keys_ends_in_a_debrief_a_drill_draft_and_a_completed_line(tmp_path):
    app, clock, config = drill_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert not any(i.labels.get("alertname") == "HighErrorRate" for i in app.snapshot.incidents)
        await move_to(app, pilot, clock, 2)  # the page fired at 1m
        alert = firing(app, "HighErrorRate")
        assert alert.status == "firing"

        app.post_message(Navigate("incidents", alert.id))
        await pilot.pause()
        await pilot.press("a")  # ack: the owner is paged
        await keys_done(app, pilot)
        assert firing(app, "HighErrorRate").status == "acknowledged"

        await move_to(app, pilot, clock, 4)
        await pilot.press("u")  # the runbook the alert names
        await pilot.pause()
        assert app.query_one("#runbooks").open_path == "high-error-rate.md"

        await move_to(app, pilot, clock, 9)
        await pilot.press("i", "escape", "d")
        await pilot.pause()
        await pilot.press(*"API errors injected", "enter", "enter", "up", "enter")  # P1
        await pilot.press("tab", "enter", *"api-server", "enter", "tab", "enter")
        await keys_done(app, pilot)
        declared = next(i for i in app.snapshot.incidents if i.kind == "incident")
        assert (declared.severity, declared.services) == ("P1", ("api-server",))

        await move_to(app, pilot, clock, 12)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("tab", *"errors stopped after the rollback", "enter")
        await keys_done(app, pilot)

        await move_to(app, pilot, clock, 31)  # past the 30m: the drill ends by itself
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        assert app.screen.query(DrillBanner)
        banner = app.screen.query_one(DrillBanner).render().plain
        assert banner.startswith(" DRILL  ended  not real, nothing leaves this machine  ")  # fits 80 columns
        debrief = app.debrief
        assert [(a.expected.do, a.on_time) for a in debrief.answers] == [
            ("ack", True), ("runbook", True), ("declare", True), ("note", True)]
        assert [a.done.at for a in debrief.answers] == [timedelta(minutes=m) for m in (2, 4, 9, 12)]
        assert debrief.score == 1.0
        assert "opened the Runbooks panel" in [d.text for d in debrief.done]

    text = debrief.draft.read_text(encoding="utf-8")
    front = parse_front_matter(text, str(debrief.draft)).data
    assert front["drill"] == "high-error-rate" and front["title"].startswith("DRILL: ")
    assert "| 03:02 | ack (trainee): HighErrorRate |" in text  # the write's name once
    assert "errors stopped after the rollback" in text
    assert debrief.draft.parent == app.sandbox.folder / "drafts"

    [line] = completed_log(config.data_dir).read_text(encoding="utf-8").splitlines()
    entry = json.loads(line)
    assert entry == {"scenario": "high-error-rate", "title": "High error rate at the API",
                     "finished_at": "2026-11-28T03:31:00+00:00", "user": "trainee", "score": 1.0}
    # Every write went to the sandbox: the configured incident log was never opened.
    assert not (config.data_dir / "incidents.db").exists()
    assert (app.sandbox.folder / "incidents.db").exists()


async def test_nothing_done_scores_nothing_and_the_palette_ends_the_drill(tmp_path):
    app, clock, config = drill_app(tmp_path, "cache-outage")
    async with app.run_test(size=SIZE) as pilot:
        await move_to(app, pilot, clock, 5)
        await pilot.press("ctrl+p", *"end now")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        assert [a.done for a in app.debrief.answers] == [None] * 4
        assert app.debrief.score == 0.0
    assert json.loads(completed_log(config.data_dir).read_text())["score"] == 0.0



async def choose_in_palette(tmp_path, offers_drills: bool, query: str = "drill cache"):
    """The cockpit app (not a drill) after choosing the palette's best hit for ``query``: its return value."""
    config = replace(load_config(BUNDLED_CONFIG), data_dir=tmp_path / "data", keymap={})
    app = make_app(config, clock=lambda: DEMO_TIME)
    app.offers_drills = offers_drills
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", *query)
        await pilot.pause(0.2)
        await pilot.press("enter")
        await pilot.pause()
    return app.return_value


async def test_the_palette_of_the_cockpit_app_starts_a_drill_once_the_app_closes(tmp_path):
    assert await choose_in_palette(tmp_path, offers_drills=True) == StartDrill("cache-outage")  # as run_app's app


async def test_an_app_that_cannot_hand_over_offers_no_drill(tmp_path):
    # As `cockpit serve` and the screenshots make it: the same query finds no drill.
    assert await choose_in_palette(tmp_path, offers_drills=False) is None
