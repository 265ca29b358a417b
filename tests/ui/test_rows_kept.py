"""The SLOs and Services tables' rows kept from one refresh to the next
(RowMemo): an item whose row would show the same keeps its Row (the table
then has nothing to measure, search or draw again), and a change that shows
is always shown."""

from __future__ import annotations

from dataclasses import replace

from cockpit.panels.slos import COLUMNS, SloLine, slo_line, slo_row
from cockpit.ui.widgets.rows import RowMemo
from tests.ui.conftest import slo_status

BUDGET = [c.key for c in COLUMNS].index("budget")


def statuses(error_ratio: float = 0.0006):
    return [slo_status("api-server", "availability", error_ratio, {"1h": 0.02}),
            slo_status("auth-service", "availability", 0.0001, {})]


def test_an_slo_showing_the_same_keeps_its_row_and_a_shown_change_makes_a_new_one():
    memo: RowMemo[SloLine] = RowMemo(slo_row)
    first = memo.rows(slo_line(s) for s in statuses())
    # The next refresh: new status objects, a new history, budget moved in
    # the sixth digit: nothing the row shows changed.
    nudged = [replace(s, history=(0.5,), budget_remaining=s.budget_remaining + 1e-6) for s in statuses()]
    again = memo.rows(slo_line(s) for s in nudged)
    assert [a is b for a, b in zip(first, again)] == [True, True]
    # The first SLO's budget moves by a shown tenth of a percent.
    moved = memo.rows(slo_line(s) for s in statuses(0.0007))
    assert moved[0] is not first[0] and moved[1] is first[1]
    assert [first[0].shown_cells[BUDGET].plain, moved[0].shown_cells[BUDGET].plain] == ["40.0%", "30.0%"]
    assert moved[0].sort_values["budget"] == 0.3


def test_an_slo_gone_and_back_is_made_again():
    memo: RowMemo[SloLine] = RowMemo(slo_row)
    first = memo.rows(slo_line(s) for s in statuses())
    memo.rows(slo_line(s) for s in statuses()[1:])
    back = memo.rows(slo_line(s) for s in statuses())
    assert back[0] is not first[0] and back[0].cells == first[0].cells


def test_an_unowned_slo_says_so_and_shares_cells_with_its_neighbours():
    owned, unowned = (slo_row(slo_line(s, owned)) for s, owned in zip(statuses(), (True, False)))
    assert owned.shown_cells[0].plain == "api-server"
    assert unowned.shown_cells[0].plain == "auth-service unowned"
    assert "unowned" in unowned.haystack
    # Rows showing the same tier share its badge (6,000 SLOs, a handful of tiers).
    again = slo_row(slo_line(statuses()[0]))
    tier = [c.key for c in COLUMNS].index("tier")
    assert again.cells[tier] is owned.cells[tier] and again is not owned


def test_a_service_showing_the_same_keeps_its_row_and_a_new_incident_makes_a_new_one():
    from cockpit.model import Incident, Snapshot
    from cockpit.panels.services.rows import service_line, service_row
    from cockpit.service_index import Index
    from tests.ui.conftest import NOW, catalog

    def rows_at(memo, incidents=()):
        index = Index.build(Snapshot(NOW, services=catalog().services, slos=tuple(statuses()), incidents=incidents))
        return memo.rows(service_line(s, index, NOW) for s in index.services.values())

    memo = RowMemo(service_row)
    first, again = rows_at(memo), rows_at(memo)
    assert all(a is b for a, b in zip(first, again)) and len(first) > 1
    page = Incident("INC-9", "API down", "P1", "investigating", "api-server", NOW, "incident-log")
    changed = {row.key: row for row in rows_at(memo, (page,))}
    kept = {row.key: row for row in first}
    assert changed["api-server"] is not kept["api-server"]
    assert changed["api-server"].shown_cells[3].plain == "1 (P1)"
    assert all(changed[key] is kept[key] for key in kept if key != "api-server")
