"""The DataTable inside every FilterTable: vi-style cursor keys, rows added
in bulk, and column widths measured without Rich's console round-trip
(10,000 alerts)."""

from __future__ import annotations

from itertools import zip_longest
from typing import Iterable, Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.render import measure
from textual.widgets import DataTable
from textual.widgets._data_table import default_cell_formatter
from textual.widgets.data_table import CellKey, CellType, ColumnKey, DuplicateKey, Row, RowKey
from textual._two_way_dict import TwoWayDict


class KeyTable(DataTable):
    """The DataTable inside a FilterTable, with vi-style cursor keys, and
    column widths measured without Rich's console round-trip.

    DataTable measures every cell of every added row through
    ``console.options`` (three terminal-size system calls each): ~1.5 s for
    10,000 alerts, again after every filter change. FilterTable's cells are
    one-line Texts, whose width is the cell length of their longest line
    (what ``Text.__rich_measure__`` reports), so that is computed directly.
    tests/ui/test_filter_table.py checks the widths against DataTable's own."""

    help_group = "table"

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("g", "scroll_top", "Top", show=False, id="table.top"),
        Binding("G", "scroll_bottom", "Bottom", show=False, id="table.bottom"),
    ]

    def add_keyed_rows(self, rows: Iterable[tuple[str, Sequence[CellType]]]) -> None:
        """``add_row(*cells, key=key)`` for each (key, cells), as one batch.

        DataTable.add_row re-assigns the cursor (a reactive: validator and
        watchers run) and checks for idle on every row, half its cost: 10,000
        rows took ~0.5 s, again on every filter keystroke. Here that is done
        once, after the last row; the table ends in the same state (the
        cursor only moves when clamped, and rows are only ever appended)."""
        column_keys = [column.key for column in self.ordered_columns]
        locations, data, table_rows, new_rows = self._row_locations, self._data, self.rows, self._new_rows
        was_empty, before = not table_rows, len(table_rows)
        try:
            for key, cells in rows:
                row_key = RowKey(key)
                if row_key in locations:
                    raise DuplicateKey(f"The row key {row_key!r} already exists.")
                if len(cells) > len(column_keys):
                    raise ValueError("More values provided than there are columns.")
                locations[row_key] = len(table_rows)
                data[row_key] = dict(zip_longest(column_keys, cells))
                table_rows[row_key] = Row(row_key, 1, None, False)
                new_rows.add(row_key)
        finally:
            added = len(table_rows) - before
            if added:
                self._require_update_dimensions = True
                self.cursor_coordinate = self.cursor_coordinate
                if was_empty and self.columns and self.show_cursor and self.cursor_type != "none":
                    self._highlight_cursor()
                self._update_count += added
                self.check_idle()

    def keep_rows(self, keys: Iterable[str]) -> None:
        """Leave only the rows with ``keys``, which must be in the table, in
        table order: the state ``clear()`` then ``add_keyed_rows`` of those
        rows would give (cursor and scroll back at the top, the same column
        widths, which never shrink), without re-adding and re-measuring them.
        A narrowing filter keystroke over 10,000 alerts drops rows only.
        (DataTable.remove_row renumbers every row per call: quadratic.)"""
        locations = self._row_locations
        kept = [locations.get_key(index) for index in map(locations.get, map(RowKey, keys))]
        keep = set(kept)
        for row_key in [k for k in self.rows if k not in keep]:
            for column_key in self._data.pop(row_key):
                self._updated_cells.discard(CellKey(row_key, column_key))
            del self.rows[row_key]
        self._row_locations = TwoWayDict({row_key: index for index, row_key in enumerate(kept)})
        # What clear() resets, so that the table ends as clear + add would leave it.
        self._clear_caches()
        self._require_update_dimensions = True
        self.cursor_coordinate = Coordinate(0, 0)
        self.hover_coordinate = Coordinate(0, 0)
        self.scroll_x = self.scroll_y = self.scroll_target_x = self.scroll_target_y = 0
        self._update_count += 1
        self.refresh(layout=True)
        self.check_idle()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        # Labelled or auto-height rows (FilterTable adds none) keep DataTable's path.
        special = []
        rows, data, locations = self.rows, self._data, self._row_locations
        columns = self.ordered_columns
        widest = {column.key: column.content_width for column in columns}
        # Rows share cells (one severity badge for every P1 alert): measure
        # each object once per pass. Ids are stable here: _data holds the cells.
        measured: dict[int, int] = {}
        for row_key in new_rows:
            row, cells = rows.get(row_key), data.get(row_key)
            if row is None or cells is None or row_key not in locations:
                continue  # removed before the table went idle
            if row.label is not None or row.auto_height:
                special.append(row_key)
                continue
            for column_key, cell in cells.items():
                width = measured.get(id(cell))
                if width is None:
                    width = measured[id(cell)] = self._cell_width(cell)
                if width > widest.get(column_key, width):
                    widest[column_key] = width
        for column in columns:
            column.content_width = widest[column.key]
        super()._update_dimensions(special)

    def _update_column_widths(self, updated_cells: set[CellKey]) -> None:
        # DataTable re-measures the whole column for every cell that got
        # narrower (10,000 ages ticking from "59m" to "1h": 10,000 passes);
        # the result is the same with one pass per column.
        updated: dict[ColumnKey, list[int]] = {}
        for row_key, column_key in updated_cells:
            if column_key in self.columns and row_key in self.rows:
                updated.setdefault(column_key, []).append(self._cell_width(self._data[row_key][column_key]))
        for column_key, widths in updated.items():
            column = self.columns[column_key]
            label = self._cell_width(column.label)
            if min(widths) < column.content_width:
                column.content_width = max([label, *map(self._cell_width, self.get_column(column_key))])
            else:
                column.content_width = max(label, *widths)
        self._require_update_dimensions = True

    def _cell_width(self, cell: object) -> int:
        if cell is None:
            return 0
        if isinstance(cell, Text):
            return max(map(cell_len, cell.plain.splitlines()), default=0)
        return measure(self.app.console, default_cell_formatter(cell, wrap=False, height=1), 1)
