"""The postmortems panel, driven by keys: a draft from an incident, the list,
the rendered view and the editor's save."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from textual.widgets import Markdown

from cockpit.ui.app import make_app
from cockpit.clock import fixed_clock
from cockpit.frontmatter import parse_front_matter
from cockpit.clock import DEMO_TIME as NOW
from cockpit.model import Incident
from cockpit.postmortems.draft import SECTIONS, draft_from_incident, set_field
from cockpit.postmortems.lint import lint_postmortem
from cockpit.postmortems.action_items import add_action_item
from cockpit.ui.widgets.dialogs import ConfirmPrompt, TextPrompt
from cockpit.panels.postmortems.action_item_form import ActionItemForm
from tests.test_postmortem_lint import FINISHED
from tests.ui.conftest import make_hub, settle

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def no_timed_autosave(monkeypatch):
    """Tests of unsaved edits must not race the autosave timer on a slow machine."""
    monkeypatch.setattr("cockpit.panels.postmortems.panel.AUTOSAVE_SECONDS", 3600)


def build(config, read_only=False):
    return make_app(config, hub=make_hub(), clock=fixed_clock(), read_only=read_only)


def audited(config) -> list[tuple[str, str, str]]:
    """(action, target, result) of every audit line, oldest first."""
    lines = config.audit_log.read_text().splitlines() if config.audit_log.exists() else []
    return [(e["action"], e["target"], e["result"]) for e in map(json.loads, lines)]


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
        panel.editor.saved_text = "edited by hand"  # as if this session had seen it
        panel.editor.load_text("edited by hand")
        panel.autosave()
        assert path.read_text() == "edited by hand"
        # esc twice after an autosave leaves the autosaved text, not the text from before.
        await pilot.press("x", "escape", "escape")
        await pilot.pause()
        assert panel.mode == "view" and path.read_text() == "edited by hand"


async def test_the_autosave_timer_runs_while_the_editor_is_open(config, monkeypatch):
    monkeypatch.setattr("cockpit.panels.postmortems.panel.AUTOSAVE_SECONDS", 0.05)  # no multi-second waits in tests
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        path = await open_editor_and_type(app, pilot, "Saved by the timer.")
        # Wait on the file, not on a count of pauses: on a loaded machine 100 x 20 ms
        # of wall time can pass with few timer ticks run. The deadline only stops a hang.
        deadline = time.monotonic() + 30
        while not path.read_text().endswith("Saved by the timer.") and time.monotonic() < deadline:
            await pilot.pause(0.02)
        assert path.read_text().endswith("\nSaved by the timer.")
        assert app.query_one("#postmortems").mode == "edit"  # saved by the timer: no save, no panel switch


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


def action_item_problems(text: str) -> list:
    return [p for p in lint_postmortem(text, "pm.md") if p.key == "Action Items"]


def test_add_action_item_replaces_the_placeholders_and_keeps_the_table_valid():
    draft = draft_from_incident(
        Incident("INC-1", "API down", "P1", "resolved", "api-server", NOW, "incident-log", resolved_at=NOW),
        services={}, now=NOW)
    assert action_item_problems(draft)  # the template's placeholder rows
    text, row = add_action_item(draft, "Alert on | in logs", "ann", "2026-12-15")
    assert text.splitlines()[row] == r"| Alert on \| in logs | @ann | 2026-12-15 | [ ] |"
    assert "[Action 1]" not in text and "[Action 2]" not in text
    assert action_item_problems(text) == []
    text, row2 = add_action_item(text, "  Second   one ", "@bob", "2027-01-02")
    assert row2 == row + 1 and text.splitlines()[row2] == "| Second one | @bob | 2027-01-02 | [ ] |"
    assert action_item_problems(text) == []
    assert text.count("\n## ") == draft.count("\n## ")  # no section added or lost


def test_add_action_item_creates_the_table_or_section_when_missing():
    text, row = add_action_item("# Postmortem\n\n## Action Items\n\nNone yet.\n## Lessons Learned\n", "A", "@a",
                                "2026-12-01")
    lines = text.splitlines()
    assert lines[row] == "| A | @a | 2026-12-01 | [ ] |"
    assert lines[row - 3:row + 3] == ["", "| Action | Owner | Due Date | Status |",
                                      "|--------|-------|----------|--------|", lines[row], "", "## Lessons Learned"]
    text, row = add_action_item("# Postmortem\n", "A", "@a", "2026-12-01")
    assert text.splitlines()[row - 4:row + 1] == [
        "## Action Items", "", "| Action | Owner | Due Date | Status |", "|--------|-------|----------|--------|",
        "| A | @a | 2026-12-01 | [ ] |"]
    # Columns in another order are filled by their names.
    text, row = add_action_item("## Action Items\n| Owner | Action | Due |\n|-|-|-|\n", "A", "a", "2026-12-01")
    assert text.splitlines()[row] == "| @a | A | 2026-12-01 |"


@pytest.mark.parametrize("action, owner, due, says", [
    ("", "@a", "2026-12-01", "Describe"),
    ("A", "ann smith", "2026-12-01", "@handle"),
    ("A", "", "2026-12-01", "@handle"),
    ("A", "@a", "2026-02-30", "YYYY-MM-DD"),
    ("A", "@a", "next week", "YYYY-MM-DD"),
    ("A", "@a", "20261201", "YYYY-MM-DD"),
])
def test_add_action_item_refuses_fields_the_table_cannot_take(action, owner, due, says):
    with pytest.raises(ValueError, match=says):
        add_action_item("## Action Items\n", action, owner, due)


async def test_ctrl_t_adds_an_action_item_row_in_the_editor(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        await draft_from_incidents_panel(app, pilot)
        panel = app.query_one("#postmortems")
        await pilot.press("e", "ctrl+t")
        await pilot.pause()
        await pilot.press(*"Add a canary", "enter", *"ann", "enter", *"2026-13-01", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ActionItemForm)  # a bad date is refused in the form
        assert "YYYY-MM-DD" in str(app.screen.query_one(".form-error").render())
        await pilot.press(*["backspace"] * 5, *"12-01", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, ActionItemForm) and app.focused is panel.editor
        row = panel.editor.cursor_location[0]
        assert panel.editor.text.splitlines()[row] == "| Add a canary | @ann | 2026-12-01 | [ ] |"
        # Saved at once, so the audit log records the action item being added.
        assert panel.editor.text == panel.editor.saved_text == panel.editor.path.read_text()
        assert audited(config)[-1][:2] == ("postmortem.action_item", str(panel.editor.path))
        await pilot.press("ctrl+t", "escape")  # esc cancels the form, the text stays as it was
        await pilot.pause()
        assert not isinstance(app.screen, ActionItemForm) and panel.editor.text.count("Add a canary") == 1


async def test_x_exports_the_markdown_without_front_matter_and_asks_before_overwriting(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        path = await draft_from_incidents_panel(app, pilot)
        draft = path.read_text()
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await pilot.press("enter")  # the default: <drafts>/export/<draft name>
        await pilot.pause()
        exported = config.postmortems / "export" / path.name
        text = exported.read_text()
        assert text.startswith("# Postmortem: API 5xx spike") and draft.endswith(text)
        assert "incident: INC-7" not in text and "---" not in text.splitlines()
        assert path.read_text() == draft  # the draft keeps its front matter
        # Exporting again over an existing file asks first; n keeps the file.
        exported.write_text("hand-edited export")
        await pilot.press("x", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmPrompt)
        await pilot.press("n")
        await pilot.pause()
        assert exported.read_text() == "hand-edited export"
        await pilot.press("x", "enter", "y")
        await pilot.pause()
        assert exported.read_text() == text
        # A relative path is in the drafts folder; the draft itself is never the target.
        await pilot.press("x", "ctrl+u", *path.name, "enter")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmPrompt) and path.read_text() == draft
        assert any("the draft itself" in n.message for n in app._notifications)


async def test_y_copies_the_draft_with_its_lines_to_the_clipboard(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        path = await draft_from_incidents_panel(app, pilot)
        await pilot.press("escape")  # from the list too: the selected draft
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        copied = app.clipboard
        assert copied.startswith("# Postmortem: API 5xx spike\n") and "\n## Action Items\n" in copied
        assert "incident: INC-7" not in copied and path.read_text().endswith(copied)


async def test_m_marks_reviewed_only_when_the_linter_is_satisfied_and_back_to_draft(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        path = await draft_from_incidents_panel(app, pilot)
        panel = app.query_one("#postmortems")
        await pilot.press("m")  # a fresh draft still holds the template's prompts
        await pilot.pause()
        refused = [n.message for n in app._notifications if n.message.startswith("Not ready for review")]
        first = lint_postmortem(path.read_text(), path.name)[0]
        assert len(refused) == 1 and f"line {first.line}: {first.key}: {first.message}" in refused[0]
        assert parse_front_matter(path.read_text(), str(path)).data["status"] == "draft"
        # A finished draft (in the list, not opened) passes and flips; m again turns it back.
        done = config.postmortems / "2026-11-28-INC-0007.md"
        done.write_text(FINISHED.replace("status: reviewed", "status: draft"))
        await pilot.press("escape")
        await pilot.pause()
        panel.refresh_view()  # as the next snapshot does
        assert panel.table.select_key(str(done))
        await pilot.press("m")
        await pilot.pause()
        # Reviewed is validated: the day is kept for the Docs panel's next review.
        validated = set_field(FINISHED, "last_validated", "2026-11-28")
        assert done.read_text() == validated
        assert [str(c) for c in panel.table.table.get_row(str(done))[:4]][3] == "reviewed"
        await pilot.press("m")
        await pilot.pause()
        assert done.read_text() == validated.replace("status: reviewed", "status: draft")


async def test_every_draft_write_is_audited(config):
    app = build(config)
    async with app.run_test(size=SIZE) as pilot:
        path = await draft_from_incidents_panel(app, pilot)
        panel = app.query_one("#postmortems")
        await pilot.press("e", "end", *"x", "ctrl+s")
        await pilot.pause()
        await pilot.press("escape")  # saved: back to the rendered view
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("enter")  # export to the default place
        await pilot.pause()
        export = config.postmortems / "export" / path.name
        assert export.exists() and path.read_text().startswith("---x")  # the edit was saved
    assert [(a, t) for a, t, _ in audited(config)] == [
        ("postmortem.create", str(path)), ("postmortem.save", str(path)), ("postmortem.export", str(export))]
    assert {r for _, _, r in audited(config)} == {"ok"}
    assert path.stat().st_mode & 0o777 == 0o600 and export.stat().st_mode & 0o777 == 0o600


async def test_read_only_offers_no_draft_writes_and_refuses_a_new_draft(config):
    app = build(config, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("i")
        await pilot.pause()
        app.query_one("#incidents").table.select_key("incident-log/INC-7")
        await pilot.press("m")  # would write a new draft: refused, said and audited
        await pilot.pause()
        assert not config.postmortems.exists() or not any(config.postmortems.iterdir())
        assert audited(config) == [("postmortem.create", str(config.postmortems / "2026-11-28-INC-7.md"),
                                    "refused: read-only mode")]
        assert any("Read-only mode" in str(n.message) for n in app._notifications)
        panel = app.query_one("#postmortems")
        for action in ("new", "edit", "save", "action_item", "export", "mark"):
            assert panel.check_action(action, ()) is False, action
