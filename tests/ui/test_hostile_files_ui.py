"""The app over hostile files: an anchor bomb in one runbook's front matter or
in one postmortem draft is a problem for that file; the rest loads and the
app starts and answers keys at once (it used to freeze at start-up)."""

from __future__ import annotations

import shutil
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from cockpit.ui.app import make_app
from cockpit.clock import fixed_clock
from cockpit.config import source_context
from cockpit.hub import Hub
from cockpit.sources.base import SourceSpec
from cockpit.sources.runbooks import RunbooksSource
from tests.ui.conftest import settle

HOSTILE = Path(__file__).parent.parent / "fixtures" / "config" / "hostile"
SIZE = (120, 36)


def hostile_app(config, tmp_path):
    drafts = tmp_path / "postmortems"
    shutil.copytree(HOSTILE / "drafts", drafts)
    config = replace(config, postmortems=drafts)
    spec = SourceSpec(kind="runbooks", name="runbooks", refresh=timedelta(hours=1), timeout=timedelta(seconds=5),
                      options={"path": str(HOSTILE / "runbooks")}, base_dir=HOSTILE)
    hub = Hub([RunbooksSource(spec, source_context(config, fixed_clock()))], clock=fixed_clock())
    return make_app(config, hub=hub, clock=fixed_clock()), drafts


async def test_a_bomb_in_a_runbook_or_a_draft_is_a_problem_for_that_file_only(config, tmp_path):
    app, drafts = hostile_app(config, tmp_path)
    started = time.monotonic()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert time.monotonic() - started < 10  # generous for a loaded CI box; it never ended before

        [health] = app.hub.snapshot().sources
        assert health.state == "degraded"  # the other runbook loaded; what did not is said
        assert [w.split(": ", 1)[0] for w in health.warnings] == [f"{HOSTILE / 'runbooks' / 'bomb.md'}:9"]
        assert "anchor bomb" in health.warnings[0]
        await pilot.press("r")
        await pilot.pause()
        runbooks = app.query_one("#runbooks")
        assert sorted(runbooks.table.shown_keys) == ["bomb.md", "good.md"]  # listed under its heading
        assert runbooks.runbook("bomb.md").title == "A runbook whose header is a bomb"
        assert runbooks.runbook("good.md").owner == "@backend-team"

        await pilot.press("p")
        await pilot.pause()
        panel = app.query_one("#postmortems")
        by_name = {Path(d.path).name: d for d in panel.drafts}
        assert by_name["2026-11-29-good.md"].title == "Login errors" and not by_name["2026-11-29-good.md"].problem
        bomb = by_name["2026-11-30-bomb.md"]
        assert bomb.title == "2026-11-30-bomb" and "aliases expand to more than 100,000 nodes" in bomb.problem
        row = panel.table.table.get_row(bomb.path)
        assert "unreadable" in str(row[3])

        keyed = time.monotonic()
        await pilot.press("o")  # the Overview answers at once
        await pilot.pause()
        assert app.current_panel.panel_id == "overview"
        assert time.monotonic() - keyed < 2
