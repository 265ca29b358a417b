"""Issue 5's "done when": the incident commander's whole path through the UI,
against a real incident log and a real postmortems folder, with a clock the
test moves: declare, note, tick runbook steps, resolve, draft, edit, lose the
app without saving, reopen, find the words, finish, and pass the linter."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from cockpit.ui.app import make_app
from cockpit.clock import DEMO_TIME
from cockpit.model import Runbook, SourceData
from cockpit.postmortems.lint import lint_postmortem
from tests.ui.conftest import catalog, keys_done, settle
from tests.ui.test_runbooks_panel import STEPS_BODY, Clock, incident_log_hub

SIZE = (120, 36)
RUNBOOK = "auth-service/login-failures.md"
SUMMARY = "A bad auth deploy rejected every login for 34 minutes; rolling it back fixed it."


@pytest.fixture(autouse=True)
def no_timed_autosave(monkeypatch):
    """The test runs the autosave itself, at a moment it chooses."""
    monkeypatch.setattr("cockpit.panels.postmortems.panel.AUTOSAVE_SECONDS", 3600)


def world() -> SourceData:
    base = catalog()
    runbook = Runbook(RUNBOOK, "Login failures", STEPS_BODY, "backend-team", ("auth-service",), date(2026, 11, 27))
    return SourceData(services=base.services, runbooks=(runbook,))


def build(config, clock):
    return make_app(config, hub=incident_log_hub(config, clock, world()), clock=clock)


async def replace_line(app, pilot, old: str, new: str) -> None:
    """Select the editor line holding ``old`` and type ``new`` over it, as a user would."""
    editor = app.query_one("#postmortems").editor
    row = editor.text.splitlines().index(old)
    editor.move_cursor((row, 0))
    await pilot.press("shift+end", *new)


async def test_declare_note_tick_resolve_draft_edit_kill_reopen_and_pass_the_linter(config):
    clock = Clock()
    app = build(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("i", "d")
        await pilot.pause()
        await pilot.press(*"Login failures", "enter", "enter", "up", "enter")  # P1
        await pilot.press("tab", "enter", *"auth", "enter", "tab", "enter")
        await keys_done(app, pilot)
        incidents = app.query_one("#incidents")
        assert incidents.detail_id == "incident-log/INC-0001"

        clock.at = DEMO_TIME + timedelta(minutes=4)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("tab", *"rolled back auth deploy", "enter")
        await keys_done(app, pilot)

        # The incident's runbook, its checklist, two steps ticked.
        await pilot.press("u", "t")
        await pilot.pause()
        runbooks = app.query_one("#runbooks")
        assert (runbooks.mode, runbooks.open_path) == ("steps", RUNBOOK)
        clock.at = DEMO_TIME + timedelta(minutes=9)
        await pilot.press("enter")
        await keys_done(app, pilot)
        clock.at = DEMO_TIME + timedelta(minutes=12)
        await pilot.press("down", "enter")
        await keys_done(app, pilot)

        clock.at = DEMO_TIME + timedelta(minutes=34)
        await pilot.press("i", "x", "y")  # back to the incident's detail, resolve (confirmed)
        await keys_done(app, pilot)
        assert incidents.selected.status == "resolved"
        timeline = [(e.at - DEMO_TIME, e.text) for e in incidents.selected.timeline if e.kind == "note"]
        assert timeline == [
            (timedelta(minutes=4), "rolled back auth deploy"),
            (timedelta(minutes=9), f"runbook {RUNBOOK}: done: Check the primary answers:"),
            (timedelta(minutes=12), f"runbook {RUNBOOK}: done: Fail over to the replica"),
        ]

        await pilot.press("m")
        await pilot.pause()
        postmortems = app.query_one("#postmortems")
        path = Path(postmortems.open_path)
        draft = path.read_text()
        assert f"| 03:09 | note (tester): runbook {RUNBOOK}: done: Check the primary answers: |" in draft
        assert "**Duration**: 2026-11-28 03:00 UTC - 2026-11-28 03:34 UTC (34m)" in draft

        await pilot.press("e")
        await pilot.pause()
        await replace_line(app, pilot, "[One paragraph summary of what happened]", SUMMARY)
        assert SUMMARY not in path.read_text()
        postmortems.autosave()  # what the 5-second timer does
        assert SUMMARY in path.read_text()  # a kill -9 from here on loses nothing typed so far
        # The app goes away without ctrl+s.

    clock.at = DEMO_TIME + timedelta(hours=1)
    app = build(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("p")
        await pilot.pause()
        postmortems = app.query_one("#postmortems")
        assert postmortems.table.shown_keys == [str(path)]
        await pilot.press("enter", "e")
        await pilot.pause()
        assert postmortems.mode == "edit" and SUMMARY in postmortems.editor.text

        # Fill in the rest of what only people can write, then save with ctrl+s.
        for old, new in (
            ("- **Users Affected**: [Number/percentage]", "- **Users Affected**: every user logging in"),
            ("- **Revenue Impact**: [If applicable]", "- **Revenue Impact**: none measured"),
            ("[What actually caused the incident?]", "The deploy shipped a key rotation without the new key."),
            ("- [Factor 1]", "- No canary for the auth service"),
            ("- [Factor 2]", "- Key rotation is manual"),
            ("- [Factor 3]", "- The login alert fired only after 5 minutes"),
            ("- [Positive thing 1]", "- The runbook steps were current"),
            ("- [Positive thing 2]", "- Rollback took two minutes"),
            ("- [Issue 1]", "- Nobody owned the key rotation"),
            ("- [Issue 2]", "- The deploy skipped staging"),
            ("| [Action 1] | [@owner] | YYYY-MM-DD | [ ] |", "| Add a canary stage | @ann | 2026-12-15 | [ ] |"),
            ("| [Action 2] | [@owner] | YYYY-MM-DD | [ ] |", "| Automate key rotation | @bob | 2027-01-10 | [ ] |"),
            ("- [Lesson 1]", "- Deploys that touch keys need a canary"),
            ("- [Lesson 2]", "- Checklists in runbooks keep the timeline honest"),
            ("- [Links to monitoring, logs, etc.]", "- https://grafana.example/d/auth"),
        ):
            row = postmortems.editor.text.splitlines().index(old)
            postmortems.editor.replace(new, (row, 0), (row, len(old)))  # typing it all would take a minute
        await pilot.press("ctrl+s")
        await pilot.pause()

    finished = path.read_text()
    assert SUMMARY in finished and "Automate key rotation" in finished
    assert lint_postmortem(finished, str(path)) == []
