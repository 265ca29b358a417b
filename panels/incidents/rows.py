"""The Incidents table's rows: columns, order and cells of one incident,
and the rows kept from one refresh to the next (RowCache).

Rows are built for every listed alert (10,000 of them on a big night), so
cells that few distinct values fill are cached and shared."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from functools import lru_cache, partial
from operator import is_
from typing import Any, Callable, Iterator, Mapping, NamedTuple, Sequence

from rich.text import Text

from cockpit.alerts import AlertGroup
from cockpit.model import Incident, incident_key, severity_rank
from cockpit.panels.incidents.groups import to_rows
from cockpit.untrusted import clean
from cockpit.ui.widgets.badges import age, demo_badge, severity_badge, status_badge
from cockpit.ui.widgets.text import literal
from cockpit.ui.widgets.rows import TITLE_MAX_WIDTH, Column, Row

# Title near the end: at 80 columns the service and status must stay on
# screen, and the title keeps 27 cells, enough to tell alerts apart (the
# detail view shows it whole); the service column gives up room first.
COLUMNS = (
    Column("severity", "Sev", sortable=True),
    Column("age", "Age", sortable=True),
    Column("service", "Service", sortable=True, min_width=16),
    Column("status", "Status", sortable=True),
    Column("flags", "Flags"),
    Column("title", "Title", max_width=TITLE_MAX_WIDTH, min_width=27, takes_the_rest=True),
    Column("source", "Source", sortable=True, hide_first=1),
)
AGE = 1  # index of the age cell: the one that moves with the clock


def flags(incident: Incident) -> Text:
    return _flags(incident.acknowledged, incident.silenced, incident.demo)


# Cells that few distinct values fill are made once and shared by every row
# showing them (10,000 alerts, a handful of severities, states, services):
# building a Text costs more than the rest of a row. Nothing mutates them.
@lru_cache(maxsize=8)
def _flags(acknowledged: bool, silenced: bool, demo: bool) -> Text:
    text = Text()
    if acknowledged:
        text.append("ack ", style="yellow")
    if silenced:
        text.append("silenced ", style="dim")
    if demo:
        text.append_text(demo_badge())
    return text


_severity_cell = lru_cache(maxsize=64)(severity_badge)
_status_cell = lru_cache(maxsize=64)(status_badge)
_source_cell = lru_cache(maxsize=256)(literal)


@lru_cache(maxsize=1024)
def _service_cell(owner_text: str, owned: bool) -> Text:
    return literal(owner_text, "" if owned else "dim italic")


def incident_row(incident: Incident, when: str, indented: bool = False) -> Row:
    """One incident as a table row; ``when`` is its age as shown."""
    return Row(
        key=incident_key(incident),
        cells=(
            _severity_cell(incident.severity),
            when,
            _service_cell(incident.owner_text, bool(incident.service)),
            _status_cell(incident.status),
            flags(incident),
            _title(incident.title, indented),
            _source_cell(incident.source),
        ),
        sort_values=SortValues(incident),
        search_text=partial(_search_text, incident),
    )


def _search_text(incident: Incident) -> str:
    return " ".join((incident.id, incident.title, *incident.labels.values(), *incident.services))


_SORTS: dict[str, Callable[[Incident], Any]] = {
    "severity": lambda incident: severity_rank(incident.severity),
    "age": lambda incident: -incident.started_at.timestamp(),
    "service": lambda incident: incident.service,
    "status": lambda incident: incident.status,
    "source": lambda incident: incident.source,
}


class SortValues(Mapping):
    """An incident's value in each sortable column, worked out when the table
    is sorted by it (a key press), not for every alert on every refresh."""

    __slots__ = ("_incident",)

    def __init__(self, incident: Incident) -> None:
        self._incident = incident

    def __getitem__(self, key: str) -> Any:
        return _SORTS[key](self._incident)

    def __iter__(self) -> Iterator[str]:
        return iter(_SORTS)

    def __len__(self) -> int:
        return len(_SORTS)


def _title(title: str, indented: bool) -> Text | str:
    """The title cell; a group's alerts are indented under its header (as a
    Text: a plain string cell is cleaned again when shown, which would strip
    the indent)."""
    title = clean(title, single_line=True)
    return Text("  " + title) if indented else title


class RowOf(NamedTuple):
    incident: Incident
    row: Row


class RowCache:
    """Each listed incident's row, reused from the last refresh when it shows
    the same incident (the same object, as the sources and the hub hand an
    unchanged alert on, or an equal one with the same key), with only the
    age cell replaced when the clock moved it: building every cell of
    10,000 alerts again took ~0.5 s. The same list as last time (a refresh
    that changed no alert) is not walked row by row at all: only the ages
    are compared, and the last rows given back (the table then has nothing
    to redo)."""

    def __init__(self) -> None:
        self._rows: dict[tuple[int, bool], RowOf] = {}  # (id(incident), indented): holds the incident, so
        # its id is not reused while kept
        self._by_key: dict[tuple[str, bool], RowOf] | None = None  # the same by incident key, when asked
        self._last: tuple[Sequence, list[str], list[Row]] | None = None  # a plain list: (listed, ages, rows)

    def rows(self, listed: Sequence[Incident | AlertGroup], now: datetime) -> list[Row]:
        """The rows of ``listed`` (view.arrange's result) at ``now``."""
        last = self._last
        if last is not None and len(listed) == len(last[0]) and all(map(is_, listed, last[0])):
            return self._aged(listed, now, *last)
        made: dict[tuple[int, bool], RowOf] = {}
        rows = to_rows(listed, lambda incident, indented: self._row(incident, now, indented, made))
        self._rows, self._by_key = made, None
        plain = not any(isinstance(item, AlertGroup) for item in listed)
        self._last = (listed, [row.cells[AGE] for row in rows], rows) if plain else None
        return rows

    def _aged(self, listed: Sequence[Incident], now: datetime, _, ages: list[str], rows: list[Row]) -> list[Row]:
        """The last rows of the same incidents, each age as of ``now``."""
        now_ages = [age(incident.started_at, now) for incident in listed]
        if now_ages != ages:
            rows = list(rows)
            for index, (incident, when, was) in enumerate(zip(listed, now_ages, ages)):
                if when != was:
                    rows[index] = _with_age(rows[index], when)
                    self._rows[(id(incident), False)] = RowOf(incident, rows[index])
            self._last = (listed, now_ages, rows)
        return rows

    def _row(self, incident: Incident, now: datetime, indented: bool, made: dict[tuple[int, bool], RowOf]) -> Row:
        when = age(incident.started_at, now)
        cached = self._rows.get((id(incident), indented))
        if cached is None or cached.incident is not incident:
            cached = self._equal(incident, indented)
        if cached is None:
            row = incident_row(incident, when, indented)
        elif cached.row.cells[AGE] != when:
            row = _with_age(cached.row, when)
        else:
            row = cached.row
        made[(id(incident), indented)] = RowOf(incident, row)
        return row

    def _equal(self, incident: Incident, indented: bool) -> RowOf | None:
        """The last refresh's row of an incident equal to ``incident`` (another
        object: a source that builds its incidents anew), if any."""
        if not self._rows:
            return None  # the first refresh: nothing kept
        if self._by_key is None:
            self._by_key = {(incident_key(kept.incident), shifted): kept for (_, shifted), kept in self._rows.items()}
        cached = self._by_key.get((incident_key(incident), indented))
        return cached if cached is not None and cached.incident == incident else None


def _with_age(row: Row, when: str) -> Row:
    cells = row.cells
    return replace(row, cells=(*cells[:AGE], when, *cells[AGE + 1:]))
