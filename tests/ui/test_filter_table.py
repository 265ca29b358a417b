"""FilterTable on its own: filtering, keyed in-place refresh, sorting, enter."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from cockpit.ui.widgets.rows import Column, Row
from cockpit.ui.widgets.filter_table import FilterTable

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


async def test_refresh_shows_new_cells_and_keeps_the_cursor_on_its_key():
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(FilterTable)
        await pilot.press("down", "down")
        assert table.selected_key == "c"

        table.set_rows(rows(c=("checkout", "payments", 9)))
        await pilot.pause()
        assert table.table.get_row("c")[2].plain == "9"
        assert table.table.render_line(3).text.split() == ["checkout", "payments", "9"]
        assert table.selected_key == "c"

        table.set_rows(list(reversed(rows())))
        await pilot.pause()
        assert table.shown_keys == ["c", "b", "a"]
        assert table.selected_key == "c"  # the cursor follows the item, not the row number


async def test_the_same_rows_again_are_left_as_shown_and_a_changed_row_is_shown(monkeypatch):
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(FilterTable)
        shown: list[list[str]] = []
        show = table.table.show_rows
        monkeypatch.setattr(table.table, "show_rows", lambda rows, cursor=0: (shown.append([r.key for r in rows]),
                                                                              show(rows, cursor)))
        same = list(table.table.rows)
        await pilot.press("slash", *"pay")
        assert table.shown_keys == ["b", "c"] and len(shown) == 3
        table.set_rows(same)  # a refresh that changed no row: nothing to filter, sort or draw again
        assert len(shown) == 3 and table.shown_keys == ["b", "c"]
        changed = [*same[:2], Row("c", ("checkout", "payments", "7"), sort_values={"n": 7})]
        table.set_rows(changed)
        await pilot.pause()
        assert len(shown) == 4 and table.table.get_row("c")[2].plain == "7"


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


def make_rows(names: list[str]) -> list[Row]:
    return [Row(name, (name, str(len(name)))) for name in names]


class FilterApp(App):
    def compose(self) -> ComposeResult:
        yield FilterTable((Column("name", "Name"), Column("n", "N")))


async def test_typing_narrows_from_the_shown_rows_and_widening_starts_over(monkeypatch):
    names = ["checkout", "check-in", "chess", "cheap", "api-server", "payments-checkout"]
    tested: list[str] = []
    matches = Row.matches
    monkeypatch.setattr(Row, "matches", lambda row, words: tested.append(row.key) or matches(row, words))
    app = FilterApp()
    async with app.run_test() as pilot:
        table = app.query_one(FilterTable)
        table.set_rows(make_rows(names))
        await pilot.press("slash", *"che")
        assert table.shown_keys == ["checkout", "check-in", "chess", "cheap", "payments-checkout"]
        tested.clear()
        await pilot.press(*"ck")
        assert table.shown_keys == ["checkout", "check-in", "payments-checkout"]
        assert "api-server" not in tested  # narrowing tests only the rows shown
        await pilot.press("space", "p")  # a new word narrows too
        assert table.shown_keys == ["payments-checkout"]
        tested.clear()
        await pilot.press("backspace", "backspace", "backspace")  # "chec": wider, from all rows again
        assert table.shown_keys == ["checkout", "check-in", "payments-checkout"]
        assert "api-server" in tested
        # New rows in between: "check" must be tested against them, not what was shown.
        table.set_rows(make_rows(names + ["checklist"]))
        await pilot.press("k")
        assert table.shown_keys == ["checkout", "check-in", "payments-checkout", "checklist"]


async def test_rows_are_ready_for_search_after_the_first_screen(monkeypatch):
    """Row.haystack is worked out in slices after the rows are drawn, so the
    first filter keystroke over 10,000 rows has nothing left to prepare."""
    app = FilterApp()
    async with app.run_test() as pilot:
        table = app.query_one(FilterTable)
        many = make_rows([f"service-{n}" for n in range(1200)])
        table.set_rows(many)
        assert not any("haystack" in vars(row) for row in many)  # not on the way to the first screen
        for _ in range(20):  # a slice of 500 rows per screen update: three here
            if all("haystack" in vars(row) for row in many):
                break
            await pilot.pause()
        assert all("haystack" in vars(row) for row in many)


async def test_the_header_marks_the_sort_and_a_click_on_a_label_sorts_by_it():
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(FilterTable)
        header = lambda: table.table.render_line(0).text.split()  # noqa: E731
        assert header() == ["Name", "Team", "N"]
        await pilot.press("greater_than_sign")
        assert header() == ["Name", "Team", "N", "▲"]
        await pilot.press("less_than_sign")
        assert header() == ["Name", "Team", "N", "▼"]
        assert table.shown_keys == ["a", "c", "b"]

        table.sort_by(None)
        n_at = table.table.render_line(0).text.index(" N ") + 1
        await pilot.click(FilterTable, offset=(n_at, 0))  # the N label: sortable
        assert table.shown_keys == ["b", "c", "a"] and header()[-1] == "▲"
        await pilot.click(FilterTable, offset=(n_at, 0))  # again: the other way round
        assert table.shown_keys == ["a", "c", "b"] and header()[-1] == "▼"
        await pilot.click(FilterTable, offset=(2, 0))  # Name is not sortable: nothing changes
        assert table.shown_keys == ["a", "c", "b"]
