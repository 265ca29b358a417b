"""The DataTable inside every FilterTable: vi-style cursor keys, and column
widths measured without Rich's console round-trip (10,000 alerts)."""

from __future__ import annotations

from typing import Iterable

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.render import measure
from textual.widgets import DataTable
from textual.widgets._data_table import default_cell_formatter
from textual.widgets.data_table import CellKey, ColumnKey, RowKey


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

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        # Labelled or auto-height rows (FilterTable adds none) keep DataTable's path.
        special = []
        for row_key in new_rows:
            row, cells = self.rows.get(row_key), self._data.get(row_key)
            if row is None or cells is None or row_key not in self._row_locations:
                continue  # removed before the table went idle
            if row.label is not None or row.auto_height:
                special.append(row_key)
                continue
            for column in self.ordered_columns:
                column.content_width = max(column.content_width, self._cell_width(cells.get(column.key)))
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
