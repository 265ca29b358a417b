"""Every HTTP source kind against every fault, through the hub: the source
fails with the error that names the fault, its last good data stays in the
snapshot with the time it was fetched (the age the panels show), nothing
logs a traceback, and it recovers on the next refresh once the server is
well again, without a restart."""

from __future__ import annotations

import logging
import re
import time

import pytest

from fault_world import KINDS, TIMEOUT_S, items
from fault_server import FAULTS

TIMED_OUT = r"timed out after [12]s|no complete reply within [12]s"  # the source's timeout, an instance's half
NOT_JSON = r"not JSON"
TOO_LARGE = r"reply larger than 1 MiB \(the source's max_response_bytes\)"
EXPECTED = {
    "refuse": r"cannot connect \(ConnectError\)",
    "hang": TIMED_OUT,
    "drip": TIMED_OUT,
    "503": r"HTTP 503 Service Unavailable: upstream unavailable",
    "429": r"rate limited \(HTTP 429, retry after 1s\)",
    "html": NOT_JSON,
    "truncated": NOT_JSON,
    "huge": TOO_LARGE,
    "wrong-shape": {
        "prometheus": r"unexpected reply from prometheus http://127\.0\.0\.1:\d+: data\.result is a string, "
                      r"expected a list",
        "alertmanager": r"am-1: unexpected reply from /api/v2/alerts/groups: the reply is an object, "
                        r"expected a list",
        # /incidents and /services are read at once: whichever answers first names the fault.
        "pagerduty": r"unexpected reply from PagerDuty /(incidents|services): \1 is a string, expected a list",
    },
    "endless": TOO_LARGE,
}


def test_every_fault_has_an_expected_error():
    assert set(EXPECTED) == set(FAULTS)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fault", FAULTS)
async def test_fault_degrades_the_source_keeps_its_data_and_recovers(kind, fault, faults, hub_for, clock, caplog):
    caplog.set_level(logging.DEBUG)
    hub = hub_for(kind)
    good = await hub.refresh_all()
    [health] = good.sources
    assert health.state == "ok", health.error
    fetched_at, kept = health.fetched_at, items(good, kind)
    assert kept

    faults.set(fault, fail_times=99)
    clock.advance(90)
    started = time.monotonic()
    failed = await hub.refresh_all()
    assert time.monotonic() - started < TIMEOUT_S + 0.5  # a reply that never completes costs one timeout
    [health] = failed.sources
    expected = EXPECTED[fault] if isinstance(EXPECTED[fault], str) else EXPECTED[fault][kind]
    assert health.state == "failing" and re.search(expected, health.error), health.error
    assert health.stale and health.fetched_at == fetched_at  # shown as "showing data from 1m ago"
    assert items(failed, kind) == kept
    assert "Traceback" not in health.error and "internal error" not in health.error
    assert not [r for r in caplog.records if r.exc_info], "a fault logged a traceback"

    faults.set("ok")
    clock.advance(30)
    recovered = await hub.refresh_all()
    [health] = recovered.sources
    assert health.state == "ok" and health.error == "" and not health.stale
    assert health.fetched_at == clock.now and items(recovered, kind)

