"""The postmortems panel, driven by keys: a draft from an incident, the list,
the rendered view and the editor's save."""

from __future__ import annotations

from pathlib import Path

import pytest

from textual.widgets import Markdown

from cockpit.app import make_app
from cockpit.clock import fixed_clock
from cockpit.frontmatter import parse_front_matter
from cockpit.postmortem import SECTIONS
from tests.ui.conftest import make_hub, settle

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def no_timed_autosave(monkeypatch):
    """Tests of unsaved edits must not race the autosave timer on a slow machine."""
    monkeypatch.setattr("panels.postmortems.AUTOSAVE_SECONDS", 3600)


def build(config):
    return make_app(config, hub=make_hub(), clock=fixed_clock())


async def draft_from_incidents_panel(app, pilot) -> Path:
    await settle(app, pilot)
    await pilot.press("i")
    await pilot.pause()
    app.query_one("#incidents").table.select_key("incident-log/INC-7")
    await pilot.press("m")
    await pilot.pause()
    return Path(app.query_one("#postmortems").open_path)


async def test_m_on_an_incident_writes_the_draft_and_opens_it(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        path = await draft_from_incidents_panel(app, pilot)
        panel = app.query_one("#postmortems")
        assert app.current_panel is panel and panel.mode == "view"
        assert path.parent == config.postmortems
        text = path.read_text()
        front = parse_front_matter(text, str(path)).data
        assert (front["incident"], front["severity"], front["status"]) == ("INC-7", "P1", "draft")
        assert "api-server (owner: backend-team)" in text
        shown = app.query_one("#postmortem-markdown", Markdown).source
        assert shown.lstrip().startswith("# Postmortem: API 5xx spike")
        assert all(f"## {name}" in shown for name in SECTIONS)
        await pilot.press("escape")
        await pilot.pause()
        assert panel.mode == "list" and panel.table.shown_keys == [str(path)]
        row = panel.table.table.get_row(str(path))
        assert [str(c) for c in row[:4]] == ["API 5xx spike", "INC-7", "P1", "draft"]
        # m again opens the existing draft: a commander's words are never overwritten.
        path.write_text(path.read_text() + "\nHand-written finding.\n")
        await pilot.press("i")
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        assert path.read_text().endswith("Hand-written finding.\n")
        assert app.query_one("#postmortems").open_path == str(path)


async def test_edit_save_with_ctrl_s_and_discard(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        path = await draft_from_incidents_panel(app, pilot)
        panel = app.query_one("#postmortems")
        await pilot.press("e")
        await pilot.pause()
        assert panel.mode == "edit" and app.focused is panel.editor
        panel.editor.move_cursor(panel.editor.document.end)  # TextArea has no end-of-document key
        await pilot.press("enter", *"The pool was too small.")
        # ctrl+o previews the unsaved text rendered; ctrl+o again returns to the editor.
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert panel.mode == "preview"
        assert "The pool was too small." in app.query_one("#postmortem-markdown", Markdown).source
        assert "UNSAVED CHANGES" in app.query_one("#postmortem-facts").render().plain
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert panel.mode == "edit" and app.focused is panel.editor
        # esc with unsaved changes only warns; nothing is lost.
        await pilot.press("escape")
        await pilot.pause()
        assert panel.mode == "edit"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert path.read_text().endswith("\nThe pool was too small.")
        await pilot.press("escape")
        await pilot.pause()
        assert panel.mode == "view"
        assert "The pool was too small." in app.query_one("#postmortem-markdown", Markdown).source
        # Unsaved edits are discarded only on a second esc.
        before = path.read_text()
        await pilot.press("e", "x", "escape")
        await pilot.pause()
        assert panel.mode == "edit"
        await pilot.press("escape")
        await pilot.pause()
        assert panel.mode == "view" and path.read_text() == before


async def test_new_draft_from_the_picker(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("p")
        await pilot.pause()
        panel = app.query_one("#postmortems")
        assert panel.table.shown_keys == []
        await pilot.press("n")
        await pilot.pause()
        # Newest first: the 5-minute-old demo alert, then INC-7. tab: see test_incidents_panel.
        await pilot.press("tab", "down", "enter")
        await pilot.pause()
        assert panel.mode == "view"
        assert [d.incident_id for d in panel.drafts] == ["INC-7"]


async def test_second_session_is_warned_before_overwriting_unseen_changes(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        path = await draft_from_incidents_panel(app, pilot)
        panel = app.query_one("#postmortems")
        await pilot.press("e")
        await pilot.pause()
        theirs = path.read_text() + "\nWritten in another session.\n"
        path.write_text(theirs)  # another cockpit saves the same draft meanwhile
        panel.editor.move_cursor(panel.editor.document.end)
        await pilot.press(*"mine", "ctrl+s")
        await pilot.pause()
        assert path.read_text() == theirs  # refused once, with a warning
        await pilot.press("ctrl+s")  # asked twice: the user has decided
        await pilot.pause()
        assert path.read_text().endswith("mine") and "another session" not in path.read_text()


def test_snapshot(snap_compare, config):
    app = build(config)

    async def run_before(pilot):
        await draft_from_incidents_panel(app, pilot)
        app.clear_notifications()  # "Draft written: <tmp path>" differs on every run
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def open_editor_and_type(app, pilot, words: str) -> Path:
    path = await draft_from_incidents_panel(app, pilot)
    panel = app.query_one("#postmortems")
    await pilot.press("e")
    await pilot.pause()
    panel.editor.move_cursor(panel.editor.document.end)
    await pilot.press("enter", *words)
    return path


async def test_autosave_writes_unsaved_edits_atomically_and_only_when_dirty(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        path = await open_editor_and_type(app, pilot, "Autosaved words.")
        panel = app.query_one("#postmortems")
        assert not path.read_text().endswith("Autosaved words.")
        panel.autosave()
        assert path.read_text().endswith("\nAutosaved words.")
        assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp or side files left
        # Nothing new typed: the file is not rewritten (a hand edit elsewhere stays).
        path.write_text("edited by hand")
        panel._saved_text = "edited by hand"  # as if this session had seen it
        panel.editor.load_text("edited by hand")
        panel.autosave()
        assert path.read_text() == "edited by hand"
        # esc twice after an autosave leaves the autosaved text, not the text from before.
        await pilot.press("x", "escape", "escape")
        await pilot.pause()
        assert panel.mode == "view" and path.read_text() == "edited by hand"


async def test_the_autosave_timer_runs_while_the_editor_is_open(config, monkeypatch):
    monkeypatch.setattr("panels.postmortems.AUTOSAVE_SECONDS", 0.05)  # no multi-second waits in tests
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        path = await open_editor_and_type(app, pilot, "Saved by the timer.")
        for _ in range(100):
            if path.read_text().endswith("Saved by the timer."):
                break
            await pilot.pause(0.02)
        assert path.read_text().endswith("\nSaved by the timer.")


async def test_leaving_the_panel_or_closing_the_app_autosaves(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        path = await open_editor_and_type(app, pilot, "Saved on the way out.")
        # Letters go into the editor; from the preview (ctrl+o) they switch panels.
        await pilot.press("ctrl+o", "o")
        await pilot.pause()
        assert app.current_panel.panel_id == "overview"
        assert path.read_text().endswith("\nSaved on the way out.")
        await pilot.press("p", "ctrl+o")
        await pilot.pause()
        panel = app.query_one("#postmortems")
        assert panel.mode == "edit" and app.focused is panel.editor
        await pilot.press(*" And on exit.")
    # The app closed without ctrl+s.
    assert path.read_text().endswith("\nSaved on the way out. And on exit.")


async def test_autosave_never_overwrites_another_sessions_changes(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        path = await open_editor_and_type(app, pilot, "mine")
        panel = app.query_one("#postmortems")
        theirs = path.read_text().replace("## Summary", "## Summary\n\nTheirs.")
        path.write_text(theirs)
        panel.autosave()
        await pilot.pause()
        recovered = path.with_suffix(".recovered.md")
        assert path.read_text() == theirs
        assert recovered.read_text() == panel.editor.text and recovered.read_text().endswith("\nmine")
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert any("another session changed" in m and recovered.name in m for m in warnings)
        # Later autosaves keep the side file current and warn only when it changes.
        panel.autosave()
        await pilot.pause()
        assert len([n for n in app._notifications if "another session" in n.message]) == 1
        await pilot.press(*" too")
        panel.autosave()
        assert recovered.read_text().endswith("\nmine too") and path.read_text() == theirs
        # ctrl+s still warns once, then overwrites: the user has seen the warning.
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert path.read_text() == theirs
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert path.read_text().endswith("\nmine too")
