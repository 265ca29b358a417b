"""The Postmortems panel: the drafts in the configured folder, a new draft
from any incident (the app writes it from the practices guide's template), a
rendered view with export, copy and mark, and the draft editor (editor.py),
which also saves whenever the panel is left or closed, so a kill -9 loses at
most the last few seconds of typing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from cockpit.clipboard import copy
from cockpit.postmortems.writer import EXPORT, REVIEW, WriteRefused
from cockpit.frontmatter import parse_front_matter, split_front_matter
from cockpit.model import Postmortem
from cockpit.panels.postmortems.editor import AUTOSAVE_SECONDS, DraftEditor
from cockpit.postmortems.draft import export_markdown, set_field, set_status
from cockpit.postmortems.listing import list_drafts
from cockpit.postmortems.lint import lint_postmortem
from cockpit.ui.widgets.badges import age, severity_badge
from cockpit.ui.widgets.dialogs import ChoicePrompt, ConfirmPrompt, TextPrompt
from cockpit.ui.widgets.filter_table import FilterTable
from cockpit.ui.widgets.messages import DraftRequested, Origin
from cockpit.ui.widgets.panel import ListDetailPanel, PanelContext
from cockpit.ui.widgets.rows import TITLE_MAX_WIDTH, Column, Row
from cockpit.ui.widgets.text import literal
from cockpit.untrusted import clean
from cockpit.yamlfile import YamlError, read_text

SHOWN_PROBLEMS = 3  # lint problems listed when a draft cannot be marked reviewed
# Actions that write a draft or an export: not offered in read-only mode.
DRAFT_WRITES = frozenset({"new", "edit", "save", "action_item", "export", "mark"})

COLUMNS = (
    Column("title", "Title", max_width=TITLE_MAX_WIDTH, min_width=20, takes_the_rest=True),
    Column("incident", "Incident", sortable=True),
    Column("severity", "Sev", sortable=True),
    Column("status", "Status", sortable=True),
    Column("age", "Age", sortable=True),
)


class PostmortemsPanel(ListDetailPanel):
    """Modes: list, view (a draft as saved), edit, preview (the editor's unsaved text, rendered)."""

    panel_id = "postmortems"
    title = "Postmortems"

    DEFAULT_CSS = """
    PostmortemsPanel > #postmortem-view, PostmortemsPanel > #postmortem-editor { display: none; height: 1fr; }
    PostmortemsPanel.-view > #postmortem-view, PostmortemsPanel.-preview > #postmortem-view { display: block; }
    PostmortemsPanel.-edit > #postmortem-editor { display: block; }
    PostmortemsPanel.-view > FilterTable, PostmortemsPanel.-preview > FilterTable,
    PostmortemsPanel.-edit > FilterTable { display: none; }
    PostmortemsPanel #postmortem-facts { color: $text-muted; padding: 0 1; }
    """

    BINDINGS = [
        Binding("n", "new", "New draft", id="postmortems.new"),
        Binding("e", "edit", "Edit", id="postmortems.edit"),
        Binding("ctrl+s", "save", "Save", id="postmortems.save"),
        Binding("ctrl+o", "preview", "Preview", id="postmortems.preview"),
        Binding("ctrl+t", "action_item", "Add action item", id="postmortems.action_item"),
        Binding("x", "export", "Export", id="postmortems.export"),
        Binding("y", "copy", "Copy", id="postmortems.copy"),
        Binding("m", "mark", "Reviewed/draft", id="postmortems.mark"),
    ]

    def __init__(self, context: PanelContext) -> None:
        super().__init__(context)
        self.drafts: list[Postmortem] = []
        self.open_path: str | None = None
        # Kept here, not queried: on unmount the last autosave runs after the children are gone.
        # The interval is read now, not at import, so it can be changed here (tests shorten it).
        self._editor = DraftEditor(id="postmortem-editor", autosave_seconds=AUTOSAVE_SECONDS)

    def compose(self) -> ComposeResult:
        yield FilterTable(COLUMNS, id="postmortems-table", placeholder="filter drafts")
        with VerticalScroll(id="postmortem-view"):
            yield Static(id="postmortem-facts")
            yield Markdown(id="postmortem-markdown", open_links=False)
        yield self._editor

    @property
    def folder(self) -> Path:
        return self.context.drafts_folder

    @property
    def table(self) -> FilterTable:
        return self.query_one(FilterTable)

    @property
    def editor(self) -> DraftEditor:
        return self._editor

    # ---------------------------------------------------------------- view

    def refresh_view(self) -> None:
        if not self.is_mounted:
            return
        self.drafts = list_drafts(self.folder)
        now = self.now
        self.table.set_rows(self._row(draft, now) for draft in self.drafts)

    def _row(self, draft: Postmortem, now: datetime) -> Row:
        return Row(
            key=draft.path,
            cells=(literal(draft.title), literal(draft.incident_id), severity_badge(draft.severity),
                   literal("unreadable", "red") if draft.problem else
                   literal(draft.status, "green" if draft.status == "reviewed" else "yellow"),
                   age(draft.created, now)),
            sort_values={"incident": draft.incident_id, "severity": draft.severity, "status": draft.status,
                         "age": -(draft.created.timestamp() if draft.created else 0)},
            search_text=Path(draft.path).name,
        )

    def on_mount(self) -> None:
        self.refresh_view()

    def on_hide(self) -> None:
        self.autosave()  # another panel was shown

    def on_unmount(self) -> None:
        self.autosave()  # the app is closing

    def focus_item(self, ref: str, origin: Origin | None = None) -> bool:
        if ref not in {d.path for d in self.drafts}:
            self.refresh_view()  # a draft just written is not listed yet
        if not self.table.select_key(ref):
            return False
        self.open_draft(ref)
        return True

    def open_draft(self, path: str) -> None:
        text = self._read(path)
        if text is None:
            return
        self.open_path = path
        draft = next((d for d in self.drafts if d.path == path), None)
        # A retrospective or other draft with no incident says nothing of one.
        about = "   ".join(part for part in (f"incident {draft.incident_id}" if draft.incident_id else "",
                                           draft.severity, draft.status) if part) if draft else ""
        facts = Path(path).name + (f"   {about}" if about else "") + \
            (f"   {draft.problem}" if draft and draft.problem else "")
        self._show_markdown(text, facts + "   (e edits)", "view")

    def _show_markdown(self, text: str, facts: str, mode: str) -> None:
        _, body, _ = split_front_matter(text)
        self.query_one("#postmortem-facts", Static).update(literal(facts))
        markdown = self.query_one(Markdown)
        if markdown.source != clean(body):  # rendering a long draft is slow: only when it changed
            markdown.update(clean(body))
        self.mode = mode
        self.query_one("#postmortem-view").focus()

    def _read(self, path: str) -> str | None:
        try:
            return read_text(Path(path))
        except YamlError as error:  # unreadable, or too big to show
            self.notify(f"Cannot read {error.problem}", severity="error", markup=False)
            return None

    def watch_mode(self, old: str, new: str) -> None:
        if new not in ("edit", "preview"):
            self.editor.close()  # text left behind (discarded) is never autosaved
        super().watch_mode(old, new)

    def back(self) -> bool:
        if self.mode == "preview":
            self.action_preview()  # back to the editor, unsaved text intact
            return True
        if self.mode == "edit":
            if not self.editor.may_close():
                return True
            if self.open_path:
                self.open_draft(self.open_path)
            return True
        if self.mode == "view":
            self.mode = "list"
            self.table.focus()
            return True
        return False

    @on(FilterTable.Chosen, "#postmortems-table")
    def _chosen(self, event: FilterTable.Chosen) -> None:
        event.stop()
        self.open_draft(event.key)

    # -------------------------------------------------------------- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in DRAFT_WRITES and self.context.drafts.read_only:
            return False  # read-only: the key is not offered at all
        if action in ("save", "preview", "action_item"):
            return self.mode in ("edit", "preview")
        if action == "new":
            return self.mode == "list"
        if action == "edit":
            return self.mode in ("view", "preview") or (self.mode == "list" and self.table.selected_key is not None)
        if action in ("export", "copy", "mark"):  # the file as saved: not while the editor holds other text
            return self.mode == "view" or (self.mode == "list" and self.table.selected_key is not None)
        return True

    def _chosen_draft(self) -> tuple[Path, str] | None:
        """The draft shown (or selected in the list) and its text on disk."""
        path = self.open_path if self.mode == "view" else self.table.selected_key
        text = self._read(path) if path else None
        return None if text is None else (Path(path), text)

    def action_export(self) -> None:
        """Write the markdown without the front matter where the user says
        (default <drafts>/export/<name>; relative paths are in the drafts folder)."""
        chosen = self._chosen_draft()
        if chosen is None:
            return
        draft, text = chosen

        def answered(answer: str | None) -> None:
            if not answer:
                return
            target = Path(answer).expanduser()
            target = target if target.is_absolute() else self.folder / target
            target = target / draft.name if target.is_dir() else target
            if target.resolve() == draft.resolve():
                self.notify("That is the draft itself: export elsewhere.", severity="error")
            elif target.exists():
                self.app.push_screen(ConfirmPrompt(f"{target} exists. Overwrite it?"),
                                     lambda yes: self._export(target, text) if yes else None)
            else:
                self._export(target, text)

        default = self.folder / "export" / draft.name
        self.app.push_screen(TextPrompt("Export the draft without its front matter to:", value=str(default)),
                             answered)

    def _export(self, target: Path, text: str) -> None:
        try:
            warning = self.context.drafts.write(EXPORT, target, export_markdown(text))
        except (OSError, WriteRefused) as error:
            self.notify(f"Not exported: {getattr(error, 'strerror', None) or error}", severity="error", markup=False)
            return
        self.notify(f"Exported to {target}" + (f"\n{warning}" if warning else ""), timeout=4, markup=False)

    def action_copy(self) -> None:
        chosen = self._chosen_draft()
        if chosen is None:
            return
        # OSC 52 through the terminal, so it works over SSH; a draft keeps its lines.
        copy(self.app, export_markdown(chosen[1]), single_line=False)
        self.notify(f"Copied {chosen[0].name} (without its front matter) to the clipboard.", timeout=3,
                    markup=False)

    def action_mark(self) -> None:
        """Toggle the front matter's status: reviewed only once the linter finds nothing."""
        chosen = self._chosen_draft()
        if chosen is None:
            return
        path, text = chosen
        reviewed = str(parse_front_matter(text, str(path)).data.get("status", "")).strip() == "reviewed"
        problems = [] if reviewed else lint_postmortem(text, path.name)
        if problems:
            listed = "\n".join(f"line {p.line}: {p.key}: {p.message}" for p in problems[:SHOWN_PROBLEMS])
            more = len(problems) - SHOWN_PROBLEMS
            self.notify(f"Not ready for review ({len(problems)} problems):\n{listed}"
                        + (f"\n... {more} more: cockpit postmortem check {path}" if more > 0 else ""),
                        severity="warning", timeout=12, markup=False)
            return
        status = "draft" if reviewed else "reviewed"
        # Reviewing is validating (the practices guide's review process): the date the Docs panel counts from.
        marked = set_status(text, status) if reviewed else set_field(set_status(text, status), "last_validated",
                                                                       self.now.date().isoformat())
        try:
            warning = self.context.drafts.write(REVIEW, path, marked)
        except (OSError, ValueError, WriteRefused) as error:
            self.notify(f"Status not changed: {getattr(error, 'strerror', None) or error}", severity="error",
                        markup=False)
            return
        self.notify(f"{path.name} is now {status}." + (f"\n{warning}" if warning else ""), timeout=3, markup=False)
        self.refresh_view()
        if self.mode == "view":
            self.open_draft(str(path))  # the facts line shows the status

    def action_new(self) -> None:
        incidents = sorted(self.snapshot.incidents if self.snapshot else (), key=lambda i: i.started_at,
                           reverse=True)
        if not incidents:
            self.notify("No incidents to draft from.", severity="warning")
            return
        labels = {clean(f"{i.id} · {i.severity} · {i.status} · {i.title} ({i.source})", single_line=True): i
                  for i in incidents}

        def chosen(label: str | None) -> None:
            if label is not None:
                self.post_message(DraftRequested(labels[label]))

        self.app.push_screen(ChoicePrompt("Draft a postmortem for which incident?", list(labels)), chosen)

    def action_edit(self) -> None:
        if self.mode == "preview":
            self.action_preview()
            return
        chosen = self._chosen_draft()
        if chosen is None:
            return
        self.open_path = str(chosen[0])
        self.editor.open(*chosen, self.context.drafts)
        self.mode = "edit"
        self.editor.focus()

    def action_preview(self) -> None:
        """Toggle between the editor and its text rendered (saved or not)."""
        if self.mode == "edit":
            unsaved = "   UNSAVED CHANGES" if self.editor.unsaved else ""
            self._show_markdown(self.editor.text, f"preview of {Path(self.open_path or '').name}{unsaved}   "
                         "(ctrl+o / esc: back to the editor)", "preview")
        elif self.mode == "preview":
            self.mode = "edit"
            self.editor.focus()

    def autosave(self) -> None:
        self.editor.autosave()

    def action_save(self) -> None:
        if self.editor.save():
            self.refresh_view()

    def action_action_item(self) -> None:
        """Append a well-formed row to the Action Items table of the text being edited."""
        if self.mode == "preview":
            self.action_preview()
        self.editor.ask_action_item()
