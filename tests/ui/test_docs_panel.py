"""The Docs panel, driven by keys: every owned document across kinds, stale
first; `/` filters, enter opens a document in its kind's panel and esc comes
back; at 80x24 the stale mark, owner and next review stay on screen."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cockpit.clock import fixed_clock
from cockpit.doc_settings import DocSettings
from cockpit.ui.app import make_app
from tests.ui.conftest import make_hub, open_panel
from tests.ui.helpers import screen_text

SIZE = (80, 24)
FAILOVER = "runbooks:postgres-primary/failover.md"  # validated 2026-09-01: stale on 2026-11-28
HIGH_ERROR_RATE = "runbooks:api-server/high-error-rate.md"  # validated 2026-11-25: fresh
ONBOARDING = "onboarding:"


def build(config, **docs):
    return make_app(replace(config, docs=DocSettings(**docs)), hub=make_hub(), clock=fixed_clock())


def write_draft(config, name: str, created: str) -> str:
    config.postmortems.mkdir(parents=True, exist_ok=True)
    path = config.postmortems / name
    path.write_text(f"---\ntitle: Checkout outage\nstatus: draft\ncreated: {created}\nowner: '@ann'\n---\n"
                    "# Postmortem: Checkout outage\n\nsome words\n", encoding="utf-8")
    return str(path)


async def test_every_kind_listed_stale_first_with_a_summary(config):
    draft = write_draft(config, "2026-09-01-INC-1.md", "2026-09-01T10:00:00+00:00")
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "D", "docs")
        # Never validated first, then by how long overdue; the fresh runbook last.
        assert panel.table.shown_keys == [ONBOARDING, FAILOVER, f"postmortems:{draft}", HIGH_ERROR_RATE]
        assert str(panel.query_one("#docs-summary").render()).startswith(
            "3 of 4 documents stale  (onboarding 1, runbooks 1, postmortems 1)")
        assert str(panel.table.table.get_row(FAILOVER)[0]).strip() == "STALE"
        assert str(panel.table.table.get_row(HIGH_ERROR_RATE)[0]) == ""


async def test_configured_onboarding_is_fresh_and_the_filter_finds_the_stale(config):
    app = build(config, onboarding_owner="@sre-team", onboarding_last_validated=date(2026, 11, 20))
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "D", "docs")
        assert panel.table.shown_keys == [FAILOVER, HIGH_ERROR_RATE, ONBOARDING]  # due 12-02, then 12-20
        assert [str(c) for c in panel.table.table.get_row(ONBOARDING)[:5]] == [
            "", "onboarding", "On-call onboarding checklist", "@sre-team", "2026-12-20"]
        await pilot.press("slash", *"stale", "enter")
        await pilot.pause()
        assert panel.table.shown_keys == [FAILOVER]


async def test_enter_opens_a_runbook_in_its_viewer_and_esc_comes_back(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "D", "docs")
        panel.table.select_key(FAILOVER)
        await pilot.press("enter")
        await pilot.pause()
        runbooks = app.current_panel
        assert runbooks.panel_id == "runbooks" and runbooks.mode == "view"
        assert runbooks.open_path == "postgres-primary/failover.md"
        await pilot.press("escape")
        await pilot.pause()
        assert app.current_panel is panel and panel.table.selected_key == FAILOVER


async def test_enter_opens_a_postmortem_draft_and_the_checklist(config):
    draft = write_draft(config, "2026-11-20-INC-2.md", "2026-11-20T10:00:00+00:00")
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "D", "docs")
        panel.table.select_key(f"postmortems:{draft}")
        await pilot.press("enter")
        await pilot.pause()
        postmortems = app.current_panel
        assert postmortems.panel_id == "postmortems" and postmortems.mode == "view"
        assert postmortems.open_path == draft
        await pilot.press("escape", "escape")  # the view, then back to Docs
        await pilot.pause()
        assert app.current_panel is panel
        panel.table.select_key(ONBOARDING)
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_panel.panel_id == "onboarding"


async def test_fits_80x24_with_every_tab_key_and_the_key_columns(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        await open_panel(app, pilot, "D", "docs")
        text = screen_text(app)
        for label in ("Kind", "Title", "Owner", "Next review", "STALE", "2026-09-08", "D Docs"):
            assert label in text, label
        table = app.query_one("#docs-table").table
        assert sum(table.drawn_widths) + 2 * sum(1 for w in table.drawn_widths if w) <= SIZE[0]
        tabs = str(app.query_one("#panel-tabs").render())  # every panel's key, the current title whole
        assert len(tabs) <= SIZE[0] and " D Docs O " in tabs and " w Onbo " in tabs


async def test_untrusted_titles_are_shown_literally(config):
    config.postmortems.mkdir(parents=True)
    (config.postmortems / "evil.md").write_text('---\ntitle: "[bold]x[/] \\e[31mred"\nowner: "[red]o"\n---\n')
    app = build(config)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_panel(app, pilot, "D", "docs")
        text = screen_text(app)
        assert "[bold]x[/] red" in text and "[red]o" in text and "\x1b" not in text


def test_snapshot(snap_compare, config):
    write_draft(config, "2026-09-01-INC-1.md", "2026-09-01T10:00:00+00:00")
    app = build(config)

    async def run_before(pilot):
        await open_panel(app, pilot, "D", "docs")

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
