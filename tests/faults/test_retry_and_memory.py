"""The hub's one retry policy over every HTTP source kind, Prometheus'
client included: 503 twice then recovered within one refresh, 429 waited
out for as long as Retry-After says. And memory stays bounded by
max_response_bytes however large the reply (allocations traced while the
fetch runs: deterministic, unlike RSS)."""

from __future__ import annotations

import tracemalloc

import pytest

from fault_world import KINDS, LIMIT
from cockpit.resilience import RetryPolicy


@pytest.mark.parametrize("kind", KINDS)
async def test_503_twice_then_recovered_within_one_refresh(kind, faults, hub_for):
    waits = []

    async def sleep(seconds):
        waits.append(seconds)

    hub = hub_for(kind, retry=RetryPolicy(), sleep=sleep)
    faults.set("503", fail_times=2)
    [health] = (await hub.refresh_all()).sources
    assert health.state != "failing", health.error
    # A 503 that fell on Prometheus' status page leaves only the retention unknown, and says so.
    assert all(w.startswith("retention not known") for w in health.warnings), health.warnings
    assert faults.requests["503"] == 2
    # Each failed attempt waited as the policy says (Prometheus and PagerDuty send requests in parallel:
    # both failures may fall in one attempt).
    assert waits and waits == [1.0, 2.0][:len(waits)]


@pytest.mark.parametrize("kind", KINDS)
async def test_429_waits_for_retry_after(kind, faults, hub_for):
    waits = []

    async def sleep(seconds):
        waits.append(seconds)
        faults.set("ok")  # the server is ready by the time asked

    hub = hub_for(kind, retry=RetryPolicy(), sleep=sleep)
    faults.set("429", retry_after=7)
    [health] = (await hub.refresh_all()).sources
    assert health.state in ("ok", "degraded") and not health.error, health.error
    # Prometheus reads its retention alongside the queries, once: when that read met the 429
    # (it races the first query), the source says the retention is not known, and nothing else.
    assert all(w.startswith("retention not known") and "429" in w for w in health.warnings), health.warnings
    assert waits == [7.0]  # Retry-After, not the policy's own 1 s


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fault", ["huge", "endless"])
async def test_a_50_mb_or_endless_reply_costs_at_most_the_limit(kind, fault, faults, hub_for):
    hub = hub_for(kind)
    await hub.refresh_all()  # connections, caches and the first snapshot are made before measuring
    faults.set(fault)
    tracemalloc.start()
    try:
        [health] = (await hub.refresh_all()).sources
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "reply larger than 1 MiB" in health.error
    assert peak < 3 * LIMIT, f"{peak / 2**20:.1f} MiB allocated at the peak"  # the reply is 50 MB or more
