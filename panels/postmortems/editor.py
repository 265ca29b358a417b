"""The postmortem draft editor: a markdown TextArea that keeps the file it
edits safe. It saves atomically on ctrl+s and every few seconds while there
are unsaved changes, and never silently overwrites words another session
saved meanwhile (the autosave keeps ours in <draft>.recovered.md instead)."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.widgets import TextArea

from cockpit.postmortems.action_items import add_action_item
from cockpit.postmortems.writer import ACTION_ITEM, AUTOSAVE, RECOVER, SAVE, DraftWriter, WriteRefused
from cockpit.panels.postmortems.action_item_form import ActionItemForm

AUTOSAVE_SECONDS = 5.0


class DraftEditor(TextArea):
    """Edits one draft at a time: ``open`` it, ``close`` it when it is no
    longer shown (a closed editor never writes)."""

    def __init__(self, *, autosave_seconds: float = AUTOSAVE_SECONDS, id: str | None = None) -> None:
        super().__init__(id=id, language="markdown", show_line_numbers=True, soft_wrap=True)
        self.autosave_seconds = autosave_seconds
        self.path: Path | None = None  # the draft being edited; None while closed
        self.writer: DraftWriter | None = None  # every write goes through it (audited, refused read-only)
        self.saved_text = ""  # what the file held when the editor opened or last saved
        self._discard_armed = False  # esc pressed once with unsaved changes
        self._overwrite_armed = False  # ctrl+s pressed once over someone else's changes
        self._recovered_text = ""  # what the autosave last kept in the side file (warn once per change)

    def on_mount(self) -> None:
        self.set_interval(self.autosave_seconds, self.autosave, name="postmortem-autosave")

    @on(TextArea.Changed)
    def _edited(self) -> None:
        self._discard_armed = False

    def open(self, path: Path, text: str, writer: DraftWriter) -> None:
        """Start editing ``text``, which is what ``path`` holds on disk."""
        self.path = path
        self.writer = writer
        self.saved_text = text
        self.load_text(text)
        self._discard_armed = self._overwrite_armed = False
        self._recovered_text = ""

    def close(self) -> None:
        self.path = None

    @property
    def unsaved(self) -> bool:
        return self.text != self.saved_text

    def may_close(self) -> bool:
        """False (with a warning) the first time unsaved changes would be dropped."""
        if self.unsaved and not self._discard_armed:
            self._discard_armed = True
            self.notify("Changes since the last autosave: ctrl+s saves, esc again discards them.",
                        severity="warning", timeout=6)
            return False
        self._discard_armed = False
        return True

    def _changed_on_disk(self) -> bool:
        """Another session (or editor) saved the draft since we loaded or saved it."""
        if self.path is None:
            return False
        try:
            on_disk = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return False  # gone or unreadable: nothing of anyone's to protect
        return on_disk != self.saved_text

    def autosave(self) -> None:
        """Save unsaved edits, unless someone else changed the file meanwhile:
        then their words stay and ours go to <draft>.recovered.md, with a warning."""
        if self.path is None or self.writer is None:
            return
        text = self.text
        if text == self.saved_text:
            return
        path = self.path
        try:
            if not self._changed_on_disk():
                self._warn(self.writer.write(AUTOSAVE, path, text))
                self.saved_text = text
                return
            if text == self._recovered_text:
                return  # kept and warned about already
            recovered = path.with_suffix(".recovered.md")
            self._warn(self.writer.write(RECOVER, recovered, text))
        except (OSError, WriteRefused) as error:
            self.notify(f"Autosave failed: {getattr(error, 'strerror', None) or error}", severity="error",
                        markup=False)
            return
        self._recovered_text = text
        self.notify(f"Not autosaved: another session changed {path.name}. Your text is kept in "
                    f"{recovered.name}; ctrl+s twice overwrites theirs.", severity="warning", timeout=10,
                    markup=False)

    def save(self, action: str = SAVE) -> bool:
        """Write the text now (ctrl+s); True once it is on disk."""
        if self.path is None or self.writer is None:
            return False
        text = self.text
        if self._changed_on_disk() and not self._overwrite_armed:
            # Another session (or editor) saved since we loaded: never overwrite unseen words silently.
            self._overwrite_armed = True
            self.notify("The draft changed on disk since you opened it. ctrl+s again overwrites those "
                        "changes; esc twice discards yours and shows theirs.", severity="warning", timeout=10)
            return False
        self._overwrite_armed = False
        try:
            warning = self.writer.write(action, self.path, text)
        except (OSError, WriteRefused) as error:
            self.notify(f"Not saved: {getattr(error, 'strerror', None) or error}", severity="error", markup=False)
            return False
        self.saved_text = text
        self.notify(f"Saved {self.path}" + (f"\n{warning}" if warning else ""), timeout=3, markup=False,
                    severity="warning" if warning else "information")
        return True

    def _warn(self, warning: str) -> None:
        if warning:
            self.notify(warning, severity="warning", markup=False)

    def ask_action_item(self) -> None:
        """Ask for an action item, append it as a well-formed row to the
        text's Action Items table (one undoable edit) and save the draft,
        so the audit log records the action item being added."""

        def add(fields: tuple[str, str, str] | None) -> None:
            if fields is None or self.path is None:
                return
            text, row = add_action_item(self.text, *fields)
            self.replace(text, self.document.start, self.document.end)  # undoable
            self.move_cursor((row, 0))
            self.focus()
            self.save(ACTION_ITEM)

        self.app.push_screen(ActionItemForm(lambda *fields: add_action_item("", *fields)), add)
