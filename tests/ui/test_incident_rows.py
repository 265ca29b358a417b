"""The Incidents table's rows kept from one refresh to the next (RowCache):
an unchanged alert keeps its row, only the age moves with the clock, and a
changed alert is always shown as it is now."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from cockpit.model import Incident
from cockpit.panels.incidents.groups import AlertView
from cockpit.panels.incidents.rows import AGE, COLUMNS, RowCache

NOW = datetime(2026, 12, 4, 3, 0, tzinfo=timezone.utc)
TITLE = [c.key for c in COLUMNS].index("title")


def alert(n: int, minutes_ago: int = 5, title: str = "") -> Incident:
    return Incident(f"a{n}", title or f"Alert{n}: disk full", "P2", "firing", "db", NOW - timedelta(minutes=minutes_ago),
                    "am", kind="alert", labels={"alertname": f"Alert{n}", "service": "db"},
                    group=f'{{alertname="Alert{n}"}}')


def titles(rows) -> list[str]:
    return [row.shown_cells[TITLE].plain for row in rows]


def test_the_same_alerts_at_the_same_age_give_back_the_same_rows():
    cache, listed = RowCache(), [alert(n) for n in range(3)]
    first = cache.rows(listed, NOW)
    again = cache.rows(list(listed), NOW + timedelta(seconds=10))  # a new list of the same alerts
    assert [a is b for a, b in zip(first, again)] == [True, True, True]
    assert [row.cells[AGE] for row in again] == ["5m", "5m", "5m"]


def test_only_the_age_of_a_row_moves_with_the_clock():
    cache, listed = RowCache(), [alert(0, minutes_ago=5), alert(1, minutes_ago=30)]
    first = cache.rows(listed, NOW)
    later = cache.rows(listed, NOW + timedelta(minutes=1))
    assert [row.cells[AGE] for row in later] == ["6m", "31m"]
    assert [row.key for row in later] == [row.key for row in first]
    assert later[0].cells[:AGE] == first[0].cells[:AGE] and later[0].cells[AGE + 1:] == first[0].cells[AGE + 1:]
    # and the next refresh starts from the moved ages
    assert cache.rows(listed, NOW + timedelta(minutes=1)) == later


def test_a_changed_alert_is_shown_as_it_is_now_and_the_others_keep_their_rows():
    cache, listed = RowCache(), [alert(n) for n in range(3)]
    first = cache.rows(listed, NOW)
    changed = [listed[0], replace(listed[1], title="Alert1: disk full again"), listed[2]]
    rows = cache.rows(changed, NOW)
    assert titles(rows) == ["Alert0: disk full", "Alert1: disk full again", "Alert2: disk full"]
    assert rows[0] is first[0] and rows[2] is first[2] and rows[1] is not first[1]
    # An equal alert in a new object (a source building its alerts anew) keeps its row.
    rebuilt = [replace(incident) for incident in changed]
    assert [a is b for a, b in zip(cache.rows(rebuilt, NOW), rows)] == [True, True, True]
    # Gone from the list, then back: built again, not taken from an older refresh.
    cache.rows(changed[:1], NOW)
    assert titles(cache.rows(changed, NOW)) == titles(rows)


def test_grouped_rows_follow_the_same_alerts_indented_under_their_headers():
    cache, listed = RowCache(), [alert(0), alert(1)]
    plain = cache.rows(AlertView().arrange(listed), NOW)
    grouped = cache.rows(AlertView().next_grouping().arrange(listed), NOW)
    assert [row.key for row in grouped] == ['group:{alertname="Alert0"}', "am/a0", 'group:{alertname="Alert1"}', "am/a1"]
    assert titles(grouped)[1] == "  Alert0: disk full"
    later = cache.rows(AlertView().next_grouping().arrange(listed), NOW + timedelta(minutes=2))
    assert [later[1].cells[AGE], later[3].cells[AGE]] == ["7m", "7m"]
    assert titles(cache.rows(AlertView().arrange(listed), NOW)) == titles(plain)


def test_a_rows_sort_values_and_search_text_are_the_incidents():
    from cockpit.panels.incidents.rows import incident_row

    row = incident_row(replace(alert(7, minutes_ago=5), labels={"alertname": "Alert7", "team": "storage"}), "5m")
    assert dict(row.sort_values) == {"severity": 2, "age": -(NOW - timedelta(minutes=5)).timestamp(),
                                     "service": "db", "status": "firing", "source": "am"}
    assert row.sort_values.get("owner") is None
    assert row.matches(["storage", "a7"])  # a label value and the id: searched besides the cells
