"""Screens that do not mislead (issue 12): low traffic is not "not being
spent", the budget line is on a fixed scale with its window labelled,
hand-over times beyond today carry the day, ended on-call shifts are stale,
a service nobody is on call for says so, and a source on its first fetch is
loading, not an error."""

from datetime import datetime, timedelta, timezone

from cockpit.model import SLO, EscalationStep, Incident, OnCall, Service, SourceHealth, Snapshot
from cockpit.panels.incidents.detail import incident_detail
from cockpit.panels.overview import source_lines
from cockpit.panels.services import card_summary, service_line, service_row
from cockpit.panels.slos import summary
from cockpit.service_index import Index
from cockpit.slo import BURN_WINDOWS, Events, evaluate
from cockpit.ui.widgets.badges import clock_time, tier_badge
from cockpit.ui.widgets.budget_line import budget_line

NOW = datetime(2026, 6, 3, 14, 0, tzinfo=timezone.utc)  # a Wednesday
SLO_999 = SLO(service="api", name="availability", objective=0.999, window=timedelta(days=30))
API = Service("api", "backend", primary_contact="@lead", on_call=True,
              escalation_path=(EscalationStep(1, "@first", timedelta(0)),))


def test_a_quiet_last_hour_is_not_a_budget_not_being_spent():
    # Plenty of traffic over the window, but 3 requests in the last hour: no 1h rate.
    burns = {w: Events(0, 1000) for w in BURN_WINDOWS} | {"1h": Events(0, 3), "5m": Events(0, 0)}
    text = summary(evaluate(SLO_999, Events(10, 100_000), burns)).plain
    assert "not being spent" not in text
    assert "1h burn unknown: too little traffic in the last hour" in text


def test_a_calm_hour_is_still_not_being_spent():
    burns = {w: Events(0, 1000) for w in BURN_WINDOWS}
    assert "not being spent at the 1h rate" in summary(evaluate(SLO_999, Events(10, 100_000), burns)).plain


def test_the_budget_line_is_on_a_fixed_scale():
    # A flat full budget is full bars, not the floor a min-max scale draws.
    assert budget_line([1.0] * 10, (), 80).plain.splitlines()[0] == "█" * 10
    # 93.7 % is in the top eighth, half is half, overspent is the floor.
    assert budget_line([0.937, 0.5, 0.0, -0.3], (), 80).plain.splitlines()[0] == "█▅▁▁"


def test_the_budget_line_labels_the_window_start_and_end():
    times = [NOW - timedelta(hours=12) * (59 - i) for i in range(60)]
    bars, labels = budget_line([0.9] * 60, times, 78).plain.splitlines()
    assert labels.startswith("05-05 02:00") and labels.endswith("06-03 14:00")
    assert len(labels) == len(bars) == 60


def test_the_budget_line_keeps_the_worst_point_when_narrowed():
    bars = budget_line([1.0] * 30 + [0.05] + [1.0] * 29, (), 20).plain.splitlines()[0]
    assert len(bars) == 20 and "▁" in bars


def test_tiers_in_tables_are_short_words():
    assert [tier_badge(t, short=True).plain for t in ("healthy", "warning", "critical", "exhausted", "")] \
        == ["ok", "warn", "crit", "out", "—"]


def test_times_beyond_today_carry_the_day():
    assert clock_time(NOW.replace(hour=18), NOW) == "18:00 UTC"
    assert clock_time(datetime(2026, 6, 8, 9, 0, tzinfo=timezone.utc), NOW) == "Mon 2026-06-08 09:00 UTC"


def _index(*oncall: OnCall, service: Service = API) -> Index:
    return Index.build(Snapshot(taken_at=NOW, services=(service,), oncall=oncall))


def test_a_shift_that_ended_is_stale_not_on_call_now():
    index = _index(OnCall("api", "api policy", 1, "@old", until=datetime(2015, 3, 1, 9, tzinfo=timezone.utc)))
    card = card_summary(API, index, NOW).plain
    assert "@old  stale: the on-call source's last shift ended Sun 2015-03-01 09:00 UTC" in card
    assert "stale" in service_row(service_line(API, index, NOW)).cells[2].plain


def test_a_current_shift_is_on_call_now():
    index = _index(OnCall("api", "api policy", 1, "@now", until=NOW + timedelta(days=5)))
    assert "On call now      @now\n" in card_summary(API, index, NOW).plain


def test_a_service_with_on_call_false_says_nobody_is():
    batch = Service("batch", "data", primary_contact="@lead", on_call=False,
                    escalation_path=(EscalationStep(1, "@first", timedelta(0)),))
    index = _index(service=batch)
    assert "nobody: not on call (on_call: false in the catalog)" in card_summary(batch, index, NOW).plain
    assert service_row(service_line(batch, index, NOW)).cells[2].plain == "not on call"
    incident = Incident("A1", "batch failed", "P3", "firing", "batch", NOW, "am", kind="alert")
    assert "on call: nobody (on_call: false in the catalog)" in incident_detail(incident, index, NOW).plain


def test_the_incident_detail_gives_the_day_of_a_hand_over_beyond_today():
    index = _index(OnCall("api", "api rotation", 1, "@alice", until=datetime(2026, 6, 8, 9, tzinfo=timezone.utc)))
    incident = Incident("A1", "api down", "P1", "firing", "api", NOW, "am", kind="alert")
    assert "L1 @alice until Mon 2026-06-08 09:00 UTC (api rotation)" in incident_detail(incident, index, NOW).plain


def test_a_source_on_its_first_fetch_is_loading_not_an_error():
    text = source_lines((SourceHealth("prom", "prometheus", "loading", error="not fetched yet"),), NOW)
    assert text.plain.startswith("loading prom")
    assert "not fetched yet" not in text.plain and "error" not in text.plain
    assert "first fetch under way" in text.plain
