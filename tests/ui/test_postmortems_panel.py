"""The postmortems panel, driven by keys: a draft from an incident, the list,
the rendered view and the editor's save."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Markdown

from cockpit.app import make_app
from cockpit.clock import fixed_clock
from cockpit.frontmatter import parse_front_matter
from cockpit.postmortem import SECTIONS
from tests.ui.conftest import make_hub, settle

SIZE = (120, 36)


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
