"""The retry policy and circuit breaker (fake sleep and clock), and the
shared HTTP helper's translation of failures into retryable or final errors."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from cockpit.resilience import CLOSED, HALF_OPEN, OPEN, CircuitBreaker, RetryPolicy
from cockpit.sources.base import SourceError, SourceSpec, TransientSourceError
from cockpit.sources.http import RateLimitedError, make_client, parse_retry_after, send


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    """An async sleep that only records what it was asked to wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def failing(errors):
    """An attempt function raising each of ``errors`` in turn, then returning "ok"."""
    calls = []

    async def attempt():
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return "ok"

    return attempt, calls


def test_seed_defaults():
    policy = RetryPolicy()
    assert (policy.tries, policy.initial_delay, policy.multiplier, policy.max_delay) == (3, 1.0, 2.0, 30.0)
    breaker = CircuitBreaker()
    assert (breaker.failure_threshold, breaker.window, breaker.reset_after) == (5, 60.0, 300.0)


def test_delays_double_and_are_capped():
    assert list(RetryPolicy(tries=8, initial_delay=1, multiplier=2, max_delay=30).delays()) == [1, 2, 4, 8, 16, 30, 30]
    assert list(RetryPolicy(tries=1).delays()) == []


async def test_transient_errors_are_retried_until_success():
    sleep = Recorder()
    attempt, calls = failing([TransientSourceError("503"), TransientSourceError("503")])
    assert await RetryPolicy().run(attempt, sleep=sleep) == "ok"
    assert len(calls) == 3
    assert sleep.waits == [1.0, 2.0]


async def test_gives_up_after_tries_with_last_error():
    sleep = Recorder()
    attempt, calls = failing([TransientSourceError(f"fail {n}") for n in range(5)])
    with pytest.raises(TransientSourceError, match="fail 2"):
        await RetryPolicy(tries=3).run(attempt, sleep=sleep)
    assert len(calls) == 3
    assert sleep.waits == [1.0, 2.0]


@pytest.mark.parametrize("error", [SourceError("authentication failed"), ValueError("bug")])
async def test_non_retryable_errors_are_not_retried(error):
    sleep = Recorder()
    attempt, calls = failing([error])
    with pytest.raises(type(error)):
        await RetryPolicy().run(attempt, sleep=sleep)
    assert len(calls) == 1 and sleep.waits == []


async def test_retry_after_is_honoured_or_gives_up_when_too_long():
    sleep = Recorder()
    attempt, calls = failing([RateLimitedError("429", retry_after=7)])
    assert await RetryPolicy().run(attempt, sleep=sleep) == "ok"
    assert sleep.waits == [7]

    sleep = Recorder()
    attempt, calls = failing([RateLimitedError("429", retry_after=120)])
    with pytest.raises(RateLimitedError):
        await RetryPolicy(max_delay=30).run(attempt, sleep=sleep)
    assert len(calls) == 1 and sleep.waits == []


def test_breaker_opens_after_threshold_failures_within_window():
    clock = FakeClock()
    breaker = CircuitBreaker(clock=clock)
    for _ in range(4):
        breaker.record_failure()
        clock.now += 10
    assert breaker.state == CLOSED and breaker.allow()
    breaker.record_failure()  # the fifth, 40 s after the first
    assert breaker.state == OPEN
    assert not breaker.allow()


def test_failures_spread_beyond_the_window_do_not_open():
    clock = FakeClock()
    breaker = CircuitBreaker(clock=clock)
    for _ in range(10):
        breaker.record_failure()
        clock.now += 16  # 5 failures span 64 s > 60 s
    assert breaker.state == CLOSED


def test_success_resets_the_failure_count():
    clock = FakeClock()
    breaker = CircuitBreaker(clock=clock)
    for _ in range(4):
        breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.state == CLOSED


def test_half_open_lets_one_trial_through_and_success_closes():
    clock = FakeClock()
    breaker = CircuitBreaker(clock=clock)
    for _ in range(5):
        breaker.record_failure()
    clock.now += 299
    assert breaker.state == OPEN and not breaker.allow()
    assert breaker.retry_in() == pytest.approx(1)
    clock.now += 1
    assert breaker.state == HALF_OPEN
    assert breaker.allow()  # the trial
    assert not breaker.allow()  # nobody else while it runs
    breaker.record_success()
    assert breaker.state == CLOSED and breaker.allow()


def test_failed_trial_reopens_for_another_full_period():
    clock = FakeClock()
    breaker = CircuitBreaker(clock=clock)
    for _ in range(5):
        breaker.record_failure()
    clock.now += 300
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state == OPEN
    clock.now += 299
    assert breaker.state == OPEN
    clock.now += 1
    assert breaker.state == HALF_OPEN


# -- the shared HTTP helper: httpx failures become SourceErrors -------------

TOKEN = "s3cr3t-token-value"


def http_spec(handler, **options) -> SourceSpec:
    return SourceSpec(kind="test", name="test", refresh=timedelta(seconds=30), timeout=timedelta(seconds=5),
                      options={"transport": httpx.MockTransport(handler), **options}, base_dir=Path("."))


async def get(handler, path="/api/v2/alerts?token=" + TOKEN, **options):
    spec = http_spec(handler, headers={"Authorization": f"Bearer {TOKEN}"}, **options)
    async with make_client(spec, base_url="https://am.example:9093") as client:
        return await send(client, "GET", path)


async def test_success_returns_the_response_and_sends_configured_headers():
    seen = {}

    def handler(request):
        seen.update(request.headers)
        return httpx.Response(200, json={"ok": True})

    response = await get(handler)
    assert response.json() == {"ok": True}
    assert seen["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_server_errors_are_retryable(status):
    with pytest.raises(TransientSourceError) as caught:
        await get(lambda request: httpx.Response(status, text="upstream down"))
    assert caught.value.retryable
    assert f"HTTP {status}" in str(caught.value) and "upstream down" in str(caught.value)


@pytest.mark.parametrize("status", [401, 403])
async def test_auth_errors_are_clear_and_not_retryable(status):
    with pytest.raises(SourceError) as caught:
        await get(lambda request: httpx.Response(status, text=f"bad token {TOKEN}"))
    assert not caught.value.retryable
    assert "authentication failed" in str(caught.value)
    assert TOKEN not in str(caught.value)


async def test_other_client_errors_are_not_retryable_and_echoed_secrets_are_scrubbed():
    with pytest.raises(SourceError) as caught:
        await get(lambda request: httpx.Response(400, text=f"bad matcher; you sent Bearer {TOKEN}"))
    message = str(caught.value)
    assert not caught.value.retryable
    assert "HTTP 400" in message and "bad matcher" in message
    assert TOKEN not in message


async def test_429_carries_retry_after_seconds():
    with pytest.raises(RateLimitedError) as caught:
        await get(lambda request: httpx.Response(429, headers={"Retry-After": "12"}))
    assert caught.value.retry_after == 12
    assert caught.value.retryable


def test_retry_after_as_http_date():
    now = datetime(2026, 11, 28, 3, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("Sat, 28 Nov 2026 03:00:30 GMT", now=now) == 30
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None) is None


@pytest.mark.parametrize("exc", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"),
                                 httpx.RemoteProtocolError("eof")])
async def test_transport_failures_are_retryable_and_name_only_host_and_path(exc):
    def handler(request):
        raise exc

    with pytest.raises(TransientSourceError) as caught:
        await get(handler)
    message = str(caught.value)
    assert "https://am.example:9093/api/v2/alerts" in message
    assert TOKEN not in message  # the query string may hold a token


async def test_missing_ca_file_is_a_source_error():
    with pytest.raises(SourceError, match="ca_file"):
        await get(lambda request: httpx.Response(200), ca_file="/nonexistent/ca.pem")
