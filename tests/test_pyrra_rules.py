"""The series Pyrra's recording rules write (pyrra-dev/pyrra slo/rules.go),
named and read back as Pyrra names and reads them."""

from datetime import timedelta

import pytest

from cockpit.pyrra_rules import prometheus_duration, query, recorded
from cockpit.slo_specs import load_slo_paths
from tests.test_realworld_sloth_pyrra import PYRRA

DAY = timedelta(days=1)


@pytest.mark.parametrize("days, text", [(28, "4w"), (14, "2w"), (30, "30d"), (7, "1w"), (365, "1y"), (1, "1d")])
def test_windows_are_written_as_prometheus_writes_durations(days, text):
    assert prometheus_duration(days * DAY) == text
    assert prometheus_duration(timedelta(minutes=90)) == "1h30m"


def test_a_ratio_on_one_counter_reads_its_errors_among_its_total_series():
    rules = recorded("ratio", "api-errors", 14 * DAY, 'apiserver_request_total{verb=~"LIST|GET",code=~"5.."}',
                     'apiserver_request_total{verb=~"LIST|GET"}')
    assert rules.total.name == rules.other.name == "apiserver_request:increase2w"
    samples = [({"__name__": "apiserver_request:increase2w", "slo": "api-errors", "verb": "GET", "code": code}, n)
               for code, n in (("200", 990.0), ("503", 10.0))]
    samples.append(({"__name__": "apiserver_request:increase2w", "slo": "other", "verb": "GET", "code": "500"}, 7.0))
    events = rules.events(samples)
    assert (events.errors, events.total) == (10.0, 1000.0)
    assert query([rules]) == '{__name__=~"apiserver_request:increase2w",slo=~"api-errors"}'


def test_a_latency_slo_reads_the_count_without_le_and_the_bucket_with_it():
    rules = recorded("latency", "lat", 28 * DAY, 'http_request_duration_seconds_bucket{job="a",le="0.1"}',
                     'http_request_duration_seconds_count{job="a"}')
    name = "http_request_duration_seconds:increase4w"
    samples = [({"__name__": name, "slo": "lat", "job": "a"}, 200.0),
               ({"__name__": name, "slo": "lat", "job": "a", "le": "0.1"}, 190.0)]
    events = rules.events(samples)
    assert (events.errors, events.total) == (10.0, 200.0)
    assert rules.events(samples[1:]) is None  # no total series: not recorded, read raw


def test_a_bool_gauge_reads_its_sample_count_and_sum():
    rules = recorded("bool_gauge", "probe", 28 * DAY, 'up{job="x"}', 'up{job="x"}')
    assert (rules.total.name, rules.other.name) == ("up:count4w", "up:sum4w")
    events = rules.events([({"__name__": "up:count4w", "slo": "probe", "job": "x"}, 100.0),
                           ({"__name__": "up:sum4w", "slo": "probe", "job": "x"}, 97.0)])
    assert (events.errors, events.total) == (3.0, 100.0)


def test_the_reader_keeps_where_pyrra_records_each_slo_except_latency_native():
    specs = load_slo_paths([PYRRA / "kubernetes" / "slos", PYRRA / "dynamic-burn-rate-latency-native.yaml"])
    assert sorted(specs.pyrra) == sorted(s.key for s in specs.slos if s.sli != "latencyNative")
    rules = specs.pyrra["monitoring/coredns-request-latency"]
    assert rules.total.name == "coredns_dns_request_duration_seconds:increase2w"
    assert ("slo", "=", "coredns-request-latency") in rules.total.matchers
