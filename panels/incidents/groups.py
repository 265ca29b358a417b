"""What the Incidents table shows of the alerts: a state filter (active /
silenced / inhibited), a label matcher filter, and grouping (none,
Alertmanager's own groups, or by one label) drawn as header rows with counts.

Pure arrangement over cockpit.alerts: the panel turns the result into rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Iterable, Sequence

from rich.text import Text

from cockpit.alerts import STATE_ORDER, AlertGroup, Matcher, filter_alerts, format_matchers, group_alerts, \
    parse_matchers
from cockpit.model import Incident
from cockpit.ui.widgets.text import literal
from cockpit.ui.widgets.badges import severity_badge
from cockpit.ui.widgets.rows import Row

STATES = ("all", "active", "silenced", "inhibited")  # the state filter cycles through these
GROUPINGS = ("none", "alertmanager", "label")
GROUP_PREFIX = "group:"  # row keys of group headers (incident keys are "source/id")


@dataclass(frozen=True)
class AlertView:
    state: str = "all"
    matchers: tuple[Matcher, ...] = ()
    grouping: str = "none"
    group_label: str = "service"

    def next_state(self) -> "AlertView":
        return replace(self, state=STATES[(STATES.index(self.state) + 1) % len(STATES)])

    def with_matchers(self, text: str) -> "AlertView":
        """Raises cockpit.alerts.MatcherError on text that does not parse."""
        return replace(self, matchers=parse_matchers(text))

    def next_grouping(self, label: str | None = None) -> "AlertView":
        grouping = GROUPINGS[(GROUPINGS.index(self.grouping) + 1) % len(GROUPINGS)]
        return replace(self, grouping=grouping, group_label=label or self.group_label)

    @property
    def matcher_text(self) -> str:
        return format_matchers(self.matchers) if self.matchers else ""

    def describe(self) -> Text:
        """One line saying what is filtered and how rows are grouped."""
        text = Text("state ", style="dim")
        text.append(self.state, style="bold" if self.state != "all" else "")
        text.append("  labels ", style="dim")
        text.append_text(literal(self.matcher_text, "bold") if self.matchers else Text("any"))
        text.append("  grouped ", style="dim")
        grouping = {"none": "no", "alertmanager": "by Alertmanager groups"}.get(
            self.grouping, f"by {self.group_label}")
        text.append(grouping, style="bold" if self.grouping != "none" else "")
        return text

    def arrange(self, incidents: Iterable[Incident]) -> list[Incident | AlertGroup]:
        """Incidents passing the filters in table order; when grouped,
        incidents that are not alerts first, then the alerts' groups."""
        states = STATE_ORDER if self.state == "all" else (self.state,)
        shown = filter_alerts(incidents, states=states, matchers=self.matchers)
        if self.grouping == "none":
            return list(shown)
        others = [i for i in shown if i.kind != "alert"]
        by = self.group_label if self.grouping == "label" else None
        return [*others, *group_alerts((i for i in shown if i.kind == "alert"), by=by)]


def group_key(group: AlertGroup) -> str:
    return GROUP_PREFIX + group.key


def group_row(group: AlertGroup, members: Sequence[Row]) -> Row:
    """A header row: worst severity, how many alerts in which states, the
    group's labels. It matches the ``/`` filter when any member does, so a
    filtered group keeps its header."""
    counts = ", ".join(f"{n} {state}" for state in STATE_ORDER if (n := group.count(state)))
    title = Text(f"▾ {len(group.alerts)} alert{'s' if len(group.alerts) != 1 else ''} ({counts}) ",
                 style="bold")
    title.append_text(literal(group.key, "bold"))
    sources = sorted({a.source for a in group.alerts})
    service = group.labels.get("service", "")
    return Row(
        key=group_key(group),
        cells=(severity_badge(group.severity), "", literal(service, "bold"), Text("group", style="bold"),
               "", title, literal(", ".join(sources))),
        search_text=" ".join(r.haystack for r in members),
    )


def to_rows(arranged: Sequence[Incident | AlertGroup], make_row: Callable[[Incident, bool], Row]) -> list[Row]:
    """Rows for ``arranged``: a group becomes its header then its alerts
    (``make_row(incident, indented)``)."""
    rows: list[Row] = []
    for item in arranged:
        if isinstance(item, AlertGroup):
            members = [make_row(a, True) for a in item.alerts]
            rows.append(group_row(item, members))
            rows.extend(members)
        else:
            rows.append(make_row(item, False))
    return rows
