"""SLO math against numbers worked out by hand (Google SRE workbook, Sloth)."""

import math
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from cockpit.model import SLO, SLOStatus
from cockpit.slo import (
    BURN_WINDOWS,
    DEFAULT_POLICY,
    MULTIWINDOW_RULES,
    Events,
    budget_burned,
    burn_span,
    budget_remaining,
    burn_rate,
    evaluate,
    exhaustion_eta_s,
    firing_rules,
    tier_for,
)

DAY = timedelta(days=1)
SLO_999 = SLO(service="api-server", name="api_availability", objective=0.999, window=30 * DAY)


def steady(errors_per_event: float, total: float) -> dict[str, Events]:
    """The same error ratio in every burn window."""
    return {w: Events(errors=errors_per_event * total, total=total) for w in BURN_WINDOWS}


# -- budget and burn -----------------------------------------------------------

@pytest.mark.parametrize(
    "errors, total, remaining",
    [
        (0, 100_000, 1.0),  # no errors: all budget left
        (30, 100_000, 0.7),  # 0.03% errors of a 0.1% budget: 30% spent
        (50, 100_000, 0.5),
        (100, 100_000, 0.0),  # exactly the budget
        (150, 100_000, -0.5),  # overspent by half: negative, not clamped
    ],
)
def test_budget_remaining_is_event_weighted(errors, total, remaining):
    status = evaluate(SLO_999, Events(errors, total), {})
    assert status.budget_remaining == pytest.approx(remaining)
    assert status.sli_value == pytest.approx(1 - errors / total)
    assert status.data == "ok"


def test_burn_rate_is_error_ratio_over_budget():
    # 1.44% errors against a 0.1% budget burns 14.4x too fast.
    assert burn_rate(0.0144, 0.999) == pytest.approx(14.4)
    assert budget_remaining(0.0005, 0.99) == pytest.approx(0.95)


def test_burn_rates_per_window():
    burns = {"5m": Events(2, 1000), "1h": Events(15, 10_000), "3d": Events(5, 100_000)}
    status = evaluate(SLO_999, Events(10, 100_000), burns)
    assert status.burn_rates["5m"] == pytest.approx(2.0)
    assert status.burn_rates["1h"] == pytest.approx(1.5)
    assert status.burn_rates["3d"] == pytest.approx(0.05)
    assert status.burn_rates["6h"] is None  # not given: unknown, not zero
    assert set(status.burn_rates) == set(BURN_WINDOWS)


# -- multiwindow thresholds ----------------------------------------------------

# Sloth: threshold = budget share * period / long window. Worked by hand:
# 30d = 720h: 0.02*720/1 = 14.4, 0.05*720/6 = 6, 0.1*720/24 = 3, 0.1*720/72 = 1
# 28d = 672h: 13.44, 5.6, 2.8, 0.9333
# 7d  = 168h: 3.36, 1.4, 0.7, 0.2333
@pytest.mark.parametrize(
    "days, expected",
    [
        (30, {"page-1h": 14.4, "page-6h": 6.0, "ticket-1d": 3.0, "ticket-3d": 1.0}),
        (28, {"page-1h": 13.44, "page-6h": 5.6, "ticket-1d": 2.8, "ticket-3d": 0.9333333}),
        (7, {"page-1h": 3.36, "page-6h": 1.4, "ticket-1d": 0.7, "ticket-3d": 0.2333333}),
    ],
)
def test_thresholds_scale_with_the_slo_period(days, expected):
    got = {rule.name: rule.burn_rate_for(timedelta(days=days)) for rule in MULTIWINDOW_RULES}
    assert got == pytest.approx(expected)


def test_rule_windows_are_the_workbooks():
    assert [(r.name, r.long, r.short) for r in MULTIWINDOW_RULES] == [
        ("page-1h", "1h", "5m"), ("page-6h", "6h", "30m"), ("ticket-1d", "1d", "2h"), ("ticket-3d", "3d", "6h")]


def test_a_rule_fires_only_when_both_windows_exceed_it():
    rates = {"5m": 20.0, "1h": 15.0, "30m": 5.0, "6h": 7.0, "2h": 1.0, "1d": 1.0, "3d": 0.5}
    assert firing_rules(rates, 30 * DAY) == ("page-1h",)  # 6h burns at 7 but 30m only at 5
    rates["1h"] = 14.4  # equal is not above
    assert firing_rules(rates, 30 * DAY) == ()


def test_the_same_burn_pages_a_7_day_slo_but_not_a_30_day_one():
    rates = {w: 4.0 for w in BURN_WINDOWS}
    assert firing_rules(rates, 30 * DAY) == ("ticket-1d", "ticket-3d")
    assert firing_rules(rates, 7 * DAY) == ("page-1h", "page-6h", "ticket-1d", "ticket-3d")


def test_unknown_windows_never_fire():
    rates = {w: None for w in BURN_WINDOWS} | {"1h": 50.0}
    assert firing_rules(rates, 30 * DAY) == ()
    rates["5m"] = math.nan
    assert firing_rules(rates, 30 * DAY) == ()


def test_evaluate_reports_page_alert_from_events():
    # 1h: 1.5% errors (burn 15), 5m: 2% (burn 20), others calm.
    burns = steady(0.0002, 10_000) | {"1h": Events(150, 10_000), "5m": Events(20, 1000)}
    status = evaluate(SLO_999, Events(40, 100_000), burns)
    assert status.alerts_firing == ("page-1h",)


# -- exhaustion and tiers ------------------------------------------------------

def test_time_to_exhaustion():
    # Half the budget left, burning twice as fast as sustainable over 30 days:
    # the whole budget would last 15 days, half of it 7.5 days.
    assert exhaustion_eta_s(0.5, 2.0, 30 * DAY) == pytest.approx(7.5 * 86400)
    assert exhaustion_eta_s(0.5, 0.0, 30 * DAY) is None  # not burning
    assert exhaustion_eta_s(-0.1, 3.0, 30 * DAY) == 0.0  # already gone
    assert exhaustion_eta_s(math.nan, 3.0, 30 * DAY) is None


def test_evaluate_uses_the_1h_burn_for_exhaustion():
    status = evaluate(SLO_999, Events(50, 100_000), steady(0.002, 10_000))  # burn 2 everywhere
    assert status.exhaustion_eta_s == pytest.approx(7.5 * 86400)


@pytest.mark.parametrize(
    "remaining, tier",
    [(1.0, "healthy"), (0.76, "healthy"), (0.75, "warning"), (0.51, "warning"), (0.5, "critical"),
     (0.01, "critical"), (0.0, "exhausted"), (-2.0, "exhausted")],
)
def test_policy_tiers_by_budget_consumed(remaining, tier):
    assert tier_for(remaining).name == tier


def test_a_firing_page_rule_is_never_healthy():
    # 4% of the budget consumed (healthy by budget alone), but every window
    # burns at 74x: all four rules fire.
    status = evaluate(SLO_999, Events(4, 100_000), steady(0.074, 10_000))
    assert set(status.alerts_firing) == {"page-1h", "page-6h", "ticket-1d", "ticket-3d"}
    assert status.tier == "warning"
    assert status.tier_actions[0].startswith("Burn: page-1h, page-6h firing")
    assert "Action: Review recent incidents" in status.tier_actions


def test_a_page_rule_does_not_soften_a_worse_budget_tier():
    status = evaluate(SLO_999, Events(70, 100_000), steady(0.074, 10_000))
    assert status.tier == "critical" and "Action: Freeze feature releases" in status.tier_actions


def test_ticket_rules_alone_leave_the_budget_tier():
    # 3x everywhere: above the ticket thresholds (3, 1), below the page ones (14.4, 6).
    status = evaluate(SLO_999, Events(4, 100_000), steady(0.0035, 10_000))
    assert status.alerts_firing == ("ticket-1d", "ticket-3d")
    assert status.tier == "healthy"


def test_tier_actions_come_with_the_status():
    status = evaluate(SLO_999, Events(70, 100_000), {})  # 70% consumed
    assert status.tier == "critical"
    assert "Action: Freeze feature releases" in status.tier_actions


# -- honest numbers ------------------------------------------------------------

@pytest.mark.parametrize(
    "events, data",
    [
        (None, "no_data"),  # empty query result
        (Events(math.nan, 1000), "no_data"),
        (Events(1, math.nan), "no_data"),
        (Events(1, math.inf), "no_data"),
        (Events(0, 0), "insufficient_traffic"),  # the series exists but counted nothing
        (Events(0, 9), "insufficient_traffic"),  # below the default minimum of 10
        (Events(9, 9), "insufficient_traffic"),  # 100% errors of 9 requests: still not a verdict
    ],
)
def test_no_verdict_without_data(events, data):
    status = evaluate(SLO_999, events, steady(0.0, 1000))
    assert status.data == data
    assert status.sli_value is None
    assert status.budget_remaining is None
    assert status.tier == "" and status.tier_actions == ()
    assert status.alerts_firing == ()
    assert status.exhaustion_eta_s is None


def test_min_events_is_a_parameter():
    assert evaluate(SLO_999, Events(0, 5), {}, min_events=5).data == "ok"
    assert evaluate(SLO_999, Events(0, 5), {}, min_events=6).data == "insufficient_traffic"


def test_thin_or_nan_burn_windows_have_no_rate():
    burns = {"5m": Events(1, 3), "1h": Events(math.nan, 1000), "6h": Events(0, 1000)}
    status = evaluate(SLO_999, Events(10, 100_000), burns)
    assert status.burn_rates["5m"] is None  # 3 events: too few to call 33% errors
    assert status.burn_rates["1h"] is None
    assert status.burn_rates["6h"] == 0.0  # real traffic, no errors: a true zero


def test_tier_for_unknown_is_none():
    assert tier_for(None) is None
    assert tier_for(math.nan) is None


def test_default_policy_follows_the_seed():
    assert [t.name for t in DEFAULT_POLICY] == ["healthy", "warning", "critical", "exhausted"]
    assert DEFAULT_POLICY[-1].max_consumed is None


# -- budget burned during an incident --------------------------------------------

HOUR = timedelta(hours=1)
NOON = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


def at(hh: int, mm: int = 0) -> datetime:
    return NOON.replace(hour=hh, minute=mm)


# Budget remaining at 08:00, 09:00, 10:00, 11:00 and 12:00 (the evaluation):
# an outage between 10:00 and 11:00 took 35 % of the budget.
HOURLY = SLOStatus(slo=SLO_999, sli_value=None, budget_remaining=0.60,
                   history=(1.00, 0.98, 0.97, 0.62, 0.60), history_end=NOON, history_step=HOUR)


@pytest.mark.parametrize(
    "start, end, burned",
    [
        (at(10), at(11), 0.97 - 0.62),  # on the points: the drop between them
        (at(10, 20), at(10, 50), 0.97 - 0.62),  # inside one step: widened to 10:00-11:00, not 0.35 x 30/60
        (at(9, 30), at(11, 30), 0.98 - 0.60),  # widened to 09:00-12:00
        (at(9, 30), None, 0.98 - 0.60),  # still open: up to the evaluation
        (at(11), at(12, 10), 0.62 - 0.60),  # resolved after the evaluation: measured up to it
        (at(8), at(12), 1.00 - 0.60),  # the whole history
        (at(12), at(12), 0.0),
    ],
)
def test_budget_burned_is_the_drop_between_the_points_around_the_incident(start, end, burned):
    assert budget_burned(HOURLY, start, end) == pytest.approx(burned)


@pytest.mark.parametrize(
    "start, end",
    [
        (at(7, 59), at(9)),  # began before the history
        (at(12, 30), None),  # began after the evaluation
        (at(11), at(13, 1)),  # resolved more than a step after the evaluation
        (at(11), at(10)),  # ends before it starts
    ],
)
def test_budget_burned_is_none_outside_the_history(start, end):
    assert budget_burned(HOURLY, start, end) is None


def test_budget_burned_needs_a_history_placed_in_time():
    assert budget_burned(replace(HOURLY, history_end=None), at(10), at(11)) is None
    assert budget_burned(replace(HOURLY, history_step=None), at(10), at(11)) is None
    assert budget_burned(replace(HOURLY, history=()), at(10), at(11)) is None


def test_budget_burned_is_negative_when_more_slid_out_of_the_window_than_came_in():
    recovering = replace(HOURLY, history=(0.40, 0.45), history_end=at(9))
    assert budget_burned(recovering, at(8), at(9)) == pytest.approx(-0.05)


def test_a_30_day_history_has_12_hour_steps():
    """A one-hour burst between two points counts whole (interpolating would give a twelfth)."""
    # 0.1 % of the budget every 12 h, then a burst in the last step: 0.942 at midnight, 0.90 at noon.
    points = tuple(1.0 - 0.001 * i for i in range(59)) + (0.90,)
    status = replace(HOURLY, history=points, history_end=NOON, history_step=30 * DAY / 60)
    assert status.history_step == 12 * HOUR
    assert budget_burned(status, NOON - 3 * HOUR, NOON - 2 * HOUR) == pytest.approx(0.942 - 0.90)
    assert burn_span(status, NOON - 3 * HOUR, NOON - 2 * HOUR) == 12 * HOUR  # what that figure covers


def test_evaluate_places_the_history_it_is_given():
    status = evaluate(SLO_999, Events(10, 100_000), steady(0.0001, 100_000), history=(0.95, 0.9),
                      history_end=NOON, history_step=HOUR)
    assert (list(status.history), status.history_end, status.history_step) == ([0.95, 0.9], NOON, HOUR)
    assert budget_burned(status, at(11), at(12)) == pytest.approx(0.05)


# HOURLY with the 10:00 and 11:00 points missing (a gap in the data).
GAPPY = replace(HOURLY, history=(1.00, 0.98, 0.60), history_times=(at(8), at(9), at(12)))


@pytest.mark.parametrize(
    "start, end, burned, span",
    [
        (at(10, 20), at(10, 50), 0.98 - 0.60, 3 * HOUR),  # in the gap: from the point before it to the one after
        (at(8, 30), at(9), 1.00 - 0.98, HOUR),  # before the gap: as if evenly spaced
        (at(9), None, 0.98 - 0.60, 3 * HOUR),  # still open
    ],
)
def test_a_gap_in_the_history_widens_the_interval_to_the_points_around_it(start, end, burned, span):
    assert budget_burned(GAPPY, start, end) == pytest.approx(burned)
    assert burn_span(GAPPY, start, end) == span


def test_history_times_that_do_not_fit_the_history_give_no_figure():
    assert budget_burned(replace(GAPPY, history_times=(at(8), at(12))), at(10), at(11)) is None
    assert budget_burned(replace(GAPPY, history_end=at(11)), at(10), at(11)) is None
    assert budget_burned(GAPPY, at(7), at(9)) is None  # before the first point


def test_evaluate_keeps_history_times():
    times = (at(9), at(12))
    status = evaluate(SLO_999, Events(10, 100_000), steady(0.0001, 100_000), history=(0.95, 0.9),
                      history_end=NOON, history_step=HOUR, history_times=times)
    assert status.history_times == times
    assert burn_span(status, at(10), at(11)) == 3 * HOUR


def test_a_history_is_kept_packed_eight_bytes_a_point():
    import sys

    points = [1.0 - i / 100 for i in range(60)]
    status = evaluate(SLO_999, Events(10, 100_000), steady(0.0001, 100_000), history=points,
                      history_end=NOON, history_step=HOUR)
    assert list(status.history) == points
    # A tuple of 60 floats is 536 bytes and each float 24 more: 1,976 in all.
    assert sys.getsizeof(status.history) <= 60 * 8 + 100
