"""The PagerDuty source through httpx's transport layer, answering with
responses recorded from the vendor's published examples
(tests/fixtures/pagerduty, derived by derive.py there). No live calls."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from cockpit.clock import fixed_clock
from cockpit.model import OnCall
from cockpit.resilience import RetryPolicy
from cockpit.sources import load_kind
from cockpit.sources.base import SourceContext, SourceError, SourceSpec
from cockpit.writes import Action
from cockpit.sources.http import RateLimitedError
from cockpit.sources.pagerduty import MAX_PAGES

FIXTURES = Path(__file__).parent / "fixtures" / "pagerduty"
TOKEN = "u+pd-TEST-T0KEN-value"


def recorded(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


class FakePagerDuty:
    """Serves the recorded responses by path (incident pages by offset) and
    keeps every request; ``queued`` responses are served first, in order."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.queued: list[httpx.Response] = []
        self.incident_page = lambda offset: recorded(f"incidents-page-{offset + 1}.json")
        self.oncalls = "oncalls.json"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.queued:
            return self.queued.pop(0)
        path, params = request.url.path, request.url.params
        if request.method == "GET" and path == "/incidents":
            return httpx.Response(200, json=self.incident_page(int(params["offset"])))
        if request.method == "GET" and path == "/services":
            return httpx.Response(200, json=recorded("services.json"))
        if request.method == "GET" and path == "/oncalls":
            return httpx.Response(200, json=recorded(self.oncalls))
        if request.method == "GET" and path == "/log_entries":
            page = {"0": "log-entries-page-1.json", "3": "log-entries-page-2.json"}.get(params["offset"])
            return httpx.Response(200, json=recorded(page)) if page else httpx.Response(400)
        if request.method == "PUT" and path.startswith("/incidents/"):
            return httpx.Response(200, json=recorded("incident-put.json"))
        if request.method == "POST" and path.endswith("/notes"):
            return httpx.Response(200, json=recorded("note-post.json"))
        return httpx.Response(404, json={"error": {"message": "Not Found", "code": 2100}})

    def made(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]


@pytest.fixture
def server() -> FakePagerDuty:
    return FakePagerDuty()


def make_source(server: FakePagerDuty, **options):
    options = {"token": TOKEN, "from": "earline@example.com", "services": {"PIJ90N7": "api-server"},
               "transport": httpx.MockTransport(server), **options}
    spec = SourceSpec(kind="pagerduty", name="pd", refresh=timedelta(seconds=60), timeout=timedelta(seconds=5),
                      options=options, base_dir=Path("."))
    return load_kind("pagerduty")(spec, SourceContext(clock=fixed_clock(), user="alice"))


async def test_open_incidents_across_three_pages(server):
    source = make_source(server)
    data = await source.fetch()
    pages = server.made("GET", "/incidents")
    assert [r.url.params["offset"] for r in pages] == ["0", "1", "2"]
    assert all(r.url.params.get_list("statuses[]") == ["triggered", "acknowledged"] for r in pages)
    assert all(r.url.params["date_range"] == "all" for r in pages)  # open incidents older than a month too
    assert data.warnings == ()  # the last page said more: false
    assert all(r.headers["Authorization"] == f"Token token={TOKEN}" for r in server.requests)
    assert all(r.headers["Accept"] == "application/vnd.pagerduty+json;version=2" for r in server.requests)

    incidents = {i.id: i for i in data.incidents}
    assert set(incidents) == {"PQMF62U", "PPVZH9X"}  # page 1's incident is already resolved
    acked = incidents["PQMF62U"]
    assert (acked.status, acked.acknowledged, acked.severity, acked.service) == ("acknowledged", True, "P2",
                                                                                 "api-server")
    assert acked.title == "The server is on fire."
    assert acked.started_at == datetime(2015, 10, 6, 21, 30, 42, tzinfo=timezone.utc)
    assert acked.url == "https://subdomain.pagerduty.com/incidents/PT4KHLK"
    assert acked.annotations["assigned_to"] == "Earline Greenholt"
    assert acked.labels["escalation_policy"] == "Another Escalation Policy"
    triggered = incidents["PPVZH9X"]
    assert (triggered.status, triggered.acknowledged, triggered.severity) == ("firing", False, "P3")
    assert triggered.service == "Unmapped Service"  # not in the catalog: listed as unowned, not dropped
    assert "priority" not in triggered.labels  # priority is null there (nullable): urgency decides
    await source.aclose()


async def test_who_is_on_call_per_policy_and_level(server):
    source = make_source(server)
    data = await source.fetch()
    [request] = server.made("GET", "/oncalls")
    assert request.url.params.get_list("escalation_policy_ids[]") == ["PT20YPA"]
    assert data.oncall == (OnCall(service="api-server", escalation_policy="Engineering Escalation Policy", level=2,
                                  user="Tim Wright", source="pd",
                                  until=datetime(2015, 3, 7, 20, 28, 51, tzinfo=timezone.utc)),)
    await source.aclose()


async def test_the_vendor_example_saying_more_forever_is_read_twice_then_stopped(server):
    """PagerDuty's published list example answers `more: true` at every
    offset with the same incident: the second page brings nothing new."""
    server.incident_page = lambda offset: recorded("incidents-page-1.json")
    source = make_source(server)
    data = await source.fetch()
    pages = server.made("GET", "/incidents")
    assert [r.url.params["offset"] for r in pages] == ["0", "1"]
    assert [w for w in data.warnings if "/incidents" in w] == [
        "PagerDuty /incidents: the page at offset 1 brought nothing new but said more: true; stopped there (1 read)"]
    await source.aclose()


async def test_a_list_that_never_ends_is_capped_with_a_warning(server):
    """A server inventing a new incident on every page (the acknowledged
    example with a fresh id each time) is read for MAX_PAGES pages only."""
    def endless(offset: int) -> dict:
        page = recorded("incidents-page-2.json")
        page["incidents"][0]["id"], page["offset"] = f"PNEW{offset:04d}", offset
        return page

    server.incident_page = endless
    source = make_source(server)
    data = await source.fetch()
    assert len(server.made("GET", "/incidents")) == MAX_PAGES == 50
    assert len(server.requests) == MAX_PAGES + 2  # and one /services, one /oncalls
    assert len(data.incidents) == MAX_PAGES
    assert data.warnings == ("PagerDuty /incidents: stopped after 50 pages (50 read) although PagerDuty says "
                             "there are more; the rest are not shown",)
    await source.aclose()


async def test_an_on_call_user_without_a_summary_is_kept_by_id(server):
    """user.summary is nullable in the published schema; the id is not."""
    server.oncalls = "oncalls-user-summary-null.json"
    source = make_source(server)
    data = await source.fetch()
    [entry] = data.oncall
    assert (entry.service, entry.level, entry.user) == ("api-server", 2, "user PT23IWX")
    await source.aclose()


async def test_no_oncall_query_when_no_mapped_service_has_a_policy(server):
    source = make_source(server, services={"POTHER1": "web-frontend"})
    data = await source.fetch()
    assert data.oncall == () and server.made("GET", "/oncalls") == []
    await source.aclose()


@pytest.mark.parametrize("name, status", [("ack", "acknowledged"), ("resolve", "resolved")])
async def test_ack_and_resolve_put_the_incident_with_from(server, name, status):
    source = make_source(server)
    result = await source.perform(Action(name, "PQMF62U"))
    [request] = server.requests
    assert (request.method, request.url.path) == ("PUT", "/incidents/PQMF62U")
    assert request.headers["From"] == "earline@example.com"
    assert json.loads(request.content) == {"incident": {"type": "incident_reference", "status": status}}
    assert result.ok and result.target == "PQMF62U" and status in result.message
    await source.aclose()


async def test_note_posts_the_text_with_from(server):
    source = make_source(server)
    result = await source.perform(Action("note", "PQMF62U", {"text": "Firefighters are on the scene."}))
    [request] = server.requests
    assert (request.method, request.url.path) == ("POST", "/incidents/PQMF62U/notes")
    assert request.headers["From"] == "earline@example.com"
    assert json.loads(request.content) == {"note": {"content": "Firefighters are on the scene."}}
    assert result.ok
    await source.aclose()


async def test_writes_need_from_and_send_nothing_without_it(server):
    source = make_source(server, **{"from": ""})
    with pytest.raises(SourceError, match="needs `from:`"):
        await source.perform(Action("ack", "PQMF62U"))
    assert server.requests == []


async def test_rate_limit_waits_retry_after_then_succeeds(server):
    server.queued.append(httpx.Response(429, headers={"Retry-After": "7"}, json={"error": {"code": 2020}}))
    source = make_source(server)
    with pytest.raises(RateLimitedError) as raised:
        await source.fetch()
    assert raised.value.retry_after == 7.0 and raised.value.retryable
    server.queued.append(httpx.Response(429, headers={"Retry-After": "7"}, json={"error": {"code": 2020}}))
    waits = []

    async def sleep(seconds):
        waits.append(seconds)

    data = await RetryPolicy().run(source.fetch, sleep=sleep)  # the hub's retry
    assert waits == [7.0]  # longer than the policy's own 1 s first delay
    assert {i.id for i in data.incidents} == {"PQMF62U", "PPVZH9X"}
    await source.aclose()


@pytest.mark.parametrize("status", [401, 403])
async def test_auth_failure_is_clear_and_never_shows_the_token(server, status):
    server.queued.append(httpx.Response(status, json={"error": {"message": f"Invalid token {TOKEN}"}}))
    source = make_source(server)
    with pytest.raises(SourceError) as raised:
        await source.fetch()
    assert str(raised.value).startswith("PagerDuty authentication failed")
    assert not raised.value.retryable
    assert TOKEN not in str(raised.value) and "T0KEN" not in str(raised.value)
    await source.aclose()


async def test_server_error_echoing_the_token_is_scrubbed(server):
    server.queued.append(httpx.Response(500, text=f"upstream failed for Token token={TOKEN}"))
    source = make_source(server)
    with pytest.raises(SourceError) as raised:
        await source.fetch()
    assert raised.value.retryable and TOKEN not in str(raised.value)
    await source.aclose()


def test_check_flags_a_bad_from_and_an_empty_token():
    spec = SourceSpec(kind="pagerduty", name="pd", refresh=timedelta(seconds=60), timeout=timedelta(seconds=5),
                      options={"token": " ", "from": "earline"}, base_dir=Path("."), config_file="cockpit.yaml",
                      line=7)
    problems = load_kind("pagerduty").check(spec).problems
    assert sorted(p.key for p in problems) == ["pd.from", "pd.token"]
    assert all(p.file == "cockpit.yaml" and p.line == 7 for p in problems)
    assert "${PAGERDUTY_TOKEN}" in next(p.message for p in problems if p.key == "pd.token")


def test_check_refuses_a_token_written_into_the_file():
    class FromEnvironment(str):  # what the config loader hands over for "${PAGERDUTY_TOKEN}"
        variables = ("PAGERDUTY_TOKEN",)

    def problems(token):
        spec = SourceSpec(kind="pagerduty", name="pd", refresh=timedelta(seconds=60), timeout=timedelta(seconds=5),
                          options={"token": token}, base_dir=Path("."))
        return [p.message for p in load_kind("pagerduty").check(spec).problems]

    assert problems(FromEnvironment(TOKEN)) == []
    [message] = problems(TOKEN)
    assert "never the key itself" in message and TOKEN not in message
