"""Pure alert logic (matchers, HA dedupe, grouping, filters, silences) and
the Alertmanager source's config parsing; the real-server tests are in
tests/integration/test_alertmanager.py."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from cockpit.alerts import (
    Matcher,
    MatcherError,
    Sighting,
    Silence,
    dedupe,
    filter_alerts,
    format_matchers,
    group_alerts,
    label_filter,
    merge_silences,
    parse_matchers,
)
from cockpit.clock import DEMO_TIME
from cockpit.model import Incident
from cockpit.sources.alertmanager.source import AlertmanagerSource, parse_instances, parse_severity_map
from cockpit.sources.base import SourceSpec

T0 = DEMO_TIME


def alert(fingerprint: str, labels: dict, status: str = "firing", severity: str = "P3", minutes_ago: int = 10,
          group: str = "") -> Incident:
    return Incident(id=fingerprint, title=labels.get("alertname", ""), severity=severity, status=status,
                    service=labels.get("service", ""), started_at=T0 - timedelta(minutes=minutes_ago),
                    source="am", kind="alert", silenced=status == "silenced", labels=labels, group=group)


# --- matchers ---------------------------------------------------------------

def test_both_syntaxes_parse_to_the_same_matchers():
    braces = parse_matchers('{service="api-server", env!="dev", alertname=~"High.*", team!~"web|data"}')
    bare = parse_matchers("service=api-server env!=dev alertname=~High.* team!~web|data")
    assert braces == bare
    assert [(m.name, m.op, m.value) for m in bare] == [
        ("service", "=", "api-server"), ("env", "!=", "dev"), ("alertname", "=~", "High.*"), ("team", "!~", "web|data"),
    ]


def test_quoted_values_keep_commas_spaces_and_escapes():
    [matcher] = parse_matchers(r'{summary="a, \"quoted\" \\ thing"}')
    assert matcher.value == 'a, "quoted" \\ thing'
    assert parse_matchers(format_matchers([matcher])) == (matcher,)
    [regex] = parse_matchers(r'code=~"5\d\d"')
    assert regex.matches({"code": "503"}) and not regex.matches({"code": "5xx"})


def test_empty_text_is_no_matchers():
    assert parse_matchers("") == () and parse_matchers(" {} ") == ()


@pytest.mark.parametrize("text, message", [
    ('{a="x"', "missing closing"),
    ("a", "cannot parse matcher at 'a'"),
    ('a="x" b', "cannot parse matcher at 'b'"),
    ('a=~"("', "invalid regex"),
    ("1a=x", "cannot parse"),
])
def test_bad_expressions_say_what_is_wrong(text, message):
    with pytest.raises(MatcherError, match=message):
        parse_matchers(text)


def test_regexes_are_anchored_like_alertmanager():
    assert not Matcher.make("service", "=~", "api").matches({"service": "api-server"})
    assert Matcher.make("service", "=~", "api.*").matches({"service": "api-server"})
    assert Matcher.make("service", "!~", "api").matches({"service": "api-server"})


def test_a_missing_label_matches_as_empty():
    assert Matcher.make("service", "=", "").matches({})
    assert Matcher.make("service", "!=", "api").matches({})
    assert not Matcher.make("service", "=~", ".+").matches({})


@pytest.mark.parametrize("op", ["=", "!=", "=~", "!~"])
def test_api_form_round_trips(op):
    matcher = Matcher.make("alertname", op, "High.*")
    assert Matcher.from_api(matcher.to_api()) == matcher


def test_label_filter_is_a_predicate_over_incidents():
    keep = label_filter('service=~"check.*", severity!="info"')
    assert keep(alert("1", {"service": "checkout-service", "severity": "warning"}))
    assert not keep(alert("2", {"service": "checkout-service", "severity": "info"}))
    assert not keep(alert("3", {"service": "api-server"}))


# --- dedupe -------------------------------------------------------------------

def seen(key: str, status: str = "firing", minutes_ago: int = 10, payload: str = "") -> Sighting:
    return Sighting(key, status, T0 - timedelta(minutes=minutes_ago), payload or key)


def test_ha_pair_alert_comes_out_once_with_both_instances():
    held = dedupe([
        ("am-a", [seen("f1", minutes_ago=5, payload="from a"), seen("f2")]),
        ("am-b", [seen("f1", minutes_ago=7, payload="from b"), seen("f3")]),
    ])
    by_key = {h.first.key: h for h in held}
    assert sorted(by_key) == ["f1", "f2", "f3"]
    assert by_key["f1"].instances == ("am-a", "am-b")
    assert by_key["f1"].first.payload == "from a"  # built from the first instance's copy
    assert by_key["f1"].started_at == T0 - timedelta(minutes=7)  # the earliest start
    assert (by_key["f2"].instances, by_key["f3"].instances) == (("am-a",), ("am-b",))


def test_an_alert_in_two_groups_of_one_instance_is_listed_once():
    [held] = dedupe([("am-a", [seen("f1", payload="g1"), seen("f1", payload="g2")])])
    assert held.instances == ("am-a",) and held.first.payload == "g1"


@pytest.mark.parametrize("states, expected", [
    (("silenced", "firing"), "firing"),  # still notifying somewhere: not quiet
    (("inhibited", "silenced"), "silenced"),
    (("inhibited", "inhibited"), "inhibited"),
])
def test_instances_that_disagree_show_the_loudest_state(states, expected):
    [held] = dedupe([(f"am-{n}", [seen("f1", status=s)]) for n, s in enumerate(states)])
    assert held.status == expected


# --- grouping and filters -------------------------------------------------------

GROUP_LAT = '{alertname="HighLatency", service="checkout-service"}'
ALERTS = [
    alert("1", {"alertname": "HighLatency", "service": "checkout-service", "instance": "a"}, "firing", "P3",
          group=GROUP_LAT),
    alert("2", {"alertname": "HighLatency", "service": "checkout-service", "instance": "b"}, "silenced", "P3",
          minutes_ago=30, group=GROUP_LAT),
    alert("3", {"alertname": "HighErrorRate", "service": "api-server"}, "firing", "P1",
          group='{alertname="HighErrorRate", service="api-server"}'),
    alert("4", {"alertname": "Watchdog"}, "inhibited", "P3"),
]


def test_group_by_alertmanager_groups():
    groups = group_alerts(ALERTS)
    assert [g.key for g in groups] == [
        '{alertname="HighErrorRate", service="api-server"}',  # most severe first
        GROUP_LAT,  # then the largest
        '{alertname="Watchdog"}',  # no group given: its own label set
    ]
    latency = groups[1]
    assert latency.labels == {"alertname": "HighLatency", "service": "checkout-service"}
    assert [a.id for a in latency.alerts] == ["1", "2"]  # firing before silenced
    assert (latency.count("firing"), latency.count("silenced"), latency.severity) == (1, 1, "P3")
    assert all(m.op == "=" for m in latency.matchers)
    assert [a.id for a in ALERTS if all(m.matches(a.labels) for m in latency.matchers)] == ["1", "2"]


def test_group_by_a_label_puts_the_unlabelled_together():
    groups = {g.key: [a.id for a in g.alerts] for g in group_alerts(ALERTS, by="service")}
    assert groups == {'{service="api-server"}': ["3"], '{service="checkout-service"}': ["1", "2"],
                      '{service=""}': ["4"]}


def test_state_filters():
    assert [i.id for i in filter_alerts(ALERTS, states=["active"])] == ["1", "3"]
    assert [i.id for i in filter_alerts(ALERTS, states=["silenced", "inhibited"])] == ["2", "4"]
    assert len(filter_alerts(ALERTS)) == 4
    with pytest.raises(ValueError, match="unknown alert state"):
        filter_alerts(ALERTS, states=["muted"])


def test_state_filter_leaves_non_alert_incidents_alone():
    declared = Incident(id="INC-1", title="t", severity="P1", status="investigating", service="api-server",
                        started_at=T0, source="incident-log")
    assert filter_alerts([declared], states=["silenced"]) == [declared]


def test_state_and_matchers_combine():
    chosen = filter_alerts(ALERTS, states=["firing"], matchers=parse_matchers('service=~".+"'))
    assert [i.id for i in chosen] == ["1", "3"]


# --- silences -----------------------------------------------------------------

def silence(sid, instance, comment="deploy", state="active", minutes=60):
    return Silence(id=sid, matchers=parse_matchers('alertname="X"'), starts_at=T0, ends_at=T0 + timedelta(minutes=minutes),
                   created_by="alice", comment=comment, state=state, ids=((instance, sid),))


def test_silences_merge_by_id_and_by_content():
    merged = merge_silences([
        silence("s1", "am-a"), silence("s1", "am-b"),  # gossip-replicated: same id
        silence("s2", "am-a", comment="other"), silence("s3", "am-b", comment="other"),  # posted to each
        silence("s4", "am-a", comment="old", state="expired"),
    ])
    assert [(s.id, s.instances, s.state) for s in merged] == [
        ("s1", ("am-a", "am-b"), "active"), ("s2", ("am-a", "am-b"), "active"), ("s4", ("am-a",), "expired"),
    ]
    assert merged[1].ids == (("am-a", "s2"), ("am-b", "s3"))


def test_a_silence_active_anywhere_is_active():
    [merged] = merge_silences([silence("s1", "am-a", state="expired"), silence("s1", "am-b")])
    assert merged.state == "active" and merged.selects({"alertname": "X"}) and not merged.selects({})


# --- the source's config --------------------------------------------------------

def test_instances_from_strings_and_maps_never_show_credentials():
    instances, problems = parse_instances([
        "http://admin:s3cret@am-1.example:9093/", {"url": "https://am-2.example", "name": "eu-2", "cluster": "eu"},
    ])
    assert problems == []
    assert [(i.name, i.cluster) for i in instances] == [("http://am-1.example:9093", "http://am-1.example:9093"),
                                                        ("eu-2", "eu")]
    assert all("s3cret" not in i.name for i in instances)


@pytest.mark.parametrize("urls, message", [
    ([], "non-empty list"),
    (["ftp://x"], "http:// or https://"),
    ([{"name": "x"}], "must be a URL or a map"),
    (["http://a:1", {"url": "http://b:1", "name": "http://a:1"}], "used twice"),
])
def test_bad_urls_are_problems(urls, message):
    _, problems = parse_instances(urls)
    assert any(message in text for _, text in problems)


def test_severity_map_overrides_defaults_and_rejects_unknown_levels():
    mapping, problems = parse_severity_map({"warning": "P2", "page": "P9"})
    assert mapping["warning"] == "P2" and mapping["critical"] == "P1"
    assert problems == [("severity_map.page", "must be one of P0, P1, P2, P3, not 'P9'")]


def test_check_reports_file_and_line():
    spec = SourceSpec(kind="alertmanager", name="am", refresh=timedelta(seconds=30), timeout=timedelta(seconds=5),
                      options={"urls": ["nope://x"]}, base_dir=Path("."), config_file="cockpit.yaml", line=12)
    [problem] = AlertmanagerSource.check(spec).problems
    assert str(problem) == ("cockpit.yaml:12: am.urls[0]: expected an http:// or https:// URL, got 'nope://x' "
                            "(the scheme must be http or https)")


# --- the source's parsing -------------------------------------------------------

def test_a_groups_reply_maps_to_incidents_whatever_its_oddities():
    from cockpit.sources.alertmanager.api import DEFAULT_SEVERITY_MAP, EPOCH, sightings_of, to_incident

    def reply(silenced_on: bool) -> list:
        return [
            "not a group",
            {"labels": {"alertname": "DiskFull"}, "alerts": [
                "not an alert",
                {"labels": {}},  # nothing to show
                {"fingerprint": "f1", "labels": {"alertname": "DiskFull", "service": "postgres-primary",
                                                 "severity": "warning", "shard": 3},
                 "annotations": {"summary": "disk 95% full", "runbook": 7},
                 "status": {"silencedBy": ["s1"] if silenced_on else [], "inhibitedBy": []},
                 "startsAt": "2026-11-28T02:00:00Z"},
                {"labels": {"alertname": "DiskFull", "severity": "page"}, "status": "odd",
                 "startsAt": "yesterday"},  # no fingerprint: keyed by its label set
            ]},
        ]

    held = dedupe([("am-a", sightings_of(reply(True))), ("am-b", sightings_of(reply(False)))])
    disk, bare = [to_incident(h, source="am", service_labels=("service",), severity_map=DEFAULT_SEVERITY_MAP)
                  for h in held]
    assert (disk.id, disk.status, disk.silenced, disk.instances) == ("f1", "firing", False, ("am-a", "am-b"))
    assert dict(disk.labels) == {"alertname": "DiskFull", "service": "postgres-primary", "severity": "warning",
                                 "shard": "3"}
    assert (disk.title, disk.runbook, disk.severity) == ("DiskFull: disk 95% full", "7", "P3")
    assert disk.group == '{alertname="DiskFull"}' and disk.started_at.isoformat() == "2026-11-28T02:00:00+00:00"
    assert bare.id == '{alertname="DiskFull", severity="page"}'
    assert (bare.status, bare.severity, bare.service, bare.started_at) == ("firing", "P1", "", EPOCH)
