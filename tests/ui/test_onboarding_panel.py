"""The onboarding panel, driven by keys: ticking saves at once, progress bars
follow, items link to the panel where the work is done."""

from __future__ import annotations

from textual.widgets import ProgressBar

from cockpit.ui.app import make_app
from cockpit.clock import fixed_clock
from cockpit.onboarding import CHECKLIST, load_progress
from tests.ui.conftest import NOW, make_hub, open_panel

SIZE = (120, 36)


def build(config):
    return make_app(config, hub=make_hub(), clock=fixed_clock())


async def test_space_and_enter_tick_and_progress_is_saved_per_user(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "w", "onboarding")
        assert app.focused is panel.items
        await pilot.press("space", "down", "enter")  # first two items of the first section
        await pilot.pause()
        first = CHECKLIST[0]
        saved = load_progress(config.data_dir, "tester")
        assert saved.done == {first.items[0].id: NOW, first.items[1].id: NOW}
        assert app.query_one("#progress-0", ProgressBar).progress == 2
        assert app.query_one("#progress-1", ProgressBar).progress == 0
        assert str(app.query_one("#count-0").render()).strip() == f"2/{len(first.items)} done"
        await pilot.press("space")  # untick the second
        await pilot.pause()
        assert set(load_progress(config.data_dir, "tester").done) == {first.items[0].id}

    # A new session finds the ticks where they were left.
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "w", "onboarding")
        assert app.query_one("#progress-0", ProgressBar).progress == 1
        prompt = panel.items.get_option(CHECKLIST[0].items[0].id).prompt
        assert str(prompt).startswith("  [x]")
        # Section titles cannot be ticked: from the first section's last item,
        # down skips the next title and the tick lands on that section's first item.
        panel.focus_item(CHECKLIST[0].items[-1].id)
        await pilot.press("down", "space")
        await pilot.pause()
        assert set(load_progress(config.data_dir, "tester").done) == {CHECKLIST[0].items[0].id,
                                                                       CHECKLIST[1].items[0].id}
        assert panel.progress.count(CHECKLIST[1]) == (1, len(CHECKLIST[1].items))


async def test_items_link_to_their_panel(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "w", "onboarding")
        await pilot.press("l")  # "Read all runbooks"
        await pilot.pause()
        assert app.current_panel.panel_id == "runbooks"
        await pilot.press("escape")
        await pilot.pause()
        assert app.current_panel is panel
        panel.focus_item("escalation-path")
        await pilot.press("l")
        await pilot.pause()
        assert app.current_panel.panel_id == "services"
        await pilot.press("w")
        await pilot.pause()
        panel.focus_item("shadow")  # done outside the cockpit: no link offered
        await pilot.pause()
        assert "l" in app.screen.active_bindings and not app.screen.active_bindings["l"].enabled


def test_snapshot(snap_compare, config):
    app = build(config)

    async def run_before(pilot):
        await open_panel(app, pilot, "w", "onboarding")
        await pilot.press("space", "down", "down", "space")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
