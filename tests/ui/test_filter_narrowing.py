"""A narrowing filter keystroke drops rows from the table (KeyTable.keep_rows)
instead of clearing it and adding the survivors back: the same table either way."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region

from panels.common import Column, FilterTable, Row
from panels.key_table import KeyTable


class TwoTables(App):
    def compose(self) -> ComposeResult:
        for name in ("kept", "readded"):
            table = KeyTable(id=name, cursor_type="row")
            table.add_columns("Name", "Wide", "Note")
            yield table


def state(table: KeyTable) -> tuple:
    lines = table.render_lines(Region(0, 0, table.size.width, table.size.height))
    return ([(key.value, [c.plain if c is not None else None for c in cells.values()])
             for key, cells in table._data.items()],
            [(row.key.value, row.height) for row in table.ordered_rows],
            {key.value: table._row_locations.get(key) for key in table._row_locations},
            table.cursor_coordinate, table.scroll_offset, table.virtual_size,
            [column.content_width for column in table.ordered_columns], [line.text for line in lines])


async def test_keep_rows_leaves_the_table_as_clear_and_add_do():
    app = TwoTables()
    async with app.run_test(size=(80, 12)) as pilot:
        kept, readded = app.query_one("#kept", KeyTable), app.query_one("#readded", KeyTable)
        cells = {str(n): (Text(f"row {n}"), Text("x" * (n % 7)), Text("wide note" if n == 3 else "n"))
                 for n in range(40)}
        for table in (kept, readded):
            table.add_keyed_rows(cells.items())
            table.move_cursor(row=30)  # scrolled down
        await pilot.pause()
        survivors = [key for key in cells if int(key) % 3 == 0 and key != "3"]  # the widest note goes
        kept.keep_rows(survivors)
        readded.clear()
        readded.add_keyed_rows((key, cells[key]) for key in survivors)
        await pilot.pause()
        assert [row.key.value for row in kept.ordered_rows] == survivors
        assert state(kept) == state(readded)
        kept.move_cursor(row=5)
        readded.move_cursor(row=5)
        await pilot.pause()
        assert state(kept) == state(readded)


def make_rows(names: list[str]) -> list[Row]:
    return [Row(name, (name, str(len(name)))) for name in names]


class FilterApp(App):
    def compose(self) -> ComposeResult:
        yield FilterTable((Column("name", "Name"), Column("n", "N")))


async def test_typing_narrows_from_the_shown_rows_and_widening_starts_over():
    names = ["checkout", "check-in", "chess", "cheap", "api-server", "payments-checkout"]
    app = FilterApp()
    async with app.run_test() as pilot:
        table = app.query_one(FilterTable)
        table.set_rows(make_rows(names))
        cleared: list[int] = []
        clear = table.table.clear
        table.table.clear = lambda *a, **k: (cleared.append(1), clear(*a, **k))[1]
        await pilot.press("slash", *"che")
        assert table.shown_keys == ["checkout", "check-in", "chess", "cheap", "payments-checkout"]
        cleared.clear()
        await pilot.press(*"ck")
        assert table.shown_keys == ["checkout", "check-in", "payments-checkout"]
        assert cleared == []  # narrowing only dropped rows
        await pilot.press("space", "p")  # a new word narrows too
        assert table.shown_keys == ["payments-checkout"]
        assert cleared == []
        await pilot.press("backspace", "backspace", "backspace")  # "chec": wider, from all rows again
        assert table.shown_keys == ["checkout", "check-in", "payments-checkout"]
        assert cleared
        # New rows in between: "check" must be tested against them, not what was shown.
        table.set_rows(make_rows(names + ["checklist"]))
        await pilot.press("k")
        assert table.shown_keys == ["checkout", "check-in", "payments-checkout", "checklist"]
