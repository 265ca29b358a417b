"""The Alertmanager fetch path's fast parts give what the plain ones give:
the typed decoder against json + sightings_of, and AlertMerge (Incidents
built from the first reply before the others arrive) against dedupe +
to_incident + sort_alerts; and the source gets the same result whichever
instance answers first."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import timedelta
from pathlib import Path

import httpx

from cockpit.alerts import dedupe, sort_alerts
from cockpit.clock import DEMO_TIME
from cockpit.sources.alertmanager.source import AlertmanagerSource
from cockpit.sources.alertmanager.api import DEFAULT_SEVERITY_MAP, AlertMerge, decode_groups, sightings_of, to_incident
from cockpit.sources.base import SourceContext, SourceSpec

MAPPING = dict(source="am", service_labels=("service",), severity_map=DEFAULT_SEVERITY_MAP)


def random_reply(rng: random.Random, alerts: int = 60) -> list:
    """A well-formed /api/v2/alerts/groups reply; some alerts sit in two groups."""
    groups = []
    for g in range(5):
        entries = []
        for _ in range(alerts // 5):
            n = rng.randrange(alerts)
            status = rng.choice([{"silencedBy": [], "inhibitedBy": []}, {"silencedBy": ["s1"], "inhibitedBy": []},
                                 {"silencedBy": [], "inhibitedBy": ["i1"]}, None])
            entry = {"labels": {"alertname": f"A{n % 7}", "service": f"svc-{n % 3}",
                                "severity": rng.choice(["critical", "warning", "P2", "odd"]), "n": str(n)},
                     "annotations": {"summary": f"alert {n}", "runbook_url": f"rb/{n}.md"},
                     "fingerprint": rng.choice([f"fp{n}", ""]),
                     "startsAt": rng.choice(["2026-11-28T02:00:00.123Z", "2026-11-28T01:00:00Z", "not a time"]),
                     "generatorURL": rng.choice(["http://prom/graph", None]),
                     "receivers": [{"name": "x"}], "endsAt": "2026-11-28T04:00:00Z"}
            if status is not None:
                entry["status"] = status
            entries.append(entry)
        groups.append({"labels": {"alertname": f"A{g}"}, "alerts": entries, "receiver": {"name": "x"}})
    return groups


def test_typed_decoder_gives_what_json_and_sightings_of_give():
    rng = random.Random(4)
    for _ in range(20):
        body = json.dumps(random_reply(rng)).encode()
        fast = decode_groups(body)
        assert fast is not None and fast == sightings_of(json.loads(body))


def test_typed_decoder_declines_what_it_cannot_read_exactly():
    for body in [b"not json", b'{"a": 1}', b'["not a group"]', b'[{"alerts": ["not an alert"]}]',
                 b'[{"alerts": [{"labels": {"shard": 3}}]}]', b'[{"alerts": [{"labels": {"a": "b"}, "status": "odd"}]}]',
                 b'[{"alerts": [{"labels": {"a": "b"}, "fingerprint": 7}]}]']:
        assert decode_groups(body) is None, body


def reference(per_instance) -> list:
    return sort_alerts(to_incident(held, **MAPPING) for held in dedupe(per_instance))


def test_merge_gives_what_dedupe_gives_whoever_answered_first():
    rng = random.Random(7)
    for _ in range(30):
        base = random_reply(rng)
        other = json.loads(json.dumps(base))
        for group in other:  # the other instance disagrees now and then
            for entry in group["alerts"]:
                if rng.random() < 0.1:
                    entry["status"] = {"silencedBy": [], "inhibitedBy": []}
                if rng.random() < 0.05:
                    entry["annotations"]["summary"] = "changed"
            if rng.random() < 0.1:
                group["alerts"].pop()
        per_instance = [("am-a", sightings_of(base)), ("am-b", sightings_of(other))]
        if rng.random() < 0.3:
            per_instance = [per_instance[0], ("am-b", sightings_of(base))]  # agreeing pair
        for first in (0, 1):
            merge = AlertMerge(["am-a", "am-b"], **MAPPING)
            merge.ahead(*per_instance[first])
            assert merge.merge(per_instance) == reference(per_instance)


def test_merge_reuses_the_incidents_built_ahead_when_the_pair_agrees():
    reply = random_reply(random.Random(1))
    merge = AlertMerge(["am-a", "am-b"], **MAPPING)
    merge.ahead("am-b", sightings_of(reply))
    both = [("am-a", sightings_of(reply)), ("am-b", sightings_of(reply))]
    merged, again = merge.merge(both), merge.merge(both)
    assert merged and all(x is y for x, y in zip(merged, again, strict=True))  # built once, ahead
    assert all(incident.instances == ("am-a", "am-b") for incident in merged)


def test_merge_without_a_reply_ahead_or_with_one_instance_down():
    reply = random_reply(random.Random(2))
    per_instance = [("am-a", sightings_of(reply))]
    assert AlertMerge(["am-a", "am-b"], **MAPPING).merge(per_instance) == reference(per_instance)
    merge = AlertMerge(["am-a", "am-b"], **MAPPING)
    merge.ahead("am-a", sightings_of(reply))  # am-b then failed
    merged = merge.merge(per_instance)
    assert merged == reference(per_instance) and all(i.instances == ("am-a",) for i in merged)


def test_an_unchanged_alert_keeps_its_incident_object_from_the_last_fetch():
    firing = {"silencedBy": [], "inhibitedBy": []}

    def fetch(summary: str, previous: AlertMerge | None) -> tuple[AlertMerge, dict]:
        reply = reply_with(firing, summary)  # new objects each time, as a new reply decodes to
        per_instance = [("am-a", sightings_of(reply)), ("am-b", sightings_of(reply))]
        merge = AlertMerge(["am-a", "am-b"], **MAPPING, previous=previous)
        merge.ahead(*per_instance[1])
        merged = merge.merge(per_instance)
        assert merged == reference(per_instance)
        return merge, {i.id: i for i in merged}

    first, before = fetch("disk full", None)
    second, same = fetch("disk full", first)
    assert all(same[key] is before[key] for key in before)
    # What is kept for the next fetch is what the kept Incident was built
    # from, not this reply's equal copy (every alert's labels held twice).
    assert all(second.built[key][0] is first.built[key][0] for key in before)
    _, after = fetch("disk full and growing", second)
    assert after["f2"] is before["f2"]  # unchanged
    assert after["f1"] is not before["f1"] and after["f1"].title.endswith("disk full and growing")


def test_the_last_fetch_never_changes_what_a_merge_gives():
    rng = random.Random(11)
    for _ in range(20):
        old, new = random_reply(rng), random_reply(rng)
        previous = AlertMerge(["am-a", "am-b"], **MAPPING)
        previous.merge([("am-a", sightings_of(old))])
        per_instance = [("am-a", sightings_of(new)), ("am-b", sightings_of(old))]
        merge = AlertMerge(["am-a", "am-b"], **MAPPING, previous=previous)
        merge.ahead(*per_instance[rng.randrange(2)])
        assert merge.merge(per_instance) == reference(per_instance)


def reply_with(state: dict, summary: str) -> list:
    return [{"labels": {"alertname": "Disk"}, "alerts": [
        {"labels": {"alertname": "Disk", "service": "db"}, "fingerprint": "f1", "status": state,
         "annotations": {"summary": summary}, "startsAt": "2026-11-28T02:00:00Z"},
        {"labels": {"alertname": "Disk", "service": "api"}, "fingerprint": "f2",
         "status": {"silencedBy": [], "inhibitedBy": ["x"]}, "startsAt": "2026-11-28T01:00:00Z"},
    ]}]


async def fetch_with(first: str):
    """The source over a pair whose ``first`` instance answers while the other waits for it."""
    replies = {"a.example": reply_with({"silencedBy": ["s1"], "inhibitedBy": []}, "from a"),
               "b.example": reply_with({"silencedBy": [], "inhibitedBy": []}, "from b")}
    answered = asyncio.Event()

    async def server(request: httpx.Request) -> httpx.Response:
        if request.url.host != first:
            await answered.wait()
            await asyncio.sleep(0.05)  # the first reply is being mapped meanwhile (in a thread)
        answered.set()
        return httpx.Response(200, json=replies[request.url.host])

    spec = SourceSpec(kind="alertmanager", name="am", refresh=timedelta(seconds=30), timeout=timedelta(seconds=5),
                      options={"urls": [{"url": "http://a.example", "name": "am-a"},
                                        {"url": "http://b.example", "name": "am-b"}],
                               "transport": httpx.MockTransport(server)}, base_dir=Path("."))
    source = AlertmanagerSource(spec, SourceContext(clock=lambda: DEMO_TIME, user="test"))
    try:
        return (await source.fetch()).incidents
    finally:
        await source.aclose()


async def test_the_pair_merges_the_same_whichever_instance_answers_first():
    a_first, b_first = await fetch_with("a.example"), await fetch_with("b.example")
    assert a_first == b_first
    db, api = sorted(a_first, key=lambda i: i.id)
    assert (db.status, db.silenced, db.instances, db.title) == ("firing", False, ("am-a", "am-b"), "Disk: from a")
    assert (api.status, api.instances) == ("inhibited", ("am-a", "am-b"))


def pair_source(server) -> AlertmanagerSource:
    spec = SourceSpec(kind="alertmanager", name="am", refresh=timedelta(seconds=30), timeout=timedelta(seconds=5),
                      options={"urls": [{"url": "http://a.example", "name": "am-a"},
                                        {"url": "http://b.example", "name": "am-b"}],
                               "transport": httpx.MockTransport(server)}, base_dir=Path("."))
    return AlertmanagerSource(spec, SourceContext(clock=lambda: DEMO_TIME, user="test"))


async def test_replies_unchanged_byte_for_byte_give_the_last_data_and_a_changed_one_is_read():
    firing = {"silencedBy": [], "inhibitedBy": []}
    replies = {"a.example": reply_with(firing, "disk full"), "b.example": reply_with(firing, "disk full")}
    down: set[str] = set()

    async def server(request: httpx.Request) -> httpx.Response:
        if request.url.host in down:
            return httpx.Response(503)
        return httpx.Response(200, json=replies[request.url.host])

    source = pair_source(server)
    try:
        first = await source.fetch()
        assert await source.fetch() is first  # nothing decoded, mapped or merged again
        replies["b.example"] = reply_with({"silencedBy": ["s1"], "inhibitedBy": []}, "disk full")
        changed = await source.fetch()  # am-a's reply is the same: read again all the same, to merge
        assert changed is not first
        db = next(i for i in changed.incidents if i.id == "f1")
        assert (db.status, db.instances) == ("firing", ("am-a", "am-b"))  # firing on am-a wins
        replies["a.example"] = reply_with({"silencedBy": ["s1"], "inhibitedBy": []}, "disk full")
        assert next(i for i in (await source.fetch()).incidents if i.id == "f1").status == "silenced"
        down.add("b.example")
        partial = await source.fetch()  # an instance down is never "unchanged"
        assert partial.warnings and all(i.instances == ("am-a",) for i in partial.incidents)
        down.clear()
        assert (await source.fetch()).warnings == ()
    finally:
        await source.aclose()
