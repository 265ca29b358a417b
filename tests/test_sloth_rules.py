"""Sloth recording-rule answers and budget histories placed in time (pure:
the real-Prometheus path is in tests/integration/test_prometheus_source.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from cockpit.sources.prometheus import sloth_rules
from cockpit.sources.prometheus.results import SLOResult, place_history

END = datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc)
STEP = timedelta(hours=12)


def test_parse_history_keeps_each_points_time_and_drops_nan():
    metric = {"sloth_service": "a", "sloth_slo": "x"}
    answer = [{"metric": metric, "values": [[100, "0.9"], [200, "NaN"], [400, "0.6"]]},
              {"metric": {"sloth_service": "a"}, "values": [[100, "0.1"]]}]  # no sloth_slo: not ours
    assert sloth_rules.parse_history(answer) == {("a", "x"): ((100.0, 0.9), (400.0, 0.6))}


def test_a_history_with_nothing_missing_is_evenly_spaced():
    result = SLOResult()
    place_history(result, [None, 0.9, 0.8, 0.7], END, STEP)  # a source that started late: leading gap only
    assert result.history == (0.9, 0.8, 0.7)
    assert (result.history_end, result.history_step, result.history_times) == (END, STEP, ())


def test_a_gap_keeps_each_points_time():
    result = SLOResult()
    place_history(result, [0.9, float("nan"), None, 0.6, None], END, STEP)
    assert result.history == (0.9, 0.6)
    assert result.history_end == END - STEP and result.history_step == STEP  # the last point present
    assert result.history_times == (END - 4 * STEP, END - STEP)


def test_no_points_no_placement():
    result = SLOResult()
    place_history(result, [None, None], END, STEP)
    assert result.history == () and result.history_end is None
