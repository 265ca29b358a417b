"""The hub with fake sources: concurrency, timeouts, retries, breaker, stale
data, periodic loops, read-only refusal and auditing of writes.

Nothing here really sleeps: retry and loop sleeps are injected, the breaker's
clock is a counter, and the only real timeout waits on a future that never
completes.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cockpit.audit import AuditLog, verify
from cockpit.config import Config
from cockpit.hub import READ_ONLY_REFUSAL, Hub
from cockpit.model import Incident, Service, SourceData
from cockpit.resilience import RetryPolicy
from cockpit.sources.base import Source, SourceContext, SourceError, SourceSpec, TransientSourceError
from cockpit.writes import Action, ActionResult

T0 = datetime(2026, 11, 28, 3, 0, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class Monotonic:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Sleeps:
    """Injected sleep: records each wait and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make_spec(name: str, *, timeout: float = 5, refresh: float = 30) -> SourceSpec:
    return SourceSpec(kind="fake", name=name, refresh=timedelta(seconds=refresh), timeout=timedelta(seconds=timeout),
                      options={}, base_dir=Path("."))


def service(name: str) -> Service:
    return Service(name=name, owner="team")


def incident(id: str, severity: str, minutes_ago: int) -> Incident:
    return Incident(id=id, title=id, severity=severity, status="investigating", service="",
                    started_at=T0 - timedelta(minutes=minutes_ago), source="fake")


class FakeSource(Source):
    """Returns (or raises) each of ``outcomes`` in turn; the last one repeats."""

    kind = "fake"
    provides = frozenset({"catalog", "incidents"})
    actions = frozenset({"note", "declare"})

    def __init__(self, name: str, *outcomes, timeout: float = 5, refresh: float = 30) -> None:
        super().__init__(make_spec(name, timeout=timeout, refresh=refresh), SourceContext(clock=lambda: T0))
        self.outcomes = list(outcomes) or [SourceData(services=(service(name),))]
        self.fetches = 0
        self.performed: list[Action] = []
        self.perform_outcome: ActionResult | Exception = ActionResult(True, "noted")

    async def fetch(self) -> SourceData:
        outcome = self.outcomes[min(self.fetches, len(self.outcomes) - 1)]
        self.fetches += 1
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    async def perform(self, action: Action) -> ActionResult:
        self.performed.append(action)
        if isinstance(self.perform_outcome, Exception):
            raise self.perform_outcome
        return self.perform_outcome


class GatedSource(FakeSource):
    """Each fetch waits until the test opens ``gate``; counts overlapping fetches."""

    def __init__(self, name: str, **kwargs) -> None:
        super().__init__(name, **kwargs)
        self.gate = asyncio.Event()
        self.started = asyncio.Event()
        self.running = 0
        self.most_at_once = 0

    async def fetch(self) -> SourceData:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        self.started.set()
        try:
            await self.gate.wait()
            return await super().fetch()
        finally:
            self.running -= 1


def health(snapshot, name):
    return next(h for h in snapshot.sources if h.name == name)


def make_hub(*sources, **kwargs) -> Hub:
    kwargs.setdefault("clock", Clock())
    kwargs.setdefault("sleep", Sleeps())
    return Hub(sources, **kwargs)


# -- reading -----------------------------------------------------------------

async def test_refresh_all_merges_every_source_and_sorts_incidents():
    a = FakeSource("a", SourceData(services=(service("api"),),
                                   incidents=(incident("late-p2", "P2", 5), incident("p1", "P1", 1))))
    b = FakeSource("b", SourceData(services=(service("db"),),
                                   incidents=(incident("early-p2", "P2", 50), incident("p0", "P0", 2))))
    clock = Clock()
    hub = make_hub(a, b, clock=clock)
    snapshot = await hub.refresh_all()
    assert [s.name for s in snapshot.services] == ["api", "db"]
    assert [i.id for i in snapshot.incidents] == ["p0", "p1", "early-p2", "late-p2"]
    assert all(h.ok and h.fetched_at == T0 and not h.stale for h in snapshot.sources)
    assert snapshot.taken_at == T0 and snapshot.read_only is False


async def test_partial_failure_warnings_reach_the_health_line_with_the_data():
    warned = FakeSource("am", SourceData(services=(service("api"),), warnings=("am-2: connection refused",)))
    snapshot = await make_hub(warned).refresh_all()
    # Something was left out: degraded, so not ok, though nothing failed.
    assert health(snapshot, "am").state == "degraded" and not health(snapshot, "am").ok
    assert not health(snapshot, "am").failing and health(snapshot, "am").error == ""
    assert health(snapshot, "am").warnings == ("am-2: connection refused",)
    assert [s.name for s in snapshot.services] == ["api"]


async def test_source_states_from_loading_to_ok_failing_and_degraded():
    source = FakeSource("a", SourceData(), TransientSourceError("refused"), SourceData(warnings=("w",)))
    hub = make_hub(source, retry=RetryPolicy(tries=1))
    states = [health(hub.snapshot(), "a").state]
    for _ in range(3):
        states.append(health(await hub.refresh("a"), "a").state)
    assert states == ["loading", "ok", "failing", "degraded"]


async def test_before_the_first_fetch_sources_say_so():
    snapshot = make_hub(FakeSource("a")).snapshot()
    assert not health(snapshot, "a").ok and health(snapshot, "a").error == "not fetched yet"
    assert health(snapshot, "a").state == "loading" and health(snapshot, "a").failing


async def test_sources_are_fetched_concurrently():
    # "a" can only finish once "b" has started: a sequential hub would time out on "a".
    a = GatedSource("a", timeout=5)
    b = FakeSource("b")
    original = b.fetch

    async def fetch_b():
        a.gate.set()
        return await original()

    b.fetch = fetch_b
    snapshot = await make_hub(a, b).refresh_all()
    assert health(snapshot, "a").ok and health(snapshot, "b").ok


async def test_slow_source_times_out_and_the_others_still_refresh():
    slow = GatedSource("slow", timeout=0.05)  # its gate never opens
    fine = FakeSource("fine")
    snapshot = await make_hub(slow, fine, retry=RetryPolicy(tries=1)).refresh_all()
    assert not health(snapshot, "slow").ok
    assert "timed out" in health(snapshot, "slow").error
    assert health(snapshot, "fine").ok
    assert [s.name for s in snapshot.services] == ["fine"]


async def test_transient_failures_are_retried_with_backoff():
    flaky = FakeSource("flaky", TransientSourceError("503"), TransientSourceError("503"), SourceData())
    sleeps = Sleeps()
    snapshot = await make_hub(flaky, sleep=sleeps).refresh_all()
    assert flaky.fetches == 3
    assert sleeps.waits == [1.0, 2.0]
    assert health(snapshot, "flaky").ok


async def test_retries_stop_after_three_tries_and_final_errors_are_not_retried():
    down = FakeSource("down", TransientSourceError("connection refused"))
    denied = FakeSource("denied", SourceError("authentication failed"))
    snapshot = await make_hub(down, denied).refresh_all()
    assert (down.fetches, denied.fetches) == (3, 1)
    assert health(snapshot, "down").error == "connection refused"
    assert health(snapshot, "denied").error == "authentication failed"


async def test_a_failing_source_waiting_to_retry_does_not_block_another():
    gate = asyncio.Event()
    retrying = asyncio.Event()

    async def blocking_sleep(seconds):
        retrying.set()
        await gate.wait()

    bad = FakeSource("bad", TransientSourceError("503"), SourceData())
    good = FakeSource("good")
    hub = make_hub(bad, good, sleep=blocking_sleep)
    pending = asyncio.create_task(hub.refresh("bad"))
    await retrying.wait()
    snapshot = await hub.refresh("good")  # completes while "bad" is still waiting
    assert health(snapshot, "good").ok and [s.name for s in snapshot.services] == ["good"]
    gate.set()
    await pending
    assert health(hub.snapshot(), "bad").ok


async def test_last_good_data_is_kept_and_marked_stale():
    source = FakeSource("cat", SourceData(services=(service("api"),)), TransientSourceError("503"))
    clock = Clock()
    hub = make_hub(source, clock=clock)
    await hub.refresh_all()
    clock.now = T0 + timedelta(minutes=2)
    snapshot = await hub.refresh_all()
    h = health(snapshot, "cat")
    assert [s.name for s in snapshot.services] == ["api"]
    assert (h.ok, h.stale, h.error, h.fetched_at) == (False, True, "503", T0)


async def test_a_source_bug_becomes_an_error_not_a_crash():
    buggy = FakeSource("buggy", ZeroDivisionError("oops"))
    wrong = FakeSource("wrong", ["not", "source", "data"])
    snapshot = await make_hub(buggy, wrong, FakeSource("fine")).refresh_all()
    assert "internal error" in health(snapshot, "buggy").error and buggy.fetches == 1
    assert "not SourceData" in health(snapshot, "wrong").error
    assert health(snapshot, "fine").ok


async def test_never_two_refreshes_of_one_source_at_once():
    source = GatedSource("one")
    hub = make_hub(source)
    first = asyncio.create_task(hub.refresh("one"))
    await source.started.wait()
    second = asyncio.create_task(hub.refresh("one"))
    third = asyncio.create_task(hub.refresh_all())
    await asyncio.sleep(0)  # let them reach the join
    source.gate.set()
    await asyncio.gather(first, second, third)
    assert source.fetches == 1 and source.most_at_once == 1
    assert health(hub.snapshot(), "one").ok
    await hub.refresh("one")  # once finished, a new request fetches again
    assert source.fetches == 2


# -- circuit breaker ---------------------------------------------------------------

async def test_breaker_opens_after_five_failures_in_a_minute_and_half_opens_after_five_minutes():
    source = FakeSource("down", TransientSourceError("connection refused"))
    monotonic = Monotonic()
    hub = make_hub(source, retry=RetryPolicy(tries=1), monotonic=monotonic)
    for _ in range(5):
        await hub.refresh("down")
        monotonic.now += 10
    h = health(hub.snapshot(), "down")
    assert h.breaker == "open" and "circuit breaker open" in h.error and "connection refused" in h.error

    await hub.refresh("down")  # skipped: the backend is left alone
    assert source.fetches == 5

    monotonic.now += 300
    assert health(hub.snapshot(), "down").breaker == "half-open"
    source.outcomes = [SourceData()]
    await hub.refresh("down")  # the trial
    assert source.fetches == 6
    h = health(hub.snapshot(), "down")
    assert h.breaker == "closed" and h.ok


async def test_failed_trial_reopens_the_breaker():
    source = FakeSource("down", TransientSourceError("503"))
    monotonic = Monotonic()
    hub = make_hub(source, retry=RetryPolicy(tries=1), monotonic=monotonic)
    for _ in range(5):
        await hub.refresh("down")
    monotonic.now += 300
    await hub.refresh("down")
    assert source.fetches == 6 and health(hub.snapshot(), "down").breaker == "open"


async def test_refresh_now_tries_an_open_breaker_at_once():
    source = FakeSource("down", TransientSourceError("503"))
    monotonic = Monotonic()
    hub = make_hub(source, retry=RetryPolicy(tries=1), monotonic=monotonic)
    for _ in range(5):
        await hub.refresh("down")
    assert "ctrl+r tries now" in health(hub.snapshot(), "down").error
    await hub.refresh_all()
    assert source.fetches == 5  # a periodic refresh leaves the open breaker alone
    source.outcomes = [SourceData(services=(service("back"),))]
    snapshot = await hub.refresh_now()  # ctrl+r: no five-minute wait
    assert source.fetches == 6
    assert health(snapshot, "down").breaker == "closed" and health(snapshot, "down").ok
    assert [s.name for s in snapshot.services] == ["back"]


async def test_refresh_now_whose_trial_fails_keeps_the_breaker_open():
    source = FakeSource("down", TransientSourceError("503"))
    hub = make_hub(source, retry=RetryPolicy(tries=3), monotonic=Monotonic())
    for _ in range(5):
        await hub.refresh("down")
    await hub.refresh_now()
    assert source.fetches == 6  # one trial, no retries against an open breaker
    assert health(hub.snapshot(), "down").breaker == "open"


async def test_breaker_counts_every_attempt_and_stops_retries_once_open():
    # Default policy: 3 attempts per refresh; the 5th failed attempt (2nd of
    # the second refresh) opens the breaker, so the 6th is never made.
    source = FakeSource("down", TransientSourceError("503"))
    hub = make_hub(source, monotonic=Monotonic())
    await hub.refresh("down")
    await hub.refresh("down")
    assert source.fetches == 5
    assert health(hub.snapshot(), "down").breaker == "open"


# -- periodic loops and subscribers ---------------------------------------------------

async def test_loop_rearms_only_after_the_previous_refresh_finished():
    source = GatedSource("one", refresh=30)
    slept = asyncio.Event()
    wake = asyncio.Event()
    waits = []

    async def sleep(seconds):
        waits.append(seconds)
        slept.set()
        await wake.wait()

    hub = make_hub(source, sleep=sleep)
    snapshots = []
    hub.subscribe(snapshots.append)
    hub.start()
    await source.started.wait()
    for _ in range(5):
        await asyncio.sleep(0)
    assert waits == [] and snapshots == []  # still fetching: not re-armed yet
    source.gate.set()
    await slept.wait()
    assert waits == [30.0] and source.fetches == 1
    assert len(snapshots) == 1 and health(snapshots[0], "one").ok
    slept.clear()
    wake.set()
    await slept.wait()
    wake.clear()
    assert source.fetches == 2 and len(snapshots) == 2
    await hub.stop()
    assert source.most_at_once == 1


async def test_subscribers_get_each_snapshot_and_can_unsubscribe():
    hub = make_hub(FakeSource("a"))
    got = []

    def broken(snapshot):
        raise RuntimeError("subscriber bug")

    hub.subscribe(broken)  # must not stop the others
    unsubscribe = hub.subscribe(got.append)
    await hub.refresh_all()
    await hub.refresh("a")
    assert len(got) == 2 and [s.name for s in got[-1].services] == ["a"]
    unsubscribe()
    await hub.refresh("a")
    assert len(got) == 2


# -- writes -----------------------------------------------------------------------

def audit_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


async def test_read_only_refuses_before_the_source_sees_it_and_audits(tmp_path):
    source = FakeSource("log")
    audit = AuditLog(tmp_path / "audit.jsonl", Clock())
    hub = make_hub(source, read_only=True, audit=audit, user="alice")
    assert not hub.can("note") and not hub.can("note", "log")
    result = await hub.perform("log", Action("note", "INC-1", {"text": "hi"}))
    assert not result.ok and "read-only" in result.message
    assert source.performed == [] and source.fetches == 0
    (line,) = audit_lines(tmp_path / "audit.jsonl")
    assert (line["user"], line["action"], line["target"], line["source"]) == ("alice", "note", "INC-1", "log")
    assert READ_ONLY_REFUSAL in line["result"]
    assert hub.snapshot().read_only


async def test_every_write_attempt_is_audited_without_its_parameters(tmp_path):
    source = FakeSource("log")
    path = tmp_path / "audit.jsonl"
    hub = make_hub(source, audit=AuditLog(path, Clock()), user="alice")
    assert hub.can("note") and not hub.can("silence")
    assert hub.can("note", "log") and not hub.can("note", "nope") and not hub.can("silence", "log")

    ok = await hub.perform("log", Action("note", "INC-1", {"text": "token=hunter2"}))
    refused = await hub.perform("log", Action("silence", "fp"))
    missing = await hub.perform("nope", Action("note", "INC-1"))
    source.perform_outcome = SourceError("incident INC-9 not found")
    failed = await hub.perform("log", Action("note", "INC-9"))
    source.perform_outcome = ValueError("bug")
    crashed = await hub.perform("log", Action("note", "INC-2"))

    assert ok.ok and not refused.ok and not missing.ok and not failed.ok and not crashed.ok
    assert "not found" in failed.message and "internal error" in crashed.message
    assert [a.target for a in source.performed] == ["INC-1", "INC-9", "INC-2"]
    lines = audit_lines(path)
    assert [(line["action"], line["target"], line["result"].split(":")[0]) for line in lines] == [
        ("note", "INC-1", "ok"), ("silence", "fp", "failed"), ("note", "INC-1", "failed"),
        ("note", "INC-9", "failed"), ("note", "INC-2", "failed")]
    assert "hunter2" not in path.read_text()
    assert verify(path).ok


async def test_a_write_refreshes_its_source_and_a_declare_audits_the_new_id(tmp_path):
    source = FakeSource("log")
    source.perform_outcome = ActionResult(True, "declared", target="INC-42")
    path = tmp_path / "audit.jsonl"
    hub = make_hub(source, audit=AuditLog(path, Clock()))
    seen = []
    hub.subscribe(seen.append)
    result = await hub.perform("log", Action("declare", params={"title": "db down"}))
    assert result.target == "INC-42"
    assert source.fetches == 1 and len(seen) == 1
    assert audit_lines(path)[0]["target"] == "INC-42"


async def test_an_unwritable_audit_log_is_reported_with_the_result(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    hub = make_hub(FakeSource("log"), audit=AuditLog(blocker / "audit.jsonl", Clock()))
    result = await hub.perform("log", Action("note", "INC-1"))
    assert result.ok and "audit log not written" in result.message


# -- from config --------------------------------------------------------------------

async def test_from_config_turns_an_unloadable_kind_into_a_failing_source(tmp_path):
    spec = SourceSpec(kind="no-such-kind", name="ghost", refresh=timedelta(seconds=30),
                      timeout=timedelta(seconds=5), options={}, base_dir=tmp_path)
    config = Config(path=tmp_path / "cockpit.yaml", sources=(spec,), user="bob", read_only=True,
                    data_dir=tmp_path, audit_log=tmp_path / "audit.jsonl")
    hub = Hub.from_config(config, Clock())
    snapshot = await hub.refresh_all()
    ghost = health(snapshot, "ghost")
    assert not ghost.ok and "no-such-kind" in ghost.error and ghost.kind == "no-such-kind"
    assert hub.read_only and hub.user == "bob"
    await hub.perform("ghost", Action("note", "x"))
    assert audit_lines(tmp_path / "audit.jsonl")[0]["user"] == "bob"
    await hub.aclose()


def test_duplicate_source_names_are_rejected():
    with pytest.raises(ValueError):
        Hub([FakeSource("a"), FakeSource("a")], clock=Clock())


def test_from_config_read_only_override(tmp_path):
    config = Config(path=tmp_path / "cockpit.yaml", audit_log=tmp_path / "audit.jsonl")
    assert not Hub.from_config(config, Clock()).read_only
    assert Hub.from_config(config, Clock(), read_only=True).read_only


async def test_incidents_come_out_as_one_sort_of_every_source_would_give_them():
    """Each source's incidents are sorted once per fetch and merged on every
    publish; the result must be what sorting them all together gives, ties in
    source order, and follow a source's new data."""
    import random

    rng = random.Random(5)

    def batch(prefix: str) -> tuple[Incident, ...]:
        return tuple(incident(f"{prefix}{n}", rng.choice(["P0", "P1", "P2", "P3", "odd"]), rng.randrange(6))
                     for n in range(40))

    a, b = batch("a"), batch("b")
    first, then = batch("c"), batch("d")
    hub = make_hub(FakeSource("a", SourceData(incidents=a)), FakeSource("b", SourceData(incidents=b)),
                   FakeSource("c", SourceData(incidents=first), SourceData(incidents=then)))

    def one_sort(*parts) -> list[str]:
        rank = {"P0": 0, "P1": 1, "P2": 2, "P3": 3}
        return [i.id for i in sorted((i for part in parts for i in part),
                                     key=lambda i: (rank.get(i.severity, 4), i.started_at))]

    assert [i.id for i in (await hub.refresh_all()).incidents] == one_sort(a, b, first)
    assert [i.id for i in hub.snapshot().incidents] == one_sort(a, b, first)
    assert [i.id for i in (await hub.refresh_all()).incidents] == one_sort(a, b, then)


async def test_alerts_are_joined_to_the_catalog_and_unchanged_ones_keep_their_joined_copy():
    catalog = FakeSource("catalog", SourceData(services=(
        Service("payments-api", "payments", alerts=('{namespace="payments"}',)), service("checkout"))))
    crash = Incident("fp-1", "KubePodCrashLooping", "P3", "firing", "kube-state-metrics", T0, "am", kind="alert",
                     labels={"alertname": "KubePodCrashLooping", "namespace": "payments",
                             "service": "kube-state-metrics"})
    down = Incident("fp-2", "TargetDown", "P3", "firing", "node-exporter", T0, "am", kind="alert",
                    labels={"alertname": "TargetDown", "service": "node-exporter", "job": "checkout"})
    # The second fetch is new data holding the same Incident objects (what the
    # Alertmanager source does for alerts that did not change).
    alerts = FakeSource("am", SourceData(incidents=(crash, down)), SourceData(incidents=(crash, down)))
    hub = make_hub(catalog, alerts)
    first = await hub.refresh_all()
    joined = {i.id: i for i in first.incidents}
    assert (joined["fp-1"].service, joined["fp-1"].service_hint) == ("payments-api", "")  # claimed by namespace
    assert (joined["fp-2"].service, joined["fp-2"].service_hint) == ("checkout", "")  # job, after service
    again = await hub.refresh_all()
    assert alerts.fetches == 2
    assert [a is b for a, b in zip(first.incidents, again.incidents)] == [True, True]
    assert crash.service == "kube-state-metrics"  # the source's own objects are never changed


# -- lists beyond the snapshot (silences) --------------------------------------------

class SilencingSource(FakeSource):
    """Lists silences: each call returns (or raises) the next of ``listings``."""

    lists = frozenset({"silences"})
    actions = frozenset({"silence", "expire"})

    def __init__(self, name: str, *listings, timeout: float = 5) -> None:
        super().__init__(name, timeout=timeout)
        self.listings = list(listings)
        self.listed = 0

    async def list_silences(self, include_expired: bool = False) -> tuple:
        outcome = self.listings[min(self.listed, len(self.listings) - 1)]
        self.listed += 1
        if isinstance(outcome, BaseException):
            raise outcome
        if outcome == "hang":
            await asyncio.Event().wait()
        return outcome


async def test_silences_are_listed_through_the_retry_policy_and_each_failure_is_named():
    flaky = SilencingSource("am-1", TransientSourceError("503 from am-1"), ("silence-a",))
    down = SilencingSource("am-2", SourceError("connection refused"))
    hub = make_hub(flaky, down, FakeSource("log"), sleep=Sleeps())
    silences, problems = await hub.list_silences()
    assert silences == ("silence-a",) and flaky.listed == 2  # retried once, as fetches are
    assert problems == ("am-2: connection refused",) and down.listed == 1  # a final error is not retried


async def test_a_hung_silence_listing_times_out_under_the_sources_timeout():
    hung = SilencingSource("am", "hang", timeout=0.01)
    silences, problems = await make_hub(hung, retry=RetryPolicy(tries=1)).list_silences()
    assert silences == () and problems == ("am: timed out after 0.01s",)


async def test_an_open_breaker_skips_the_silence_listing_too():
    source = SilencingSource("am", ("silence-a",))
    source.outcomes = [TransientSourceError("connection refused")]
    hub = make_hub(source, retry=RetryPolicy(tries=1), monotonic=Monotonic())
    for _ in range(5):
        await hub.refresh_all()
    silences, problems = await hub.list_silences()
    assert source.listed == 0 and silences == ()
    assert "circuit breaker open" in problems[0]


async def test_capabilities_say_which_source_takes_which_write_and_none_read_only():
    capabilities = make_hub(SilencingSource("am", ()), FakeSource("log")).capabilities
    assert capabilities.sources_that("silence") == ("am",) and capabilities.sources_that("note") == ("log",)
    assert capabilities.listing("silences") == ("am",)
    assert capabilities.can("expire", "am") and not capabilities.can("expire", "log")
    read_only = make_hub(SilencingSource("am", ()), read_only=True).capabilities
    assert not read_only.can("silence") and read_only.sources_that("silence") == ()
    assert read_only.listing("silences") == ("am",)  # reading stays allowed


async def test_a_service_two_catalogs_define_is_shown_once_and_the_second_source_says_so():
    first = FakeSource("catalog-a", SourceData(services=(Service("checkout", "payments"),)))
    second = FakeSource("catalog-b", SourceData(services=(Service("checkout", "someone-else"),
                                                          service("search"))))
    snapshot = await make_hub(first, second).refresh_all()
    assert [(s.name, s.owner) for s in snapshot.services] == [("checkout", "payments"), ("search", "team")]
    assert health(snapshot, "catalog-a").state == "ok"
    b = health(snapshot, "catalog-b")
    assert b.state == "degraded" and b.warnings == (
        "service 'checkout' is defined by catalog-a already: its copy here is not shown "
        "(cockpit check names both lines)",)
