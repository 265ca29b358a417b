"""The table every panel lists with: a RowTable (drawn a screen at a time)
whose rows carry a stable key, so on every snapshot the cursor stays on its
item and the filter and sort stay as they were. ``/`` opens a filter box;
every word typed must appear somewhere in the row (case-insensitive).
"""

from __future__ import annotations

from operator import is_
from typing import Iterable, Sequence

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input

from cockpit.ui.widgets.row_table import RowTable
from cockpit.ui.widgets.rows import Column, Row


SEARCH_SLICE = 500  # rows prepared for search per step: a few milliseconds


class FilterTable(Widget, can_focus=False):
    """A keyed DataTable with a ``/`` filter box; posts ``Chosen`` on enter."""

    help_group = "table"

    DEFAULT_CSS = """
    FilterTable { height: 1fr; }
    /* one line, k9s style: at 80x24 every row counts */
    FilterTable > Input, FilterTable > Input:focus { display: none; height: 1; border: none; padding: 0 1;
                                                     background: $boost; }
    FilterTable.-filtering > Input { display: block; }
    FilterTable > RowTable { height: 1fr; }
    """

    BINDINGS = [
        Binding("slash", "open_filter", "Filter", id="table.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="table.clear_filter"),
        Binding("greater_than_sign", "next_sort", "Sort", id="table.sort"),
        Binding("less_than_sign", "reverse_sort", "Reverse", show=False, id="table.reverse"),
    ]

    class Chosen(Message):
        """enter on a row: ``key`` is the row's key."""

        def __init__(self, table: "FilterTable", key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> "FilterTable":
            return self.table

    def __init__(self, columns: Sequence[Column], *, id: str | None = None, placeholder: str = "filter") -> None:
        super().__init__(id=id)
        self.columns = tuple(columns)
        self._rows: list[Row] = []
        self._shown: list[Row] = []
        # (rows, (sort key, reversed), filter words) that _shown was made from
        self._shown_for: tuple[list[Row], tuple[str | None, bool], list[str]] | None = None
        self._sort_key: str | None = None
        self._sort_reverse = False
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        box = Input(placeholder=f"{self._placeholder}: words, all must match (esc clears)")
        box.can_focus = False
        yield box
        yield RowTable(self.columns, zebra_stripes=True)

    @property
    def table(self) -> RowTable:
        return self.query_one(RowTable)

    @property
    def filter_input(self) -> Input:
        return self.query_one(Input)

    @property
    def filter_text(self) -> str:
        return self.filter_input.value

    @property
    def shown_keys(self) -> list[str]:
        """Keys of the rows on screen, in order (after filter and sort)."""
        return [row.key for row in self._shown]

    @property
    def selected_key(self) -> str | None:
        return self.table.cursor_key if self.is_mounted else None

    def focus(self, scroll_visible: bool = True) -> "FilterTable":
        self.table.focus(scroll_visible)
        return self

    def set_rows(self, rows: Iterable[Row]) -> None:
        """Show ``rows``, keeping filter, sort and the cursor on the same key.
        The same Row objects as shown already (a refresh that changed no
        row) are left as they are: nothing to filter, sort, measure or draw."""
        rows = list(rows)
        if self._shown_for is not None and self._shown_for[0] is self._rows and len(rows) == len(self._rows) \
                and all(map(is_, rows, self._rows)):
            return
        self._rows = rows
        self._render_rows()
        self.call_after_refresh(self._prepare_search, self._rows, 0)

    def _prepare_search(self, rows: list[Row], start: int) -> None:
        """Work out what the filter searches (Row.haystack) a slice at a time,
        each after the screen is drawn: the first keystroke of a filter over
        10,000 alerts then has nothing to prepare, and the first screen of
        rows is not kept waiting for it."""
        if rows is not self._rows:
            return  # replaced by newer rows, which have their own pass
        for row in rows[start:start + SEARCH_SLICE]:
            row.haystack  # noqa: B018 (a cached property: computed once, here)
        if start + SEARCH_SLICE < len(rows):
            self.call_after_refresh(self._prepare_search, rows, start + SEARCH_SLICE)

    def select_key(self, key: str) -> bool:
        """Move the cursor to ``key``; clears a filter that hides it."""
        if key not in {row.key for row in self._rows}:
            return False
        if key not in self.shown_keys:
            self._set_filter("")
        self.table.move_cursor(self.shown_keys.index(key))
        return True

    def set_filter(self, text: str) -> None:
        """Filter the rows as if ``text`` had been typed after ``/``."""
        if text:
            self._show_filter(True)
        self._set_filter(text)

    def sort_by(self, column_key: str | None, reverse: bool = False) -> None:
        self._sort_key, self._sort_reverse = column_key, reverse
        self.table.sorted_by = (column_key, reverse)
        self._render_rows()

    # -------------------------------------------------------------- actions

    def action_open_filter(self) -> None:
        self._show_filter(True)
        # Focus now, not after a refresh: keys typed right after "/" must land in the box.
        self.screen.set_focus(self.filter_input)

    def _show_filter(self, show: bool) -> None:
        # A hidden box must not take focus (auto-focus, tab) and swallow keys.
        self.set_class(show, "-filtering")
        self.filter_input.can_focus = show

    def action_clear_filter(self) -> None:
        # Nothing to clear: let esc reach the panel / app ("back").
        if not self.has_class("-filtering") and not self.filter_text:
            raise SkipAction()
        self._set_filter("")
        self.table.focus()

    def action_next_sort(self) -> None:
        keys = [None] + [c.key for c in self.columns if c.sortable]
        if len(keys) == 1:
            raise SkipAction()
        self.sort_by(keys[(keys.index(self._sort_key) + 1) % len(keys)], self._sort_reverse)
        self.notify(f"sorted by {self._sort_label()}", timeout=2)

    def action_reverse_sort(self) -> None:
        self.sort_by(self._sort_key, not self._sort_reverse)

    def _sort_label(self) -> str:
        label = next((c.label for c in self.columns if c.key == self._sort_key), "default order")
        return label + (" (reversed)" if self._sort_reverse else "")

    # ------------------------------------------------------------- messages

    @on(Input.Changed)
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._render_rows()

    @on(Input.Submitted)
    def _filter_submitted(self, event: Input.Submitted) -> None:
        # Keep the filter, go back to the rows; an empty filter closes the box.
        event.stop()
        if not event.value:
            self._show_filter(False)
        self.table.focus()

    @on(RowTable.HeaderClicked)
    def _header_clicked(self, event: RowTable.HeaderClicked) -> None:
        """A sortable column's label: sort by it; again: the other way round."""
        event.stop()
        if any(c.key == event.key and c.sortable for c in self.columns):
            reverse = not self._sort_reverse if event.key == self._sort_key else False
            self.sort_by(event.key, reverse)
            self.notify(f"sorted by {self._sort_label()}", timeout=2)

    @on(RowTable.RowSelected)
    def _row_selected(self, event: RowTable.RowSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(self, event.key))

    # ------------------------------------------------------------ rendering

    def _set_filter(self, text: str) -> None:
        with self.prevent(Input.Changed):
            self.filter_input.value = text
        if not text:
            self._show_filter(False)
        self._render_rows()

    def _visible_rows(self, words: list[str], narrows: bool) -> list[Row]:
        if narrows:
            # Every row the new words match, the shown words matched: test the
            # shown rows only, already in order (a typed letter over 10,000 rows).
            return [row for row in self._shown if row.matches(words)]
        rows = [row for row in self._rows if row.matches(words)] if words else list(self._rows)
        if self._sort_key is not None:
            key = self._sort_key
            # Rows without a value sort last whichever way round.
            present = [r for r in rows if r.sort_values.get(key) is not None]
            missing = [r for r in rows if r.sort_values.get(key) is None]
            present.sort(key=lambda r: r.sort_values[key], reverse=self._sort_reverse)
            rows = present + missing
        elif self._sort_reverse:
            rows.reverse()
        return rows

    def _narrows(self, words: list[str]) -> bool:
        """Do ``words`` only narrow what is shown: the same rows and sort as
        last shown, and each shown word inside some new word?"""
        shown_for = self._shown_for
        return (shown_for is not None and shown_for[0] is self._rows
                and shown_for[1] == (self._sort_key, self._sort_reverse)
                and all(any(old in new for new in words) for old in shown_for[2]))

    def _render_rows(self) -> None:
        if not self.is_mounted:
            return
        table = self.table
        words = self.filter_text.lower().split()
        selected, cursor = self.selected_key, table.cursor_row
        rows = self._visible_rows(words, self._narrows(words))
        self._shown = rows
        self._shown_for = (self._rows, (self._sort_key, self._sort_reverse), words)
        table.fit_columns(self._rows)
        # The cursor stays on its item; when the item is gone, on its line.
        table.show_rows(rows, next((i for i, row in enumerate(rows) if row.key == selected), cursor))
