"""The Incidents table's rows: columns, order and cells of one incident.

Rows are built for every listed alert (10,000 of them on a big night), so
cells that few distinct values fill are cached and shared."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from rich.text import Text

from cockpit.model import Incident, incident_key, severity_rank
from cockpit.untrusted import clean
from cockpit.ui.widgets.badges import demo_badge, severity_badge, status_badge
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
        sort_values={
            "severity": severity_rank(incident.severity), "age": -incident.started_at.timestamp(),
            "service": incident.service, "status": incident.status, "source": incident.source,
        },
        search_text=" ".join((incident.id, incident.title, *incident.labels.values(), *incident.services)),
    )


def _title(title: str, indented: bool) -> Text | str:
    """The title cell; a group's alerts are indented under its header (as a
    Text: a plain string cell is cleaned again when shown, which would strip
    the indent)."""
    title = clean(title, single_line=True)
    return Text("  " + title) if indented else title


class RowOf(NamedTuple):
    incident: Incident
    row: Row
