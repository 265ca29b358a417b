"""Docs: every owned document across kinds (runbooks, postmortems, the
onboarding checklist ...) with its owner, last validated and next review,
the stale ones first (cockpit.doc_freshness decides, as `cockpit docs` does).
enter opens a document in the panel that shows its kind."""

from __future__ import annotations

from collections import Counter
from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Static

from cockpit.doc_freshness import KINDS, DocInputs, OwnedDocument, collect, kind, review_day
from cockpit.ui.widgets.badges import stale_badge
from cockpit.ui.widgets.filter_table import FilterTable
from cockpit.ui.widgets.messages import Navigate, Origin
from cockpit.ui.widgets.panel import Panel, PanelContext
from cockpit.ui.widgets.rows import TITLE_MAX_WIDTH, Column, Row
from cockpit.ui.widgets.text import literal

# The stale mark and next review stay at 80 columns; the reason and last
# validated give way first.
COLUMNS = (
    Column("stale", ""),
    Column("kind", "Kind", sortable=True),
    Column("title", "Title", sortable=True, max_width=TITLE_MAX_WIDTH, min_width=20, takes_the_rest=True),
    Column("owner", "Owner", sortable=True, min_width=12),
    Column("review", "Next review", sortable=True),
    Column("validated", "Last validated", sortable=True, hide_first=1),
    Column("reason", "Why stale", max_width=32, min_width=16, hide_first=2),
)


def _day(value: date | None) -> str:
    return value.isoformat() if value else "never"


def _first(document: OwnedDocument) -> tuple:
    """Default order: stale first, the longest overdue (never validated) first, then by due date."""
    return (not document.stale, document.next_review or date.min, document.kind, document.title.lower())


class DocsPanel(Panel):
    panel_id = "docs"
    title = "Docs"
    feeds = frozenset(k.feeds for k in KINDS if k.feeds)

    DEFAULT_CSS = """
    DocsPanel #docs-summary { height: 1; padding: 0 1; }
    """

    def __init__(self, context: PanelContext) -> None:
        super().__init__(context)
        self.documents: dict[str, OwnedDocument] = {}  # by row key

    def compose(self) -> ComposeResult:
        yield Static(id="docs-summary")
        yield FilterTable(COLUMNS, id="docs-table", placeholder="filter documents (kind, title, owner, stale)")

    @property
    def table(self) -> FilterTable:
        return self.query_one("#docs-table", FilterTable)

    def on_mount(self) -> None:
        self.refresh_view()

    def refresh_view(self) -> None:
        if self.snapshot is None or not self.is_mounted:
            return
        inputs = DocInputs(self.snapshot, review_day(self.now), self.context.docs, self.context.drafts_folder)
        documents = sorted(collect(inputs), key=_first)
        self.documents = {d.key: d for d in documents}
        self.table.set_rows(self._row(d) for d in documents)
        self.query_one("#docs-summary", Static).update(self._summary(documents))

    def _summary(self, documents: list[OwnedDocument]) -> Text:
        stale = Counter(d.kind for d in documents if d.stale)
        text = Text(f"{sum(stale.values())} of {len(documents)} documents stale", style="bold" if stale else "")
        if stale:
            text.append("  (" + ", ".join(f"{kind_name} {n}" for kind_name, n in stale.items()) + ")")
        text.append("   enter opens one", style="dim")
        return text

    def _row(self, document: OwnedDocument) -> Row:
        return Row(
            key=document.key,
            cells=(stale_badge() if document.stale else "", document.kind, literal(document.title),
                   literal(document.owner or "—"),
                   Text(_day(document.next_review), style="bold yellow" if document.stale else ""),
                   _day(document.last_validated), document.stale_reason),
            sort_values={"kind": document.kind, "title": document.title.lower(), "owner": document.owner,
                         "review": document.next_review, "validated": document.last_validated},
            search_text=f"{document.ref} {'stale' if document.stale else 'fresh'}",
        )

    def focus_item(self, ref: str, origin: Origin | None = None) -> bool:
        return self.table.select_key(ref)

    @on(FilterTable.Chosen, "#docs-table")
    def _chosen(self, event: FilterTable.Chosen) -> None:
        event.stop()
        document = self.documents.get(event.key)
        if document is None:
            return
        viewer = kind(document.kind).panel
        if not viewer:
            self.notify(f"The cockpit has no viewer for {document.kind}: open {document.ref} yourself.",
                        severity="warning", markup=False)
            return
        self.post_message(Navigate(viewer, document.ref, Origin(self.panel_id, document.key)))
