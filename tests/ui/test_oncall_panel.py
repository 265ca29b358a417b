"""The On-call view, driven by keys: the last shifts' figures against the
guide's 5 pages a shift, a row's pages, and the retrospective draft."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cockpit.clock import fixed_clock
from cockpit.hub import Hub
from cockpit.model import Page, SourceData
from cockpit.postmortems.retro import QUESTIONS
from cockpit.ui.app import make_app
from tests.ui.conftest import NOW, CannedSource, catalog, keys_done, open_panel
from tests.ui.helpers import screen_text

SIZE = (120, 36)
# The fixed clock is Saturday 03:00 UTC: the current weekly shift began Monday 23 Nov 09:00 UTC.
MONDAY = NOW.replace(day=23, hour=9)


def pages() -> tuple[Page, ...]:
    alice = [Page(MONDAY + timedelta(hours=1 + 3 * n), "alice", f"PD{n}", "api-server", f"API errors #{n}", "pd")
             for n in range(5)]  # 10:00 to 22:00 Monday: the last two after hours
    alice.append(Page(NOW - timedelta(hours=1), "alice", "PD9", "checkout-service", "Checkout down", "pd"))
    bob = Page(MONDAY - timedelta(days=2), "bob", "PD0", "api-server", "API errors", "pd")
    return (*alice, bob)


def build(config):
    hub = Hub([CannedSource("catalog", catalog()), CannedSource("pd", SourceData(pages=pages()))],
              clock=fixed_clock())
    return make_app(config, hub=hub, clock=fixed_clock())


async def test_shifts_are_counted_against_the_guides_maximum(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "O", "oncall")
        assert app.current_panel is panel
        alice, bob, *empty = [panel.rows[key] for key in panel.table.shown_keys]
        assert (alice.user, len(alice.pages), len(alice.after_hours), len(alice.without_runbook)) == ("alice", 6, 3, 1)
        assert alice.over_limit and not bob.over_limit and bob.user == "bob"
        assert len(empty) == 4 and all(not h.user for h in empty)  # six shifts in all
        text = screen_text(app)
        assert ("Last 6 shifts of 7d, working hours 09:00-17:00 mon-fri (UTC); the guide's maximum: 5 pages a "
                "shift  1 over it") in text
        assert "6 > 5" in text and "nobody paged" in text
        await pilot.press("enter")  # alice's pages
        await pilot.pause()
        text = screen_text(app)
        assert "Checkout down  no runbook" in text and "after hours" in text


async def test_d_drafts_the_retrospective_with_the_figures_once(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        await open_panel(app, pilot, "O", "oncall")
        await pilot.press("d")
        await keys_done(app, pilot)
        path = Path(config.postmortems) / "2026-11-23-oncall-alice.md"
        text = path.read_text()
        assert app.current_panel.panel_id == "postmortems"
        assert [f"### {n}. {q}" in text for n, q in enumerate(QUESTIONS, 1)] == [True] * 5
        assert "6 pages, over the guide's maximum of 5 a shift; 3 after hours, outside 09:00-17:00 mon-fri (UTC)." in text
        assert "1 of 6 pages had no runbook (checkout-service)" in text
        assert "| Pages | 6 (maximum 5 a shift) |" in text
        facts = str(app.query_one("#postmortem-facts").render())
        assert facts.startswith("2026-11-23-oncall-alice.md") and "incident" not in facts  # a retro names none
        path.write_text(text + "\nmy own words\n")
        await pilot.press("O", "d")  # again: the draft is opened, never overwritten
        await keys_done(app, pilot)
        assert path.read_text().endswith("my own words\n")
        assert app.current_panel.panel_id == "postmortems"


async def test_no_retrospective_for_a_shift_nobody_was_paged_in(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "O", "oncall")
        await pilot.press("down", "down")
        await pilot.pause()
        assert not panel.highlighted.user
        await pilot.press("d")
        await keys_done(app, pilot)
        assert app.current_panel is panel
        assert not Path(config.postmortems).exists()


async def test_read_only_refuses_the_draft(config):
    from dataclasses import replace

    app = build(replace(config, read_only=True))
    assert app.drafts.read_only
    async with app.run_test(size=SIZE) as pilot:
        await open_panel(app, pilot, "O", "oncall")
        await pilot.press("d")
        await keys_done(app, pilot)
        assert not (Path(config.postmortems) / "2026-11-23-oncall-alice.md").exists()
