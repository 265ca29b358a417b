"""RowTable: the table inside every FilterTable, drawn a screen at a time."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from cockpit.ui.widgets.rows import Column, Row
from cockpit.ui.widgets.row_table import RowTable

COLUMNS = (Column("name", "Name"), Column("note", "Note", max_width=12), Column("code", "Code", width=4))


def make_rows(count: int) -> list[Row]:
    return [Row(str(n), (f"row-{n}", "x" * (n % 7), str(n))) for n in range(count)]


class TableApp(App):
    def __init__(self, rows: list[Row]) -> None:
        super().__init__()
        self.rows = rows
        self.events: list[tuple[str, str | None]] = []

    def compose(self) -> ComposeResult:
        yield RowTable(COLUMNS)

    def on_mount(self) -> None:
        table = self.query_one(RowTable)
        table.fit_columns(self.rows)
        table.show_rows(self.rows)
        table.focus()

    def on_row_table_row_highlighted(self, event: RowTable.RowHighlighted) -> None:
        self.events.append(("highlighted", event.key))

    def on_row_table_row_selected(self, event: RowTable.RowSelected) -> None:
        self.events.append(("selected", event.key))


def screen_lines(table: RowTable) -> list[str]:
    return [table.render_line(y).text.rstrip() for y in range(table.size.height)]


async def test_columns_fit_every_row_given_not_only_those_shown():
    rows = [Row("a", ("api", "", "1")), Row("b", ("日本語のサービス", "a note far too long to fit", "123456")),
            Row("c", (Text("bold", style="bold"), "ok", ""))]
    app = TableApp(rows)
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.query_one(RowTable)
        # Name fits the widest cell (CJK: two cells a character); Note stops at
        # its max_width; Code has a set width; each is at least its label.
        assert table.widths == [16, 12, 4]
        table.show_rows(rows[:1])  # a filter leaves one row: the columns stay put
        await pilot.pause()
        assert table.widths == [16, 12, 4]
        table.show_rows(rows)
        await pilot.pause()
        lines = screen_lines(table)
        assert lines[0].split() == ["Name", "Note", "Code"]
        assert lines[2] == " 日本語のサービス  a note far …  123…"  # cut cells end in an ellipsis


async def test_only_the_lines_on_screen_are_drawn(monkeypatch):
    drawn: list[int] = []
    draw = RowTable._draw
    monkeypatch.setattr(RowTable, "_draw", lambda table, cells, *rest: drawn.append(1) or draw(table, cells, *rest))
    app = TableApp(make_rows(10_000))
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert 0 < len(drawn) <= 20  # the header and the rows that fit, not 10,000
        drawn.clear()
        await pilot.press("G")
        await pilot.pause()
        assert 0 < len(drawn) <= 20


async def test_cursor_keys_move_and_scroll_to_keep_the_cursor_on_screen():
    app = TableApp(make_rows(100))
    async with app.run_test(size=(40, 11)) as pilot:  # a header and 10 rows
        table = app.query_one(RowTable)
        await pilot.press("j", "j")
        assert table.cursor_key == "2"
        await pilot.press("pagedown")
        assert table.cursor_key == "12"
        assert screen_lines(table)[-1].split()[0] == "row-12"  # scrolled so the cursor is the last line
        await pilot.press("G")
        assert table.cursor_key == "99"
        assert screen_lines(table)[-1].split()[0] == "row-99"
        await pilot.press("pageup", "k")
        assert table.cursor_key == "88"
        await pilot.press("g")
        assert table.cursor_key == "0"
        assert screen_lines(table)[1].split()[0] == "row-0"
        await pilot.press("up")  # already at the top: stays
        assert table.cursor_key == "0"


async def test_highlight_is_posted_when_the_cursor_changes_rows_and_enter_selects():
    app = TableApp(make_rows(5))
    async with app.run_test() as pilot:
        table = app.query_one(RowTable)
        await pilot.press("down", "enter")
        table.show_rows(make_rows(5), cursor=1)  # same row under the cursor: no new highlight
        await pilot.pause()
        assert app.events == [("highlighted", "0"), ("highlighted", "1"), ("selected", "1")]


async def test_a_click_moves_the_cursor_and_a_click_on_the_cursor_row_selects():
    app = TableApp(make_rows(5))
    async with app.run_test() as pilot:
        table = app.query_one(RowTable)
        await pilot.click(RowTable, offset=(3, 3))  # line 3: the header, row 0, row 1, row 2
        assert table.cursor_key == "2"
        assert ("selected", "2") not in app.events
        await pilot.click(RowTable, offset=(3, 3))
        assert app.events[-1] == ("selected", "2")
        await pilot.click(RowTable, offset=(3, 0))  # the header selects nothing
        assert table.cursor_key == "2" and app.events[-1] == ("selected", "2")


async def test_cells_are_shown_as_text_never_as_markup_or_escapes():
    rows = [Row("x", ("[bold]x[/]", "\x1b[31mred\x1b[0m", "1"))]
    app = TableApp(rows)
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        table = app.query_one(RowTable)
        assert screen_lines(table)[1].split() == ["[bold]x[/]", "red", "1"]
        assert table.get_row("x")[0].plain == "[bold]x[/]"


async def test_only_rows_made_anew_are_measured_again(monkeypatch):
    from cockpit.ui.widgets import rows as rows_module

    measured: list[object] = []
    width = rows_module.cell_width
    monkeypatch.setattr(rows_module, "cell_width", lambda cell: measured.append(cell) or width(cell))
    rows = make_rows(50)
    app = TableApp(rows)
    async with app.run_test() as pilot:
        table = app.query_one(RowTable)
        measured.clear()
        table.fit_columns(list(rows))  # a refresh where nothing changed: the same Row objects
        assert measured == []
        rows[7] = Row("7", ("a much longer name than before", "", "7"))
        table.fit_columns(list(rows))
        await pilot.pause()
        assert measured == ["a much longer name than before", "", "7"]  # that row's cells only
        assert table.widths[0] == len("a much longer name than before")


async def test_a_shorter_list_is_shown_from_its_top_even_when_scrolled_far_down():
    rows = make_rows(10_000)
    app = TableApp(rows)
    async with app.run_test(size=(40, 11)) as pilot:
        table = app.query_one(RowTable)
        await pilot.press("G")
        assert screen_lines(table)[-1].split()[0] == "row-9999"
        table.show_rows(rows[:3], cursor=9999)  # a filter leaves three rows
        await pilot.pause()
        assert table.cursor_key == "2"
        assert [line.split()[0] for line in screen_lines(table)[1:4]] == ["row-0", "row-1", "row-2"]


def test_a_table_wider_than_the_screen_hides_then_cuts_down_to_fit():
    from cockpit.ui.widgets.row_table import fit_to_screen

    columns = (Column("sev", "Sev"), Column("service", "Service", min_width=14),
               Column("title", "Title", min_width=20, takes_the_rest=True), Column("source", "Source", hide_first=1))
    fitted = [3, 36, 60, 12]
    assert fit_to_screen(columns, fitted, 200) == fitted  # room enough: as fitted
    assert fit_to_screen(columns, fitted, 0) == fitted  # not laid out yet
    # 80 cells: the title takes what the others leave; Source stays (all fits at the minimum widths).
    assert fit_to_screen(columns, fitted, 80) == [3, 36, 21, 12]
    # Narrower: the title stops at its minimum, then the service gives up room.
    assert fit_to_screen(columns, fitted, 60) == [3, 17, 20, 12]
    # Too narrow for every column at its minimum: Source is left out first.
    assert fit_to_screen(columns, fitted, 45) == [3, 16, 20, 0]
    # Narrower than what must stay: nothing below its minimum (the table scrolls).
    assert fit_to_screen(columns, fitted, 30) == [3, 14, 20, 0]
