"""OpenSLO v1 / v1alpha: OpenSLO's own public examples, the mapping to
cockpit SLOs and PromQL, calendar periods, and every Problem."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cockpit.calendar_windows import elapsed, period_start
from cockpit.model import CalendarWindow
from cockpit.promql import group_slos
from cockpit.slo_specs import load_slo_paths
from cockpit.slo_specs.openslo_promql import Indicator, Objective, increase_selectors, templates
from cockpit.sources.prometheus.results import period_begins, period_events, rolling_events
from tests.slo_files import load, messages

FIXTURES = Path(__file__).parent / "fixtures" / "realworld" / "openslo"
ANY = "metric source 'Any' cannot be queried"
# Per fixture: the SLO keys it loads and the start of each problem it
# reports (after FILE:LINE: key: ) - only non-Prometheus metric sources.
EXPECTED = {
    "README/alertcondition.yaml": ([], []),
    "README/alertnotificationtarget-email.yaml": ([], []),
    "README/alertnotificationtarget-slack.yaml": ([], []),
    "README/alertpolicy-condition-inline.yaml": ([], []),
    "README/alertpolicy-condition-ref.yaml": ([], []),
    "README/datasource-cloudwatch.yaml": ([], []),
    "README/slo-inline-sli.yaml": ([], ["metric source 'Datadog'"] * 2),
    "examples/budgeting-method/occurences-slo.yaml": ([], [ANY]),
    "examples/budgeting-method/ratio-timeslices.yaml": ([], [ANY] * 2),
    "examples/budgeting-method/timeslices-slo.yaml": ([], [ANY] * 2),
    "examples/treat-low-traffic-as-equally-important/timeslices-slo.yaml": ([], [ANY] * 2),
    "pkg/openslo/v1/examples/alert_policies.yaml": ([], []),
    "pkg/openslo/v1/examples/data_sources.yaml": ([], []),
    "pkg/openslo/v1/examples/services.yaml": ([], []),
    "pkg/openslo/v1/examples/slis.yaml": ([], []),
    "pkg/openslo/v1/examples/slos.yaml": (["web/web-availability"], []),
    "pkg/openslo/v1alpha/examples/services.yaml": ([], []),
    "pkg/openslo/v1alpha/examples/slos.yaml": (["web/web-latency-threshold-0"], ["metric source 'datadog'"] * 2),
    "pkg/openslo/v1alpha/examples/slos.yml": (["web/web-availability-0"], []),
    "pkg/openslosdk/test_data/decode/two_documents.yaml": ([], []),
    "pkg/openslosdk/test_data/decode/v1_slos.yaml": (["foo/foo-slo"], []),
}


def test_every_fixture_is_covered():
    found = sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*") if p.suffix in (".yaml", ".yml"))
    assert found == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_public_example_loads_or_is_refused_for_its_metric_source(name):
    specs = load_slo_paths([FIXTURES / name])
    keys, problems = EXPECTED[name]
    assert sorted(s.key for s in specs.slos) == keys
    found = messages(specs)
    assert len(found) == len(problems), found
    for message, start in zip(found, problems):
        where, _, text = message.partition(": ")
        assert where.startswith(f"{FIXTURES / name}:") and int(where.rsplit(":", 1)[1]) > 0
        assert text.split(": ", 1)[1].startswith(start), message


def test_the_v1_example_timeslices_on_a_calendar_week():
    slo, = load_slo_paths([FIXTURES / "pkg/openslo/v1/examples/slos.yaml"]).slos
    assert (slo.objective, slo.window, slo.time_slice) == (0.995, timedelta(days=7), timedelta(minutes=1))
    assert slo.calendar == CalendarWindow(datetime(2022, 1, 1, 12), "America/New_York", 1, "w")
    assert slo.target_text == "99.5% of 1m slices ≥ 95%" and slo.description == "X% of search requests are successful"
    # Raw counters: each selector's increase per slice; a slice is bad below 95 %; 1 s off the range's edges.
    good = 'sum(sum(increase(http_requests{k8s_cluster="prod",component="web",code=~"2xx|4xx"}[1m])))'
    total = '(sum(sum(increase(http_requests{k8s_cluster="prod",component="web"}[1m]))) > 0)'
    assert slo.error_query == f"sum_over_time((({good} / {total}) < bool 0.95)[{{{{.window}}}}:1m] offset 1s)"
    assert slo.total_query == f"count_over_time(({good} / {total})[{{{{.window}}}}:1m] offset 1s)"


def test_a_v1alpha_threshold_metric_counts_samples_failing_the_objective():
    slo, = load_slo_paths([FIXTURES / "pkg/openslo/v1alpha/examples/slos.yaml"]).slos
    query = 'api_server_requestMsec{host="*",job="nginx"}'
    # op gt 200: good above 200, so a sample at or below it is an error.
    assert slo.error_query == f"sum_over_time((({query}) <= bool 200.0)[{{{{.window}}}}:1m] offset 1s)"
    assert slo.total_query == f"count_over_time(({query})[{{{{.window}}}}:1m] offset 1s)"
    assert slo.target_text == "98% gt 200" and slo.calendar.unit == "w" and slo.time_slice is None


def test_occurrences_with_raw_counters_count_increases():
    slo, = load_slo_paths([FIXTURES / "pkg/openslosdk/test_data/decode/v1_slos.yaml"]).slos
    assert slo.total_query == "sum(increase(http_requests_total{}[{{.window}}]))"
    assert slo.error_query == ("(sum(increase(http_requests_total{}[{{.window}}]))) - "
                               '(sum(increase(http_requests_total{status_code="200"}[{{.window}}])))')
    assert slo.window == timedelta(days=30) and slo.calendar is None


def test_referenced_sli_data_source_and_service_across_files(tmp_path):
    (tmp_path / "a.yaml").write_text("""\
apiVersion: openslo/v1
kind: SLO
metadata: {name: checkout}
spec:
  service: shop
  indicatorRef: checkout-errors
  timeWindow: [{duration: 4w, isRolling: true}]
  budgetingMethod: RatioTimeslices
  objectives:
    - {displayName: fast, targetPercent: 99.5, timeSliceWindow: 5}
    - {displayName: strict, target: 0.999, timeSliceWindow: 1h}
""")
    (tmp_path / "b.yaml").write_text("""\
apiVersion: openslo/v1
kind: SLI
metadata: {name: checkout-errors}
spec:
  ratioMetric:
    bad: {metricSource: {metricSourceRef: prom, spec: {query: 'sum(rate(errors{service="shop"}[{{.window}}]))'}}}
    total: {metricSource: {metricSourceRef: prom, spec: {query: 'sum(rate(requests{service="shop"}[{{.window}}]))'}}}
---
apiVersion: openslo/v1
kind: DataSource
metadata: {name: prom}
spec: {type: Prometheus, connectionDetails: {url: http://prometheus:9090}}
---
apiVersion: openslo/v1
kind: Service
metadata: {name: shop}
spec: {description: The web shop}
""")
    specs = load_slo_paths([tmp_path])
    assert messages(specs) == []
    fast, strict = sorted(specs.slos, key=lambda s: s.name)
    assert (fast.name, fast.objective, fast.time_slice) == ("checkout-0", 0.995, timedelta(minutes=5))
    assert (strict.name, strict.time_slice, strict.sli) == ("checkout-1", timedelta(hours=1), "strict")
    assert fast.window == timedelta(days=28) and fast.service_description == "The web shop"
    assert fast.target_text == "99.5% averaged over 5m slices"
    slice_ratio = ('1 - sum(sum(rate(errors{service="shop"}[5m]))) / '
                   '(sum(sum(rate(requests{service="shop"}[5m]))) > 0)')
    assert fast.error_query == f"sum_over_time((1 - ({slice_ratio}))[{{{{.window}}}}:5m] offset 1s)"
    assert fast.origin.startswith(f"{tmp_path / 'a.yaml'}:10")


def test_raw_ratio_and_gauge_queries(tmp_path):
    specs = load(tmp_path, """\
        - apiVersion: openslo/v1
          kind: SLO
          metadata: {name: wifi}
          spec:
            service: home
            indicator:
              spec:
                ratioMetric:
                  rawType: failure
                  raw: {metricSource: {type: prometheus, spec: {query: 'avg(wifi_errors{service="home"})'}}}
            objectives: [{target: 0.99}]
        - apiVersion: openslo/v1
          kind: SLO
          metadata: {name: jobs}
          spec:
            service: home
            indicator:
              spec:
                ratioMetric:
                  counter: false
                  good: {metricSource: {type: Prometheus, spec: {promql: 'jobs_ok{service="home"}'}}}
                  total: {metricSource: {type: Prometheus, spec: {promql: 'jobs{service="home"}'}}}
            objectives: [{target: 0.9}]
        """)
    assert messages(specs) == []
    slos = {s.name: s for s in specs.slos}
    assert slos["wifi"].error_ratio_query == 'avg(wifi_errors{service="home"})'
    assert slos["jobs"].total_query == 'sum(sum_over_time((jobs{service="home"})[{{.window}}:1m]))'


def test_timeslice_slos_of_many_services_share_their_queries(tmp_path):
    docs = "".join(f"""\
- apiVersion: openslo/v1
  kind: SLO
  metadata: {{name: slices}}
  spec:
    service: svc-{i}
    indicator: {{spec: {{ratioMetric: {{counter: true,
      good: {{metricSource: {{type: Prometheus, spec: {{query: 'sum(req{{service="svc-{i}",code="200"}})'}}}}}},
      total: {{metricSource: {{type: Prometheus, spec: {{query: 'sum(req{{service="svc-{i}"}})'}}}}}}}}}}}}
    budgetingMethod: Timeslices
    objectives: [{{target: 0.99, timeSliceTarget: 0.9, timeSliceWindow: 10m}}]
""" for i in range(5))
    specs = load(tmp_path, docs)
    assert messages(specs) == [] and len(specs.slos) == 5
    group, = group_slos(specs.slos)
    assert group.label == "service" and len(group.members) == 5


def test_raw_counter_selectors_are_wrapped_in_increase():
    assert increase_selectors('sum by (code) (a{x="1"}) / ignoring(code) b + job:c:sum') == \
        'sum by (code) (increase(a{x="1"}[{{.window}}])) / ignoring(code) increase(b[{{.window}}]) + ' \
        'increase(job:c:sum[{{.window}}])'


# -- calendar periods ---------------------------------------------------------------

UTC = timezone.utc


def test_a_weekly_period_keeps_its_wall_clock_start_across_daylight_saving():
    window = CalendarWindow(datetime(2022, 1, 1, 12), "America/New_York", 1, "w")  # a Saturday, noon
    # Saturday 2026-07-04 noon in New York is 16:00 UTC (EDT); in winter 17:00 UTC (EST).
    assert period_start(window, datetime(2026, 7, 6, 9, tzinfo=UTC)) == datetime(2026, 7, 4, 16, tzinfo=UTC)
    assert period_start(window, datetime(2026, 12, 2, 9, tzinfo=UTC)) == datetime(2026, 11, 28, 17, tzinfo=UTC)
    assert elapsed(window, datetime(2026, 11, 28, 18, tzinfo=UTC)) == timedelta(hours=1)


def test_monthly_and_quarterly_periods_follow_the_calendar():
    month = CalendarWindow(datetime(2024, 1, 31), "UTC", 1, "M")
    assert period_start(month, datetime(2024, 3, 10, tzinfo=UTC)) == datetime(2024, 2, 29, tzinfo=UTC)
    quarter = CalendarWindow(datetime(2020, 1, 1), "Europe/Berlin", 1, "Q")
    assert period_start(quarter, datetime(2026, 5, 20, tzinfo=UTC)) == datetime(2026, 3, 31, 22, tzinfo=UTC)
    # A start in the future: the periods run backwards from it too.
    year = CalendarWindow(datetime(2030, 1, 1), "UTC", 1, "Y")
    assert period_start(year, datetime(2026, 6, 1, tzinfo=UTC)) == datetime(2026, 1, 1, tzinfo=UTC)


# -- problems -----------------------------------------------------------------------

HEAD = "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec:\n  service: a\n"
PROM = "{metricSource: {type: Prometheus, spec: {query: q}}}"
RATIO = f"  indicator: {{spec: {{ratioMetric: {{counter: true, good: {PROM}, total: {PROM}}}}}}}\n"


@pytest.mark.parametrize("text, expected", [
    ("apiVersion: openslo/v2alpha\nkind: SLO\n", ":1: apiVersion: unsupported apiVersion 'openslo/v2alpha'"),
    ("apiVersion: openslo/v1\nkind: Budget\n", ":2: kind: unknown OpenSLO kind 'Budget'"),
    ("apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: d}\nspec: {}\n", ":4: spec.type: missing"),
    ("apiVersion: openslo/v1\nkind: SLI\nmetadata: {}\nspec: {}\n", ":3: metadata.name: missing"),
    (HEAD + RATIO + "  budgetingMethod: Weekly\n  objectives: [{target: 0.9}]\n",
     ":7: spec.budgetingMethod: unknown budgetingMethod 'Weekly'"),
    (HEAD + RATIO, ":5: spec.objectives: expected a list of objectives"),
    (HEAD + RATIO + "  objectives: [fast]\n", ":7: spec.objectives[0]: expected a mapping"),
    (HEAD + "  objectives: [{target: 0.9}]\n", ":6: spec.objectives[0]: no indicator"),
    (HEAD + RATIO + "  objectives: [{target: high}]\n", ":7: spec.objectives[0].target: expected target as a ratio"),
    (HEAD + RATIO + "  objectives: [{target: 1.5}]\n", ":7: spec.objectives[0]: objective 150% must be between"),
    (HEAD + f"  indicator: {{spec: {{thresholdMetric: {PROM}}}}}\n  objectives: [{{target: 0.9, value: 1}}]\n",
     ":7: spec.objectives[0].op: a threshold metric needs op"),
    (HEAD + f"  indicator: {{spec: {{thresholdMetric: {PROM}}}}}\n  objectives: [{{target: 0.9, op: lt}}]\n",
     ":7: spec.objectives[0].value: a threshold metric needs a numeric value"),
    (HEAD + RATIO + "  budgetingMethod: Timeslices\n  objectives: [{target: 0.9}]\n",
     ":8: spec.objectives[0].timeSliceTarget: Timeslices needs timeSliceTarget"),
    (HEAD + RATIO + "  budgetingMethod: Timeslices\n  objectives: [{target: 0.9, timeSliceTarget: 0.9, "
     "timeSliceWindow: soon}]\n", ":8: spec.objectives[0].timeSliceWindow: expected a duration"),
    (HEAD + RATIO + "  budgetingMethod: RatioTimeslices\n  objectives: [{target: 0.9, timeSliceWindow: 1M}]\n",
     ":8: spec.objectives[0].timeSliceWindow: a time slice must be"),
    (HEAD + "  indicator: {spec: {ratioMetric: {counter: true, good: {metricSource: {type: Prometheus, "
     "spec: {query: 'x[5m]'}}}, total: " + PROM + "}}}\n  objectives: [{target: 0.9}]\n",
     ":7: spec.objectives[0]: cannot build the PromQL for this SLI: a raw counter's query"),
    (HEAD + RATIO + "  timeWindow: [{duration: 30 days}]\n  objectives: [{target: 0.9}]\n",
     ":7: spec.timeWindow[0].duration: expected a duration such as 5m"),
    (HEAD + RATIO + "  timeWindow: []\n  objectives: [{target: 0.9}]\n", ":7: spec.timeWindow: expected exactly one"),
    (HEAD + RATIO + "  timeWindows: [{count: 2, unit: Fortnight}]\n  objectives: [{target: 0.9}]\n",
     ":7: spec.timeWindows[0]: expected duration (e.g. 4w) or a positive count and unit"),
    (HEAD + RATIO + "  timeWindow: [{duration: 1w, isRolling: maybe}]\n  objectives: [{target: 0.9}]\n",
     ":7: spec.timeWindow[0].isRolling: expected true or false"),
    (HEAD + RATIO + "  timeWindow: [{duration: 1w, isRolling: false}]\n  objectives: [{target: 0.9}]\n",
     ":7: spec.timeWindow[0].calendar: a window that is not rolling needs calendar"),
    (HEAD + RATIO + "  timeWindow: [{duration: 1M, calendar: {startTime: soon}}]\n  objectives: [{target: 0.9}]\n",
     ":7: spec.timeWindow[0].calendar.startTime: expected a date and time"),
    (HEAD + RATIO + "  timeWindow: [{duration: 1M, calendar: {startTime: 2024-01-01, timeZone: Mars/Olympus}}]\n"
     "  objectives: [{target: 0.9}]\n", ":7: spec.timeWindow[0].calendar.timeZone: unknown time zone 'Mars/Olympus'"),
    (HEAD + "  indicatorRef: nope\n  objectives: [{target: 0.9}]\n", ":6: spec.indicatorRef: no SLI named 'nope'"),
    (HEAD + "  indicator: {spec: {}}\n  objectives: [{target: 0.9}]\n",
     ":6: spec.indicator.spec: expected one of ratioMetric or thresholdMetric"),
    (HEAD + "  indicator: {spec: {ratioMetric: {counter: yes please, good: " + PROM + ", total: " + PROM + "}}}\n"
     "  objectives: [{target: 0.9}]\n", ":6: spec.indicator.spec.ratioMetric.counter: expected true or false"),
    (HEAD + "  indicator: {spec: {ratioMetric: {raw: " + PROM + "}}}\n  objectives: [{target: 0.9}]\n",
     ":6: spec.indicator.spec.ratioMetric.rawType: expected success or failure"),
    (HEAD + "  indicator: {spec: {ratioMetric: {total: " + PROM + "}}}\n  objectives: [{target: 0.9}]\n",
     ":6: spec.indicator.spec.ratioMetric: expected one of good or bad, and total"),
    (HEAD + "  indicator: {spec: {thresholdMetric: {metricSource: {metricSourceRef: nope}}}}\n"
     "  objectives: [{target: 0.9, op: lt, value: 1}]\n",
     ":6: spec.indicator.spec.thresholdMetric.metricSource.metricSourceRef: no DataSource named 'nope'"),
    (HEAD + "  indicator: {spec: {thresholdMetric: {metricSource: {spec: {query: q}}}}}\n"
     "  objectives: [{target: 0.9, op: lt, value: 1}]\n",
     ":6: spec.indicator.spec.thresholdMetric.metricSource.type: missing (required without a metricSourceRef)"),
    (HEAD + "  indicator: {spec: {thresholdMetric: {metricSource: {type: NewRelic, spec: {nrql: q}}}}}\n"
     "  objectives: [{target: 0.9, op: lt, value: 1}]\n",
     ":6: spec.indicator.spec.thresholdMetric.metricSource.type: metric source 'NewRelic' cannot be queried"),
    (HEAD + "  indicator: {spec: {thresholdMetric: {metricSource: {type: Prometheus}}}}\n"
     "  objectives: [{target: 0.9, op: lt, value: 1}]\n",
     ":6: spec.indicator.spec.thresholdMetric.metricSource.spec: missing"),
    (HEAD + "  indicator: {spec: {thresholdMetric: {metricSource: {type: Prometheus, spec: {}}}}}\n"
     "  objectives: [{target: 0.9, op: lt, value: 1}]\n",
     ":6: spec.indicator.spec.thresholdMetric.metricSource.spec.query: missing"),
    ("- apiVersion: openslo/v1\n  kind: Service\n  metadata: {name: s}\n- just text\n",
     ":4: [1]: expected a mapping (one SLO document), got a string"),
])
def test_every_problem_names_file_line_and_key(tmp_path, text, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    found = messages(load_slo_paths([path]))
    assert any(m.startswith(str(path) + expected) for m in found), found


def test_a_bad_objective_does_not_hide_the_good_one(tmp_path):
    specs = load(tmp_path, HEAD + RATIO + "  objectives: [{target: 0.99}, {target: nine}]\n")
    assert [s.name for s in specs.slos] == ["x-0"] and len(specs.problems) == 1


def test_cockpit_check_lists_only_the_refused_metric_sources(tmp_path):
    """The real command on every public example: exit 2, one FILE:LINE line
    per metric source no Prometheus can answer, nothing else."""
    config = tmp_path / "cockpit.yaml"
    config.write_text(f"sources:\n  - {{kind: prometheus, url: 'http://127.0.0.1:9', slos: ['{FIXTURES}']}}\n")
    cockpit = Path(sys.executable).with_name("cockpit")
    command = [str(cockpit)] if cockpit.exists() else [sys.executable, "-m", "cockpit.cli"]
    done = subprocess.run([*command, "check", "--config", str(config)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == sum(len(problems) for _, problems in EXPECTED.values()) == 11
    for line in lines:
        assert re.match(rf"{re.escape(str(FIXTURES))}/\S+:[1-9][0-9]*: \S+: metric source '\w+' cannot be queried",
                        line)


@pytest.mark.parametrize("name", ["pkg/openslo/v1/examples/slos.yaml", "pkg/openslo/v1/examples/slis.yaml",
                                  "pkg/openslo/v1alpha/examples/slos.yaml"])
def test_never_raises_on_damaged_files(tmp_path, name):
    """Each line in turn replaced by junk: problems or fewer SLOs, never an exception."""
    lines = (FIXTURES / name).read_text().splitlines()
    path = tmp_path / "damaged.yaml"
    for i, line in enumerate(lines):
        for junk in (line.split(":")[0] + ": [x, {y: 1}]", line.split(":")[0] + ": 7", line.split(":")[0] + ": "):
            path.write_text("\n".join(lines[:i] + [junk] + lines[i + 1:]))
            load_slo_paths([path])


# -- the budget since a period's start, from per-step counts ------------------------

def test_period_events_count_from_each_points_period_start():
    # 5 steps of (errors, total) = (1, 10) each; 3 points (the last 3 steps).
    errors, totals = [1.0] * 5, [10.0] * 5
    found = period_events(errors, totals, 3, [0.0, 1.5, 4.0])
    assert [(e.errors, e.total) for e in found] == [(3.0, 30.0), (2.5, 25.0), (1.0, 10.0)]
    assert [(e.errors, e.total) for e in rolling_events(errors, totals, 3)] == [(3.0, 30.0)] * 3


def test_period_begins_place_each_points_period_in_steps():
    window = CalendarWindow(datetime(2026, 1, 5), "UTC", 1, "d")  # days from midnight
    now, step = datetime(2026, 3, 1, 12, tzinfo=UTC), timedelta(hours=6)
    # The range starts 5 steps (30 h) before noon: at 06:00 the day before.
    # Points at 00:00 (its day began then: 3 steps in), 06:00 and 12:00 (3 steps in too).
    assert period_begins(window, now, step, 3) == [3.0, 3.0, 3.0]
    assert period_begins(window, now + timedelta(hours=3), step, 3) == [2.5, 2.5, 2.5]


def test_timeslice_templates_for_threshold_and_raw_indicators():
    ten = timedelta(minutes=10)
    threshold = Indicator("threshold", threshold='max(lag{service="a"})')
    assert templates(threshold, Objective("Timeslices", op="lte", value=5, slice_target=0.9, time_slice=ten)) == {
        "error_query": 'sum_over_time(((avg_over_time(((max(lag{service="a"})) <= bool 5)[10m:1m])) < bool 0.9)'
                       "[{{.window}}:10m] offset 1s)",
        "total_query": 'count_over_time((avg_over_time(((max(lag{service="a"})) <= bool 5)[10m:1m]))'
                       "[{{.window}}:10m] offset 1s)"}
    raw = Indicator("raw", raw='avg(ok_ratio{service="a"}[{{.window}}])')
    assert templates(raw, Objective("RatioTimeslices", time_slice=ten))["error_query"] == \
        'sum_over_time((1 - (avg(ok_ratio{service="a"}[10m])))[{{.window}}:10m] offset 1s)'
    failures = Indicator("raw", raw='errors_ratio{service="a"}', raw_failure=True)
    assert templates(failures, Objective("Timeslices", slice_target=0.95, time_slice=ten))["total_query"] == \
        'count_over_time((1 - (avg_over_time((errors_ratio{service="a"})[10m:1m])))[{{.window}}:10m] offset 1s)'
