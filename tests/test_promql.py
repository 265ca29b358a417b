"""cockpit.promql: rendering, grouping SLOs into shared queries, splitting
results back. The grouped queries' numbers are checked against a real
Prometheus in tests/integration/test_prometheus_source.py."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from cockpit.model import SLO
from cockpit.promql import (
    HISTORY_POINTS,
    MAX_REGEX_CHARS,
    PromQLError,
    group_slos,
    group_template,
    history_step,
    per_second,
    render,
    tokenize,
    value_regex,
)
from cockpit.slo_specs import load_slo_paths
from cockpit.sources.prometheus.results import split_instant, split_range

FIXTURES = Path("/work/shared/fixtures/sloth")
ERROR = 'sum(rate(http_requests_total{service="%s",code=~"5.."}[{{.window}}]))'
TOTAL = 'sum(rate(http_requests_total{service="%s"}[{{.window}}]))'
LAT_ERROR = ('sum(rate(http_request_duration_seconds_count{service="%s"}[{{.window}}])) '
             '- sum(rate(http_request_duration_seconds_bucket{service="%s",le="0.5"}[{{.window}}]))')
LAT_TOTAL = 'sum(rate(http_request_duration_seconds_count{service="%s"}[{{.window}}]))'


def slo(service: str, error: str, total: str, name: str = "availability", objective: float = 0.999) -> SLO:
    return SLO(service=service, name=name, objective=objective, window=timedelta(days=30),
               error_query=error, total_query=total)


def fleet(count: int) -> list[SLO]:
    """``count`` services, each with an availability and a latency SLO."""
    slos = []
    for i in range(count):
        name = f"svc-{i}"
        slos.append(slo(name, ERROR % name, TOTAL % name))
        slos.append(slo(name, LAT_ERROR % (name, name), LAT_TOTAL % name, name="latency", objective=0.99))
    return slos


def test_render_sets_every_window_placeholder():
    template = 'sum(rate(x[{{.window}}])) / sum(rate(y[{{ .window }}]))'
    assert render(template, timedelta(minutes=5)) == "sum(rate(x[5m])) / sum(rate(y[5m]))"
    assert render(template, timedelta(days=30)) == "sum(rate(x[30d])) / sum(rate(y[30d]))"


def test_query_count_depends_on_shapes_not_services():
    small, large = group_slos(fleet(5)), group_slos(fleet(500))
    assert len(small) == len(large) == 2
    assert sorted(len(g.slos) for g in large) == [500, 500]
    assert all(g.label == "service" for g in large)


def test_grouped_query_matches_every_value_and_keeps_the_label():
    group = next(g for g in group_slos(fleet(3)) if g.slos[0].name == "availability")
    query = group.error_query(timedelta(hours=1))
    assert query == ('sum by (service) (rate(http_requests_total{service=~"svc-0|svc-1|svc-2",'
                     'code=~"5.."}[1h]))')
    latency = next(g for g in group_slos(fleet(3)) if g.slos[0].name == "latency")
    assert latency.error_query(timedelta(minutes=5)).count("sum by (service) (") == 2


def test_existing_grouping_clauses_gain_the_label():
    leading = 'histogram_quantile(0.99, sum by (le) (rate(x_bucket{service="a"}[5m])))'
    assert group_template(leading, "service", ["a", "b"]) == (
        'histogram_quantile(0.99, sum by (le, service) (rate(x_bucket{service=~"a|b"}[5m])))')
    trailing = 'sum(rate(x{service="a"}[5m])) by (code)'
    assert group_template(trailing, "service", ["a", "b"]) == 'sum(rate(x{service=~"a|b"}[5m])) by (code, service)'
    already = 'sum by (service) (rate(x{service="a"}[5m]))'
    assert group_template(already, "service", ["a"]) == 'sum by (service) (rate(x{service=~"a"}[5m]))'


@pytest.mark.parametrize("error, total, why", [
    ('sum(rate(x{service="%s",job="%s"}[5m]))', 'sum(rate(x{service="%s",job="%s"}[5m]))', "two labels differ"),
    ('sum(rate(x{service="%s"}[5m])) / sum(rate(y[5m]))', 'sum(rate(y{service="%s"}[5m]))',
     "a selector does not pin the label"),
    ('sum(rate(x{service="%s"}[5m])) / on() group_left sum(rate(x{service="%s"}[5m]))',
     'sum(rate(x{service="%s"}[5m]))', "vector matching may drop the label"),
    ('sum(label_replace(rate(x{service="%s"}[5m]), "service", "z", "", ""))', 'sum(rate(x{service="%s"}[5m]))',
     "label_replace may rewrite the label"),
    ('sum without (service) (rate(x{service="%s"}[5m]))', 'sum(rate(x{service="%s"}[5m]))',
     "without() drops the label"),
    ('topk(1, rate(x{service="%s"}[5m]))', 'sum(rate(x{service="%s"}[5m]))', "parameterised aggregation"),
    ('sum(rate(x{service=~"%s"}[5m]))', 'sum(rate(x{service=~"%s"}[5m]))', "not an equality matcher"),
])
def test_no_grouping_unless_only_one_label_value_differs(error, total, why):
    slos = [slo(s, error.replace("%s", s), total.replace("%s", s)) for s in ("a", "b", "c")]
    groups = group_slos(slos)
    assert len(groups) == 3, why
    for group in groups:  # each sent exactly as written
        assert group.label is None
        assert group.error_query(timedelta(minutes=5)) == group.slos[0].error_query


def test_identical_queries_are_sent_once():
    same = [slo("a", "sum(rate(x[5m]))", "sum(rate(y[5m]))", name=n) for n in ("strict", "lenient")]
    [group] = group_slos(same)
    assert group.label is None and len(group.members[""]) == 2


def test_values_are_regex_escaped():
    regex = value_regex(["a.b", "c|d", "e"])
    assert re.fullmatch(regex, "a.b") and re.fullmatch(regex, "c|d")
    assert not re.fullmatch(regex, "axb") and not re.fullmatch(regex, "c")
    query = group_template('sum(rate(x{service="a.b"}[5m]))', "service", ["a.b", "c|d"])
    quoted = re.search(r'service=~("(?:[^"\\]|\\.)*")', query).group(1)
    assert json.loads(quoted) == r"a\.b|c\|d"


def test_a_huge_value_list_matches_the_label_broadly_and_results_are_filtered():
    slos = [slo(f"service-number-{i:04d}", ERROR % f"service-number-{i:04d}", TOTAL % f"service-number-{i:04d}")
            for i in range(500)]
    [group] = group_slos(slos)
    query = group.error_query(timedelta(minutes=5))
    assert 'service!=""' in query and len(query) < MAX_REGEX_CHARS
    result = [{"metric": {"service": "service-number-0007"}, "value": [0, "2"]},
              {"metric": {"service": "not-ours"}, "value": [0, "5"]}]
    assert split_instant(group, result) == {"service-number-0007": 2.0}


def test_split_sums_series_per_value():
    [group] = group_slos([slo(s, ERROR % s, TOTAL % s) for s in ("a", "b")])
    result = [{"metric": {"service": "a", "code": "500"}, "value": [0, "1.5"]},
              {"metric": {"service": "a", "code": "503"}, "value": [0, "2"]},
              {"metric": {"service": "b"}, "value": [0, "NaN"]}]
    split = split_instant(group, result)
    assert split["a"] == 3.5 and split["b"] != split["b"]  # NaN stays NaN: "no data", never 0
    ranged = split_range(group, [{"metric": {"service": "a"}, "values": [[100, "1"], [160, "2"]]},
                                 {"metric": {"service": "a", "x": "y"}, "values": [[160, "3"]]}],
                         start=100, step=30, points=4)
    assert ranged["a"][0] == 1 and ranged["a"][2] == 5
    assert all(v != v for v in (ranged["a"][1], ranged["a"][3]))


def test_rate_queries_are_per_second_and_increase_queries_are_counts():
    assert per_second(ERROR)
    assert not per_second('sum(increase(x{service="a"}[{{.window}}]))')
    assert not per_second("sum_over_time((count(x < 0.5))[{{.window}}:])")


def test_history_step_keeps_range_queries_small():
    for window in (timedelta(hours=1), timedelta(days=1), timedelta(days=28), timedelta(days=30),
                   timedelta(days=365)):
        step = history_step(window)
        assert step >= timedelta(minutes=5)
        assert 2 * window / step < 11_000  # Prometheus' points-per-series limit
    assert history_step(timedelta(days=30)) == timedelta(days=30) / HISTORY_POINTS


def test_unknown_syntax_is_an_error_not_a_crash():
    with pytest.raises(PromQLError):
        tokenize("sum(x) ¤ 2")
    unbalanced = [slo(s, f'sum(rate(x{{service="{s}"}}[5m])', f'sum(rate(x{{service="{s}"}}[5m]))') for s in "ab"]
    odd = [slo(s, f'sum(x{{service="{s}"}}) ¤ 2', f'sum(x{{service="{s}"}})') for s in "ab"]
    groups = group_slos(unbalanced + odd)  # sent as written; Prometheus will say what is wrong
    assert len(groups) == 4 and all(g.label is None for g in groups)


def test_every_sloth_fixture_groups_without_error():
    specs = load_slo_paths([FIXTURES])
    queried = [s for s in specs.slos if (s.error_query and s.total_query) or s.error_ratio_query]
    groups = group_slos(specs.slos)  # plugin SLIs have no query: left out
    assert sorted(id(s) for g in groups for s in g.slos) == sorted(id(s) for s in queried)
    assert any(g.ratio for g in groups)  # raw-home-wifi.yml
    for group in groups:
        for window in (timedelta(minutes=5), timedelta(days=30)):
            query = group.ratio_query(window) if group.ratio else group.error_query(window) + group.total_query(window)
            assert "{{" not in query


RAW = ('1 - (sum(sum_over_time(sat{service="%s"}[{{.window}}])) '
       '/ sum(count_over_time(sat{service="%s"}[{{.window}}])))')


def raw(service: str, query: str, name: str = "satisfaction") -> SLO:
    return SLO(service=service, name=name, objective=0.95, window=timedelta(days=30), error_ratio_query=query)


def test_raw_ratio_slis_are_grouped_by_the_label_that_differs():
    few, many = ([raw(f"svc-{i}", RAW % (f"svc-{i}", f"svc-{i}")) for i in range(n)] for n in (5, 500))
    assert len(group_slos(few)) == len(group_slos(many)) == 1
    [group] = [g for g in group_slos(few + fleet(5)) if g.ratio]
    assert group.label == "service" and len(group.members) == 5 and not group.time_averaged
    query = group.ratio_query(timedelta(hours=1))
    assert query.count("sum by (service)") == 2 and "[1h]" in query and 'service=~"svc-0|' in query


def test_a_ratio_without_window_is_averaged_over_each_window():
    [group] = group_slos([raw(s, f'1 - avg(sat{{service="{s}"}})') for s in ("a", "b")])
    assert group.time_averaged
    assert group.ratio_query(timedelta(minutes=5)) == 'avg_over_time((1 - avg by (service) (sat{service=~"a|b"}))[5m:30s])'
    assert group.ratio_query(timedelta(days=30)).endswith("[30d:144m])")  # 300 samples per window


def test_ratio_series_are_not_added_up():
    [group] = group_slos([raw(s, f'1 - avg_over_time(sat{{service="{s}"}}[{{{{.window}}}}])') for s in ("a", "b")])
    result = [{"metric": {"service": "a", "instance": "1"}, "value": [0, "0.1"]},
              {"metric": {"service": "a", "instance": "2"}, "value": [0, "0.2"]},
              {"metric": {"service": "b"}, "value": [0, "0.3"]}]
    split = split_instant(group, result)
    assert split["b"] == 0.3 and split["a"] != split["a"]  # which of two ratios? neither: no data
    ranged = split_range(group, [{"metric": {"service": "a", "i": "1"}, "values": [[100, "0.1"]]},
                                 {"metric": {"service": "a", "i": "2"}, "values": [[100, "0.2"]]},
                                 {"metric": {"service": "b"}, "values": [[130, "0.3"]]}], start=100, step=30, points=2)
    assert all(v != v for v in ranged["a"]) and ranged["b"][1] == 0.3
