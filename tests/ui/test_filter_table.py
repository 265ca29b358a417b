"""FilterTable on its own: filtering, keyed in-place refresh, sorting, enter."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable
from textual.widgets.data_table import DuplicateKey

from panels.common import Column, FilterTable, Row
from panels.key_table import KeyTable

COLUMNS = (Column("name", "Name"), Column("team", "Team"), Column("n", "N", sortable=True))


def rows(**changes) -> list[Row]:
    data = {"a": ("api-server", "backend", 3), "b": ("billing-worker", "payments", 1), "c": ("checkout", "payments", 2)}
    data.update(changes)
    return [Row(key, (name, team, str(n)), sort_values={"n": n}) for key, (name, team, n) in data.items()]


class TableApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.chosen: list[str] = []

    def compose(self) -> ComposeResult:
        yield FilterTable(COLUMNS)

    def on_mount(self) -> None:
        self.query_one(FilterTable).set_rows(rows())
        self.query_one(FilterTable).focus()

    def on_filter_table_chosen(self, message: FilterTable.Chosen) -> None:
        self.chosen.append(message.key)


async def test_slash_filters_live_and_esc_clears():
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(FilterTable)
        await pilot.press("slash", *"PAY")
        assert table.shown_keys == ["b", "c"]  # case-insensitive, any cell
        await pilot.press("space", *"check")
        assert table.shown_keys == ["c"]  # every word must match
        await pilot.press("escape")
        assert table.shown_keys == ["a", "b", "c"]
        assert table.filter_text == ""
        assert app.focused is table.table


async def test_refresh_updates_cells_in_place_and_keeps_the_cursor_on_its_key():
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(FilterTable)
        await pilot.press("down", "down")
        assert table.selected_key == "c"
        cleared = []
        original_clear = table.table.clear
        table.table.clear = lambda *a, **k: cleared.append(1) or original_clear(*a, **k)

        table.set_rows(rows(c=("checkout", "payments", 9)))
        await pilot.pause()
        assert cleared == []  # same keys, same order: no rebuild
        assert table.table.get_row("c")[2].plain == "9"
        assert table.selected_key == "c"

        table.set_rows(list(reversed(rows())))
        await pilot.pause()
        assert table.shown_keys == ["c", "b", "a"]
        assert table.selected_key == "c"  # the cursor follows the item, not the row number


async def test_sort_cycles_through_sortable_columns_and_reverses():
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(FilterTable)
        await pilot.press("greater_than_sign")
        assert table.shown_keys == ["b", "c", "a"]  # by N ascending
        await pilot.press("less_than_sign")
        assert table.shown_keys == ["a", "c", "b"]
        await pilot.press("greater_than_sign")  # back to the given order, still reversed
        assert table.shown_keys == ["c", "b", "a"]
        table.sort_by(None)
        assert table.shown_keys == ["a", "b", "c"]


async def test_enter_posts_the_key_of_the_row_under_the_cursor():
    app = TableApp()
    async with app.run_test() as pilot:
        await pilot.press("j", "enter")
        assert app.chosen == ["b"]


async def test_cells_are_never_markup():
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(FilterTable)
        table.set_rows([Row("x", ("[bold]x[/]", Text("ok"), "1"))])
        await pilot.pause()
        assert table.table.get_row("x")[0].plain == "[bold]x[/]"


class TwinTables(App):
    """The FilterTable's KeyTable beside a stock DataTable fed the same cells."""

    def compose(self) -> ComposeResult:
        for table in (KeyTable(id="ours"), DataTable(id="stock")):
            table.add_columns("Name", "Wide", "Note")
            yield table

    def both(self) -> list[DataTable]:
        return [self.query_one("#ours", DataTable), self.query_one("#stock", DataTable)]


def widths(table: DataTable) -> list[int]:
    return [column.content_width for column in table.ordered_columns]


async def test_key_table_measures_columns_as_datatable_does():
    app = TwinTables()
    async with app.run_test() as pilot:
        cells = [
            (Text("api-server"), Text("日本語のサービス"), Text("")),
            (Text("a much longer service name", style="bold"), Text("x"), Text("two\nlines, the longer second")),
            (Text("b"), Text("tab\there"), Text("é")),
        ]
        for table in app.both():
            for index, row in enumerate(cells):
                table.add_row(*row, key=str(index))
        await pilot.pause()
        ours, stock = map(widths, app.both())
        assert ours == stock
        assert ours[0] == len("a much longer service name")

        # Narrowing the widest cell shrinks the column; widening grows it.
        for table in app.both():
            table.update_cell("1", table.ordered_columns[0].key, Text("short"), update_width=True)
            table.update_cell("0", table.ordered_columns[2].key, Text("now the widest note of all"),
                              update_width=True)
        await pilot.pause()
        ours, stock = map(widths, app.both())
        assert ours == stock
        assert ours[0] == len("api-server") and ours[2] == len("now the widest note of all")


class HighlightLog(App):
    """Two KeyTables: one fed row by row (DataTable.add_row), one in bulk."""

    def __init__(self) -> None:
        super().__init__()
        self.highlighted: dict[str, list[str]] = {"single": [], "bulk": []}

    def compose(self) -> ComposeResult:
        for name in self.highlighted:
            table = KeyTable(id=name, cursor_type="row")
            table.add_columns("Name", "Wide", "Note")
            yield table

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.highlighted[event.data_table.id].append(event.row_key.value)


def table_state(table: DataTable) -> tuple:
    return ([(key.value, [cell.plain if cell is not None else None for cell in cells.values()])
             for key, cells in table._data.items()],
            [(row.key.value, row.height, row.label, row.auto_height) for row in table.ordered_rows],
            table.cursor_coordinate, table.virtual_size, widths(table))


async def test_rows_added_in_bulk_leave_the_table_as_add_row_does():
    app = HighlightLog()
    async with app.run_test() as pilot:
        single, bulk = app.query_one("#single", KeyTable), app.query_one("#bulk", KeyTable)
        cells = [(str(n), (Text(f"row {n}"), Text("x" * n), Text("note"))) for n in range(30)]
        cells.append(("short", (Text("fewer cells"),)))  # missing cells are None, as add_row makes them
        for key, row in cells:
            single.add_row(*row, key=key)
        bulk.add_keyed_rows(cells)
        await pilot.pause()
        assert table_state(bulk) == table_state(single)
        assert app.highlighted["bulk"] == app.highlighted["single"] == ["0"]  # the first row, once

        # Appending to a table that has rows, after moving the cursor.
        for table in (single, bulk):
            table.move_cursor(row=5)
        more = [("late", (Text("appended"), Text("y" * 40), Text("")))]
        single.add_row(*more[0][1], key="late")
        bulk.add_keyed_rows(more)
        await pilot.pause()
        assert table_state(bulk) == table_state(single)
        assert single.cursor_row == 5

        with pytest.raises(DuplicateKey):
            bulk.add_keyed_rows([("late", (Text("again"),))])
        with pytest.raises(ValueError):
            bulk.add_keyed_rows([("wide", (Text("1"), Text("2"), Text("3"), Text("4")))])
