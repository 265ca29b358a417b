"""Keys that do not lie (issue 12): a key that does not apply to the
highlighted item is left off the footer and, pressed, says why in one line;
a write nobody can take back asks first, naming what it acts on."""

from __future__ import annotations

from textual import events

from tests.ui.conftest import CannedSource, catalog, demo_data, keys_done, open_panel
from tests.ui.helpers import screen_text
from tests.ui.test_incidents_panel import app_with, incident_log

SIZE = (80, 24)


def footer(app) -> str:
    return app.query_one("KeyHints").render().plain


async def test_commander_keys_on_a_demo_alert_are_not_offered_and_say_why(config, tmp_path):
    # The demo's INC-7 names the incident-log source, which is real here.
    app = app_with(config, CannedSource("catalog", catalog()), CannedSource("demo", demo_data(), demo=True),
                   incident_log(tmp_path))
    # Wide enough for every key an incident takes (at 80 columns the hints are cut at "…").
    async with app.run_test(size=(160, 30)) as pilot:
        panel = await open_panel(app, pilot, "i", "incidents")
        panel.table.select_key("incident-log/INC-7")
        await pilot.pause()
        assert " n Note" in footer(app) and " x Resolve" in footer(app)

        panel.table.select_key("demo/ALERT-1")
        await pilot.pause()
        shown = footer(app)
        assert not any(key in shown for key in (" R ", " t ", " n ", " x "))
        assert " d Declare" in shown
        for key in ("n", "x", "R", "t"):
            await pilot.press(key)
            await pilot.pause()
            assert len(app.screen_stack) == 1  # no prompt, nothing sent
        said = [n.message for n in app._notifications]
        assert said[0] == "ALERT-1 is an alert from demo, which cannot take notes. Declare an incident (d) to track it."
        assert said[1].startswith("ALERT-1 is an alert from demo, which cannot resolve.")
        assert len(said) == 4


async def test_resolve_asks_first_and_no_declines(config, tmp_path):
    app = app_with(config, CannedSource("catalog", catalog()), CannedSource("demo", demo_data(), demo=True),
                   incident_log(tmp_path))
    # Wide enough for every key an incident takes (at 80 columns the hints are cut at "…").
    async with app.run_test(size=(160, 30)) as pilot:
        panel = await open_panel(app, pilot, "i", "incidents")
        panel.table.select_key("incident-log/INC-7")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert "Resolve INC-7 (P1) API 5xx spike in incident-log?" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert len(app.screen_stack) == 1 and not app.workers  # declined: nothing sent


def burst(app, *keys: str) -> None:
    """Keys as a terminal delivers a paste or a fast typist: all queued at
    once, none waiting for the one before to be handled."""
    named = {"enter": "\r", "tab": "\t", "ctrl+u": "\x15", "equals_sign": "="}
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else named[key]))


async def test_the_declare_form_drops_no_key_typed_at_full_speed(config, tmp_path):
    log = incident_log(tmp_path)
    app = app_with(config, CannedSource("catalog", catalog()), log)
    async with app.run_test(size=SIZE) as pilot:
        await open_panel(app, pilot, "i", "incidents")
        # d opens the form; enter moves to severity, tab tab to the commander (prefilled: tester).
        burst(app, "d", *"Login down", "enter", "tab", "tab", "ctrl+u", *"@alice", "tab", *"@sam", "enter")
        await keys_done(app, pilot)
        await keys_done(app, pilot)
        stored = await log.get("INC-0001")
        assert (stored.title, stored.commander, dict(stored.roles)) == \
            ("Login down", "@alice", {"commander": "@alice", "scribe": "@sam"})


async def test_a_prompt_drops_no_key_typed_at_full_speed_after_ctrl_u(config):
    app = app_with(config, CannedSource("catalog", catalog()), CannedSource("demo", demo_data(), demo=True))
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "i", "incidents")
        burst(app, "equals_sign", "ctrl+u", *'service="api-server"', "enter")
        await keys_done(app, pilot)
        await keys_done(app, pilot)
        assert panel.view.matcher_text == '{service="api-server"}'


async def test_typing_a_filter_in_a_detail_view_never_fires_shortcuts(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "b", "slos")
        await pilot.press("enter")  # the first SLO's detail
        assert panel.shown_slo is not None
        await pilot.press("slash", *"exhausted")  # "s" would be Services, "x"... nothing
        await pilot.pause()
        assert app.current_panel.panel_id == "slos" and panel.shown_slo is None
        table = app.query_one("#slos-table")
        assert table.filter_text == "exhausted" and table.shown_keys == ["checkout-service/latency"]


async def test_esc_from_a_runbook_opened_with_u_returns_to_the_incident(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "i", "incidents")
        panel.table.select_key("incident-log/INC-7")
        await pilot.press("enter", "u")
        await pilot.pause()
        assert app.current_panel.panel_id == "runbooks" and app.current_panel.mode == "view"
        await pilot.press("escape")
        await pilot.pause()
        assert app.current_panel.panel_id == "incidents"
        assert panel.detail_id == "incident-log/INC-7"  # the incident it came from, not the list


async def test_a_write_no_source_can_take_says_why_when_pressed(config, tmp_path):
    # Only the demo: nothing can silence, acknowledge or declare.
    app = app_with(config, CannedSource("catalog", catalog()), CannedSource("demo", demo_data(), demo=True))
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "i", "incidents")
        panel.table.select_key("demo/ALERT-1")
        await pilot.pause()
        assert " z Silence" not in footer(app) and " d Declare" not in footer(app)
        for key in ("z", "a", "d"):
            await pilot.press(key)
            await pilot.pause()
        assert len(app.screen_stack) == 1
        assert [n.message for n in app._notifications] == [
            "No configured source can silence.", "No configured source can acknowledge.",
            "No configured source can declare incidents."]


async def test_in_read_only_mode_a_write_key_says_so(config, tmp_path):
    app = app_with(config, CannedSource("catalog", catalog()), CannedSource("demo", demo_data(), demo=True),
                   incident_log(tmp_path), read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "i", "incidents")
        panel.table.select_key("incident-log/INC-7")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert len(app.screen_stack) == 1
        assert [n.message for n in app._notifications] == ["Read-only mode: the cockpit writes nothing."]
