"""What a table shows: its columns, and rows with a stable key (the cursor
follows its item across refreshes), the cells as drawn and what the filter
searches."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Callable, Generic, Iterable, Mapping, Sequence, TypeVar

from rich.cells import cell_len
from rich.text import Text

from cockpit.model import EMPTY
from cockpit.ui.widgets.text import literal

# The widest a fitted column grows by default: one long value from a source
# (a 5,000-character owner) must not push every other column off screen.
FIT_MAX_WIDTH = 40
TITLE_MAX_WIDTH = 60  # titles (incidents, runbooks, postmortems) get more room


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sortable: bool = False  # rows supply Row.sort_values[key] for it
    width: int | None = None  # None: fit the content; longer cells are cut
    max_width: int = FIT_MAX_WIDTH  # fit the content up to this; longer cells are cut
    # When the table is wider than the screen (80 columns): a column with a
    # min_width gives up room down to it (the title first: it takes what the
    # others leave), and columns with a hide_first above 0 are left out,
    # the highest first, until the rest fits at their minimum widths.
    min_width: int | None = None
    hide_first: int = 0
    takes_the_rest: bool = False  # the title: shrinks first, to what the other columns leave


@dataclass(frozen=True)
class Row:
    key: str  # stable across refreshes: service name, incident id, SLO key ...
    cells: tuple[Text | str, ...]
    sort_values: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    # Matched by the filter besides the cells; or a function giving it, called
    # when the filter first needs it (not for every alert before the first screen).
    search_text: str | Callable[[], str] = ""

    @cached_property
    def haystack(self) -> str:
        """What the filter searches, lower-cased: every cell and search_text.
        Computed once per row: a keystroke tests every row (10,000 alerts)."""
        extra = self.search_text if isinstance(self.search_text, str) else self.search_text()
        return " ".join(plain(c) for c in self.cells).lower() + " " + extra.lower()

    @cached_property
    def widths(self) -> tuple[int, ...]:
        """Each cell's width on screen, measured once per row: a refresh that
        keeps most rows measures only the ones it made anew."""
        return tuple(map(cell_width, self.cells))

    @cached_property
    def shown_cells(self) -> tuple[Text, ...]:
        """The cells as the table draws them (plain strings as literal Text),
        made once per row, when the row is first on screen."""
        return tuple(shown_cell(c) for c in self.cells)

    def matches(self, words: Sequence[str]) -> bool:
        haystack = self.haystack
        return all(word in haystack for word in words)


def plain(cell: Text | str) -> str:
    """A cell's text without its styles."""
    return cell.plain if isinstance(cell, Text) else str(cell)


def cell_width(cell: Text | str) -> int:
    """A one-line cell's width on screen (a plain string as shown: cleaned)."""
    if type(cell) is str and cell.isascii() and cell.isprintable():
        return len(cell)  # most cells: as wide as they are long
    return cell_len(shown_cell(cell).plain)


def shown_cell(value: Text | str) -> Text:
    """A cell as drawn: plain strings are untrusted too, never markup."""
    return value if isinstance(value, Text) else _literal_cell(value)


# Plain cells repeat (10,000 alerts show a few dozen ages): one shared Text
# per string. Nothing mutates cells.
_literal_cell = lru_cache(maxsize=4096)(literal)


Line = TypeVar("Line", bound=tuple)


class RowMemo(Generic[Line]):
    """Rows kept from one refresh to the next. Each row is made from a
    ``Line``: a tuple of plain values (its key first) that is all the row
    shows; while an item's line is unchanged its last Row is given back.
    Making every cell of 6,000 SLOs again on each refresh took ~0.2 s when
    few showed anything new, and the same Row objects let the table skip
    measuring and searching them again."""

    def __init__(self, make: Callable[[Line], Row]) -> None:
        self._make = make
        self._kept: dict[str, tuple[Line, Row]] = {}

    def rows(self, lines: Iterable[Line]) -> list[Row]:
        kept, made, rows = self._kept, {}, []
        for values in lines:
            was = kept.get(values[0])
            row = was[1] if was is not None and was[0] == values else self._make(values)
            made[values[0]] = (values, row)
            rows.append(row)
        self._kept = made
        return rows
