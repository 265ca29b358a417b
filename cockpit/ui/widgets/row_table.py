"""The table inside every FilterTable: rows drawn a screen at a time.

Textual's DataTable copies every row into its own structures and measures
every cell as rows are added: ~0.6 s for 10,000 alerts, again on each
refresh and filter change. RowTable holds the panel's own list of Rows and
draws only the lines on screen (Textual's Line API), so showing, filtering
or re-sorting 10,000 alerts costs about what listing them costs.

Column widths fit every row the table was given by ``fit_columns`` (the
panel's whole list, filtered or not), so columns stay put while a filter is
typed; a column with a set width cuts longer cells with an ellipsis.
"""

from __future__ import annotations

from operator import is_
from typing import Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cockpit.ui.widgets.rows import Column, Row, cell_width

PADDING = 1  # blank cells either side of every cell, as DataTable draws them
SORT_MARKS = {False: " ▲", True: " ▼"}  # after the label of the column the rows are sorted by
_STRIP_CACHE_LIMIT = 512  # lines kept drawn: a few screens' worth


class _RowMessage(Message):
    def __init__(self, table: "RowTable", key: str | None) -> None:
        super().__init__()
        self.table = table
        self.key = key

    @property
    def control(self) -> "RowTable":
        return self.table


class RowTable(ScrollView, can_focus=True):
    """Rows under a header line, a row cursor, zebra stripes; enter or a
    click on the cursor row posts ``RowSelected``, moving the cursor posts
    ``RowHighlighted``, a click on a column's label ``HeaderClicked``. The
    header marks the column the rows are sorted by (``sorted_by``)."""

    help_group = "table"

    COMPONENT_CLASSES = {"row-table--header", "row-table--cursor", "row-table--even-row", "row-table--odd-row"}

    # DataTable's look, so a RowTable reads like every other Textual table.
    DEFAULT_CSS = """
    RowTable {
        background: $surface;
        color: $foreground;
        &:focus {
            background-tint: $foreground 5%;
            & > .row-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .row-table--header { background-tint: $foreground 5%; }
        }
        &:dark > .row-table--even-row { background: $surface-darken-1 40%; }
        & > .row-table--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .row-table--header { background: ansi_bright_blue; color: ansi_default; }
        & > .row-table--even-row { background: $surface-lighten-1 50%; }
        & > .row-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("g", "top", "Top", show=False, id="table.top"),
        Binding("G", "bottom", "Bottom", show=False, id="table.bottom"),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("home", "top", "Top", show=False),
        Binding("end", "bottom", "Bottom", show=False),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("enter", "select", "Open", show=False, id="table.open"),
    ]

    class RowHighlighted(_RowMessage):
        """The cursor moved to the row with ``key`` (None: the table is empty)."""

    class RowSelected(_RowMessage):
        """enter, or a click on the cursor row: the row with ``key``."""

    class HeaderClicked(_RowMessage):
        """A click on the label of the column with ``key``."""

    def __init__(self, columns: Sequence[Column], *, zebra_stripes: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = tuple(columns)
        self.zebra_stripes = zebra_stripes
        self.widths = [self._fixed_or_label_width(column) for column in self.columns]  # as fitted
        self.drawn_widths = list(self.widths)  # as fitted to the screen: 0 = column left out
        self._rows: Sequence[Row] = ()
        self._cursor = 0
        self._highlighted: str | None = None  # the key last posted in RowHighlighted
        self._fitted_to: Sequence[Row] | None = None  # the rows fit_columns last measured
        self._strips: dict[tuple, tuple[Row, Strip]] = {}
        self._base_style = Style.null()  # the widget's rich_style, read once per screen update
        self._sorted_by: tuple[str | None, bool] = (None, False)  # column key, reversed

    # ------------------------------------------------------------ contents

    @property
    def rows(self) -> Sequence[Row]:
        return self._rows

    @property
    def cursor_row(self) -> int:
        """The index of the cursor's row (0 when the table is empty)."""
        return self._cursor

    @property
    def cursor_key(self) -> str | None:
        return self._rows[self._cursor].key if self._rows else None

    def get_row(self, key: str) -> tuple[Text, ...]:
        """The cells of the shown row with ``key`` as drawn (KeyError if not shown)."""
        for row in self._rows:
            if row.key == key:
                return row.shown_cells
        raise KeyError(key)

    @property
    def sorted_by(self) -> tuple[str | None, bool]:
        return self._sorted_by

    @sorted_by.setter
    def sorted_by(self, value: tuple[str | None, bool]) -> None:
        if value != self._sorted_by:
            self._sorted_by = value
            self.refresh_line(0)

    def fit_columns(self, rows: Sequence[Row]) -> None:
        """Size the columns without a set width to the widest cell of ``rows``
        (and the label), up to their max_width; measured again only when
        given another list."""
        before, self._fitted_to = self._fitted_to, rows
        if rows is before or (isinstance(before, Sequence) and len(before) == len(rows)
                              and all(map(is_, rows, before))):
            return  # the same rows (a refresh where nothing changed): the same widths
        widths = [self._fixed_or_label_width(column) for column in self.columns]
        by_column = zip(*(row.widths for row in rows))
        for position, (column, measured) in enumerate(zip(self.columns, by_column)):
            if column.width is None:
                widths[position] = min(max(widths[position], *measured), column.max_width)
        if widths != self.widths:
            self.widths = widths
            self._strips.clear()
            self._resize()

    def show_rows(self, rows: Sequence[Row], cursor: int = 0) -> None:
        """Show ``rows`` (the table keeps the list, it does not copy it) with
        the cursor on row ``cursor`` (clamped). Lines already drawn are kept:
        they are looked up by row and style, so a filter keystroke draws only
        the rows it brings on screen."""
        self._rows = rows
        self._resize()
        self.refresh()
        self.move_cursor(cursor)

    def move_cursor(self, row: int) -> None:
        """Put the cursor on row ``row`` (clamped) and scroll it into view."""
        before = self._cursor
        self._cursor = max(0, min(row, len(self._rows) - 1))
        if self._cursor != before:
            self.refresh_line(before + 1)
            self.refresh_line(self._cursor + 1)
        self._scroll_to_cursor()
        key = self.cursor_key
        if key != self._highlighted:
            self._highlighted = key
            self.post_message(self.RowHighlighted(self, key))

    # -------------------------------------------------------------- actions

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_page_down(self) -> None:
        self.move_cursor(self._cursor + self._page())

    def action_page_up(self) -> None:
        self.move_cursor(self._cursor - self._page())

    def action_top(self) -> None:
        self.move_cursor(0)

    def action_bottom(self) -> None:
        self.move_cursor(len(self._rows) - 1)

    def action_select(self) -> None:
        if self._rows:
            self.post_message(self.RowSelected(self, self._rows[self._cursor].key))

    def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self._column_at(int(self.scroll_x) + offset.x)
            if column is not None:
                self.post_message(self.HeaderClicked(self, column.key))
            return
        row = int(self.scroll_y) + offset.y - 1
        if row >= len(self._rows):
            return
        if row == self._cursor:
            self.action_select()
        else:
            self.move_cursor(row)

    def _column_at(self, x: int) -> Column | None:
        for column, width in self._shown(self.columns):
            x -= width + 2 * PADDING
            if x < 0:
                return column
        return None

    def _page(self) -> int:
        return max(1, self.size.height - 1)

    def _scroll_to_cursor(self) -> None:
        if not self.is_mounted:
            return
        lines = self._page()
        top = int(self.scroll_y)
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False)
        elif self._cursor >= top + lines:
            self.scroll_to(y=self._cursor - lines + 1, animate=False)

    # ------------------------------------------------------------ drawing

    def _resize(self) -> None:
        # Inside the scrollbars: a vertical one takes two cells of the width.
        drawn = fit_to_screen(self.columns, self.widths, self.scrollable_content_region.width)
        if drawn != self.drawn_widths:
            self.drawn_widths = drawn
            self._strips.clear()
        width = sum(w + 2 * PADDING for w in drawn if w)
        self.virtual_size = Size(width, len(self._rows) + 1)  # + the header line

    def on_resize(self) -> None:
        self._resize()

    def _shown(self, values: Sequence) -> list[tuple]:
        """(value, drawn width) for each column not left out."""
        return [(value, width) for value, width in zip(values, self.drawn_widths) if width]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # focus, theme: the component styles changed

    def _on_focus(self, event: events.Focus) -> None:
        self._strips.clear()
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self._strips.clear()
        self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        # The widget's own style walks the DOM each time it is read: once per
        # screen update, not once per line.
        self._base_style = self.rich_style
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        if y == 0:
            style = self.get_component_rich_style("row-table--header")
            strip = self._header(style)
        else:
            index = scroll_y + y - 1
            if index >= len(self._rows):
                return Strip.blank(width, self._base_style)
            style, post = self._row_styles(index)
            strip = self._row(index, style, post)
        return strip.crop_extend(scroll_x, scroll_x + width, style)

    def _header(self, style: Style) -> Strip:
        key = ("header", self.has_focus, self._sorted_by)
        cached = self._strips.get(key)
        if cached is None:
            sort_key, reverse = self._sorted_by
            labels = [Text(column.label + (SORT_MARKS[reverse] if column.key == sort_key else ""))
                      for column in self.columns]
            cached = self._strips[key] = (None, self._draw(labels, style, Style.null()))
        return cached[1]

    def _row(self, index: int, style: Style, post: Style) -> Strip:
        row = self._rows[index]
        key = (id(row), style, post)
        cached = self._strips.get(key)
        if cached is None or cached[0] is not row:
            if len(self._strips) >= _STRIP_CACHE_LIMIT:
                self._strips.clear()
            cached = self._strips[key] = (row, self._draw(row.shown_cells, style, post))
        return cached[1]

    def _row_styles(self, index: int) -> tuple[Style, Style]:
        """The style under a row's cells, and over them (the cursor's colour
        wins over a cell's own foreground, as in DataTable)."""
        if self.zebra_stripes:
            style = self.get_component_rich_style("row-table--odd-row" if index % 2 else "row-table--even-row")
        else:
            style = self._base_style
        if index != self._cursor or not self._rows:
            return style, Style.null()
        cursor = self.get_component_rich_style("row-table--cursor")
        return style + cursor, Style.from_color(color=cursor.color)

    def _draw(self, cells: Sequence[Text], style: Style, post: Style) -> Strip:
        console = self.app.console
        pad = " " * PADDING
        segments: list[Segment] = []
        for cell, width in self._shown(cells):
            if cell_width(cell) > width:
                cell = cell.copy()
                cell.truncate(width, overflow="ellipsis")
            segments.append(Segment(pad))
            if cell.spans:
                segments.extend(cell.render(console))
            else:  # Text.render leaves a Text's own style to its caller when it has no spans
                segments.append(Segment(cell.plain, console.get_style(cell.style, default=None) or None))
            segments.append(Segment(" " * (width - cell_width(cell)) + pad))
        segments = list(Segment.apply_style(segments, style, post))
        return Strip(segments)

    @staticmethod
    def _fixed_or_label_width(column: Column) -> int:
        """A set width, else the label's (with room for the sort mark if sortable)."""
        if column.width is not None:
            return column.width
        return cell_len(column.label) + (cell_len(SORT_MARKS[False]) if column.sortable else 0)


def fit_to_screen(columns: Sequence[Column], widths: Sequence[int], room: int) -> list[int]:
    """The fitted ``widths`` made to fit ``room`` cells (0: not laid out yet,
    nothing changes): columns left out by hide_first (0 width) while the rest
    would not fit even at their minimum widths, then the title, then the other
    columns with a min_width, cut down until it fits."""
    drawn = list(widths)
    if room <= 0:
        return drawn

    def total(sizes: Sequence[int]) -> int:
        return sum(size + 2 * PADDING for size in sizes if size)

    def least(i: int) -> int:
        return min(drawn[i], columns[i].min_width) if columns[i].min_width is not None and drawn[i] else drawn[i]

    for i in sorted((i for i, c in enumerate(columns) if c.hide_first > 0), key=lambda i: -columns[i].hide_first):
        if total([least(j) for j in range(len(drawn))]) <= room:
            break
        drawn[i] = 0
    shrinkable = sorted((i for i, c in enumerate(columns) if c.min_width is not None and drawn[i]),
                        key=lambda i: not columns[i].takes_the_rest)
    for i in shrinkable:
        excess = total(drawn) - room
        if excess <= 0:
            break
        drawn[i] -= min(excess, drawn[i] - least(i))
    return drawn
