"""The app driven by keys only, over the canned world in conftest."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from textual import events
from textual.widgets import ContentSwitcher

from cockpit.ui.app import PANELS
from cockpit.ui.help import HelpScreen
from cockpit.ui.widgets.filter_table import FilterTable
from cockpit.ui.widgets.links import LinkList
from cockpit.model import Incident, Runbook
from tests.ui.conftest import MALICIOUS, NOW, catalog, settle
from tests.ui.helpers import screen_text


def current(app) -> str:
    return app.query_one(ContentSwitcher).current


async def test_every_panel_has_a_letter_and_a_digit(app_factory):
    app = app_factory()
    # (digit, panel, letter): 1-9, then 0 for the tenth.
    installed = [(keys.split(",")[1], panel, keys.split(",")[0]) for panel, keys, _ in PANELS
                 if panel in app.panel_ids]
    assert [digit for digit, _, _ in installed] == [str(n % 10) for n in range(1, len(installed) + 1)]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert current(app) == "overview"
        # Letters overview -> ... -> onboarding -> overview, then digits the same way round.
        for _, panel, letter in installed[1:] + installed[:1]:
            await pilot.press(letter)
            assert current(app) == panel, letter
        for n, panel, _ in installed[1:] + installed[:1]:
            await pilot.press(n)
            assert current(app) == panel, n
        assert {"overview", "services", "slos"} <= set(app.panel_ids)


async def test_slash_filters_services_enter_opens_the_card_esc_goes_back(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        table = app.query_one("#services-table", FilterTable)
        assert table.shown_keys == ["api-server", "auth-service", "checkout-service", "postgres-primary"]
        await pilot.press("slash", *"payments")
        assert table.shown_keys == ["checkout-service"]
        await pilot.press("enter", "enter")  # leave the filter box, then open the row
        panel = app.query_one("#services")
        assert panel.shown_service == "checkout-service"
        text = screen_text(app)
        assert "@payments-oncall" in text and "checkout-service" in text
        await pilot.press("escape")
        assert panel.shown_service is None and current(app) == "services"
        await pilot.press("escape")  # clears the filter
        assert len(table.shown_keys) == 4
        await pilot.press("escape")  # nothing left to close: back to the previous panel
        assert current(app) == "overview"


async def test_keys_typed_before_the_focus_moves_are_not_lost(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        # All at once, as a fast typist or a paste delivers them: "s/pay".
        for key, char in [("s", "s"), ("slash", "/"), ("p", "p"), ("a", "a"), ("y", "y")]:
            app.post_message(events.Key(key, char))
        await pilot.pause()
        table = app.query_one("#services-table", FilterTable)
        assert current(app) == "services"  # "p" (postmortems) typed into the box, not run
        assert table.filter_text == "pay"
        assert table.shown_keys == ["checkout-service"]


async def test_card_links_drill_down_to_a_dependency_and_back(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("s", "enter")  # api-server
        links = app.query_one("#card-links", LinkList)
        target = next(i for i, link in enumerate(links.links) if link.ref == "postgres-primary")
        for _ in range(target):
            await pilot.press("down")
        await pilot.press("enter")
        panel = app.query_one("#services")
        assert panel.card_stack == ["api-server", "postgres-primary"]
        assert "@platform-lead" in screen_text(app)
        await pilot.press("escape")
        assert panel.shown_service == "api-server"


async def test_incident_link_on_the_card_opens_the_incident_and_esc_returns(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        if "incidents" not in app.panel_ids:
            pytest.skip("incidents panel not installed")
        await pilot.press("s", "enter", "enter")  # api-server card; first link is its open incident
        assert current(app) == "incidents"
        assert "API 5xx spike" in screen_text(app)
        await pilot.press("escape")
        await pilot.press("escape")
        assert current(app) == "services"


async def test_slo_table_sorts_by_budget_and_detail_shows_the_firing_rule(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        table = app.query_one("#slos-table", FilterTable)
        await pilot.press("greater_than_sign", "greater_than_sign")  # service, then budget left
        budgets = {s.slo.key: s.budget_remaining for s in app.snapshot.slos}
        shown = [budgets[key] for key in table.shown_keys]
        assert shown == sorted(shown) and shown[0] < 0  # the exhausted one first
        await pilot.press("escape")  # nothing to close on the table: back to overview
        await pilot.press("b")
        table.select_key("api-server/availability")
        await pilot.press("enter")
        text = screen_text(app)
        assert "FIRING" in text and "page-1h" in text
        assert "Freeze feature releases" in text  # the critical tier's policy actions
        await pilot.press("escape")
        assert app.query_one("#slos").shown_slo is None


async def test_overview_count_jumps_to_the_filtered_panel(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab")  # the SLO block
        await pilot.press("enter")  # "exhausted" count, the first line
        assert current(app) == "slos"
        table = app.query_one("#slos-table", FilterTable)
        assert table.filter_text == "exhausted"
        assert table.shown_keys == ["checkout-service/latency"]
        await pilot.press("escape", "escape")  # clear the filter, then back
        assert current(app) == "overview"


async def test_help_lists_every_active_binding(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("s", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        described = {description for _, description, _, _ in app.screen.rows}
        for _, _, title in PANELS:
            assert title in described
        assert {"Help", "Back", "Quit", "Jump", "Filter", "Sort"} <= described
        keys = {keys: description for keys, description, _, _ in app.screen.rows}
        ids = {(keys, binding_id) for keys, _, _, binding_id in app.screen.rows}
        assert {("/", "table.filter"), ("^p", "cockpit.palette")} <= ids, ids  # what keymap: rebinds
        table = app.screen.query_one("DataTable")
        await pilot.press("down", "down")  # scrolls at once, no tab first
        assert app.screen.focused is table and table.cursor_row == 2
        assert keys["/"] == "Filter"
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_jumps_to_a_service_card(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"service postgres")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert current(app) == "services"
        assert app.query_one("#services").shown_service == "postgres-primary"
        await pilot.press("escape")  # opened from elsewhere: esc goes back there
        assert current(app) == "overview"


async def test_palette_finds_runbook_text_and_opens_the_runbook_at_that_line(app_factory):
    body = "# Warm-up\n\n" + "".join(f"Step {n} of the warm-up.\n\n" for n in range(60)) + "Drain the needle queue.\n"
    world = catalog()
    world = replace(world, runbooks=(*world.runbooks, Runbook("long.md", "Long warm-up", body, "platform-team",
                                                                ("api-server",), date(2026, 11, 27))))
    app = app_factory(catalog_data=world)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", *"needle queue")
        await app.workers.wait_for_complete()
        await pilot.pause()
        line = 1 + body.splitlines().index("Drain the needle queue.")
        shown = screen_text(app).replace(" ", "")  # the SVG export drops a lone space between highlights
        assert f"Longwarm-upline{line}:Draintheneedlequeue." in shown  # the match in its line
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = app.query_one("#runbooks")
        assert current(app) == "runbooks" and (panel.mode, panel.open_path) == ("view", "long.md")
        view = app.query_one("#runbook-view")
        needle = [b for b in app.query("#runbook-markdown MarkdownParagraph") if "needle" in str(b._content)]
        assert view.scroll_y > 0 and view.region.contains_region(needle[0].region)  # scrolled to the line


async def test_q_quits(app_factory):
    app = app_factory()
    async with app.run_test() as pilot:
        await settle(app, pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_keymap_rebinds_by_binding_id(app_factory):
    app = app_factory(keymap={"cockpit.services": "f2", "cockpit.quit": "ctrl+q"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        assert current(app) == "overview"
        await pilot.press("f2")
        assert current(app) == "services"
        await pilot.press("q")
        assert app.is_running
        assert "f2 Services" in screen_text(app)
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_untrusted_text_shows_literally_without_escapes(app_factory):
    evil = catalog()
    evil = replace(evil, services=tuple(replace(s, description=MALICIOUS) if s.name == "api-server" else s
                                        for s in evil.services),
                   incidents=(Incident("EVIL-1", f"title {MALICIOUS}", "P0", "investigating", "auth-service",
                                       NOW, "catalog"),))
    app = app_factory(catalog_data=evil)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        overview = screen_text(app)
        assert "title [bold]x[/] red" in overview  # incident title on the overview
        await pilot.press("s", "enter")
        assert "[bold]x[/] red" in screen_text(app)  # service description on the card
        assert "\x1b" not in app.export_screenshot()
        if "incidents" in app.panel_ids:  # the palette finds it by its id and jumps there
            await pilot.press("ctrl+p", *"EVIL-1")
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert current(app) == "incidents"
            assert "title [bold]x[/] red" in screen_text(app)


async def test_failing_source_is_shown_and_the_rest_still_works(app_factory):
    app = app_factory(failing="connection refused")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        text = screen_text(app)
        assert "pagerduty error" in text
        assert "connection refused" in text
        await pilot.press("s")
        assert len(app.query_one("#services-table", FilterTable).shown_keys) == 4
        # The failing source feeds this panel: a notice above it says so.
        notice = app.query_one("#degraded-notice")
        assert notice.display and "pagerduty is failing, no data from it yet" in str(notice.render())
        await pilot.press("w")  # onboarding is fed by no source: no notice
        assert not notice.display


async def test_the_incidents_panel_says_when_its_source_fails_and_how_old_its_data_is(app_factory):
    app = app_factory(degraded=("am-b: timed out after 5s",))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        [alertmanager] = [s for s in app.hub.sources if s.name == "alertmanager"]
        alertmanager.error = "GET http://am-a:9093/api/v2/alerts/groups: cannot connect"
        await app.hub.refresh("alertmanager")
        await pilot.press("i")
        await pilot.pause()
        notice = app.query_one("#degraded-notice")
        assert notice.display and str(notice.render()).startswith(
            " ⚠ alertmanager is failing, showing data from 0s ago: GET http://am-a:9093/api/v2/alerts/groups")
        assert "alertmanager stale 0s" in str(app.query_one("#source-bar").render())


async def test_a_degraded_source_is_badged_and_its_panels_list_what_was_not_loaded(app_factory):
    left_out = tuple(f"am-{n}: timed out after 5s" for n in "bcdefg")
    app = app_factory(degraded=left_out)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert "alertmanager degraded 0s" in str(app.query_one("#source-bar").render())
        await pilot.press("i")
        notice = app.query_one("#degraded-notice")
        shown = str(notice.render())
        assert notice.display
        assert "alertmanager is degraded, showing what it returned 0s ago:" in shown
        # Five lines at most: the first warnings, then how many more.
        assert shown.splitlines()[1:4] == [f"   {w}" for w in left_out[:3]]
        assert shown.splitlines()[4] == "   … and 3 more (`cockpit status` lists every one)"
        await pilot.press("o")
        assert "degradedalertmanager (canned)" in screen_text(app) and left_out[0] in screen_text(app)


async def test_the_slos_panel_lists_a_refused_slo_file(config, tmp_path):
    from datetime import timedelta

    from cockpit.ui.app import make_app
    from cockpit.clock import fixed_clock
    from cockpit.hub import Hub
    from cockpit.sources.base import SourceContext, SourceSpec
    from cockpit.sources.demo import DemoSource
    from tests.ui.conftest import CannedSource

    (tmp_path / "good.yaml").write_text("version: prometheus/v1\nservice: api-server\nslos:\n"
                                        "  - {name: availability, objective: 99.9, sli: {raw: {error_ratio_query: q}}}\n")
    (tmp_path / "typo.yaml").write_text("service: a\nslo_definitions:\n  x: {sli: nope, target: 99%}\n")
    spec = SourceSpec(kind="demo", name="demo", refresh=timedelta(hours=1), timeout=timedelta(seconds=5),
                      options={"slos": ["good.yaml", "typo.yaml"]}, base_dir=tmp_path)
    hub = Hub([CannedSource("catalog", catalog()), DemoSource(spec, SourceContext(clock=fixed_clock()))],
              clock=fixed_clock())
    app = make_app(config, hub=hub, clock=fixed_clock())
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        await pilot.pause()
        assert "demo degraded" in str(app.query_one("#source-bar").render())
        notice = str(app.query_one("#degraded-notice").render()).splitlines()
        assert notice[0] == " ⚠ demo is degraded, showing what it returned 0s ago:"
        assert notice[1].startswith(f"   not loaded: {tmp_path / 'typo.yaml'}:3: ")
        assert "availability" in screen_text(app)  # the file that loaded is shown


async def test_demo_and_read_only_are_labelled(app_factory):
    app = app_factory(read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        text = screen_text(app)
        assert "READ-ONLY" in text and "DEMO" in text


async def test_ctrl_r_fetches_every_source_now(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        fetched: list[str] = []
        for source in app.hub.sources:
            original = source.fetch

            async def counting(original=original, name=source.name):
                fetched.append(name)
                return await original()

            source.fetch = counting
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        assert sorted(fetched) == sorted(s.name for s in app.hub.sources)


async def test_the_palette_lists_the_apps_own_hits_before_textuals_commands(app_factory):
    """"t" matches Textual's "Change theme" / "Quit the application" as well as
    services, SLOs and runbooks: the user's items come first."""
    from textual.command import CommandList

    app = app_factory()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", *"the")
        await app.workers.wait_for_complete()
        await pilot.pause()
        options = app.screen.query_one(CommandList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        builtin = [i for i, prompt in enumerate(prompts) if "theme" in prompt.lower() and "change" in prompt.lower()]
        own = [i for i, prompt in enumerate(prompts) if prompt.startswith(("service ", "runbook ", "SLO ", "alert "))]
        assert builtin and own, prompts
        assert max(own) < min(builtin), prompts


async def test_at_80_columns_the_key_hints_keep_help_and_quit_and_cut_the_rest_at_a_key(app_factory):
    from cockpit.ui.bars import KeyHints

    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("i", "enter")  # an incident's detail: more keys than fit
        await pilot.pause()
        line = str(app.query_one(KeyHints).render()).rstrip()
        assert line.endswith("q Quit") and "? Help" in line and " … " in line, line
        assert len(line) <= 80
        await pilot.press("escape")


async def test_at_80_columns_incident_titles_keep_27_cells_and_runbook_owners_stay_whole(app_factory):
    from cockpit.ui.widgets.row_table import RowTable

    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("i")
        await pilot.pause()
        table = app.query_one("#incidents RowTable", RowTable)
        keys = [column.key for column in table.columns]
        assert table.drawn_widths[keys.index("title")] >= 27
        assert table.drawn_widths[keys.index("service")] >= 16
        await pilot.press("r")
        await pilot.pause()
        table = app.query_one("#runbooks RowTable", RowTable)
        keys = [column.key for column in table.columns]
        owners = [table.get_row(row.key)[keys.index("owner")].plain for row in table.rows]
        assert all(len(owner) <= table.drawn_widths[keys.index("owner")] for owner in owners), owners
        assert table.drawn_widths[keys.index("validated")] > 0
