"""PagerDuty (REST API v2) as an incidents and on-call source: open
incidents, who is on call now per escalation policy and level, who was
paged over the last ``pages_since`` (notify log entries), and
acknowledge / resolve / note as writes (which PagerDuty attributes to the
user named in the ``From`` header).

The token (from ``${VAR}`` or ``token_file``) goes only into the
Authorization header; it is never part of a message, and http.py scrubs
header values from any echoed error body. Replies are decoded and mapped in
a worker thread (a page of 100,000 incidents must not stall the screen) and
their shape checked (sources.reply_shape).
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Mapping

import httpx

from cockpit import secrets
from cockpit.config_schema import HttpUrl
from cockpit.model import SEVERITIES, Incident, OnCall, Page, SourceData, frozen_map
from cockpit.oncall_health import first_pages
from cockpit.problems import Problem
from cockpit.sources.base import (
    CheckResult,
    OptionSpec,
    Source,
    SourceContext,
    SourceError,
    SourceSpec,
)
from cockpit.writes import Action, ActionResult
from cockpit.sources.http import AUTH_STATUS, HTTP_OPTIONS, make_client, send
from cockpit.sources.reply_shape import expect, field_of
from cockpit.sources.threads import in_daemon_thread

DEFAULT_BASE_URL = "https://api.pagerduty.com"
ACCEPT = "application/vnd.pagerduty+json;version=2"
OPEN_STATUSES = ("triggered", "acknowledged")
PAGE_LIMIT = 100  # PagerDuty's maximum page size
# A list that still says `more: true` after this many pages is read no further
# (5,000 items at full pages): the vendor's own examples say `more` forever.
MAX_PAGES = 50
STATUS = {"triggered": "firing", "acknowledged": "acknowledged", "resolved": "resolved"}
# Without a PagerDuty priority, urgency decides: high pages someone now.
URGENCY_SEVERITY = {"high": "P2", "low": "P3"}
ID_BATCH = 25  # escalation policy ids per /oncalls request, to keep URLs short


class PagerDutySource(Source):
    kind = "pagerduty"
    provides = frozenset({"incidents", "oncall", "pages"})
    actions = frozenset({"ack", "resolve", "note"})
    options = {
        **HTTP_OPTIONS,
        "token": OptionSpec(str, help="REST API key; write ${PAGERDUTY_TOKEN}, never the key itself "
                                      "(or give token_file)"),
        "token_file": OptionSpec(str, help="file holding the REST API key (its first line), e.g. a mounted secret"),
        "from": OptionSpec(str, help="email of a PagerDuty user: required to acknowledge, resolve or note"),
        "services": OptionSpec(dict, help="PagerDuty service id -> catalog service, e.g. {PIJ90N7: api-server}"),
        "base_url": OptionSpec(HttpUrl, help=f"default {DEFAULT_BASE_URL}"),
        "pages_since": OptionSpec(timedelta, help="read who was paged over this past span (log entries) for the "
                                                  "On-call view, e.g. 42d; default: not read"),
    }

    def __init__(self, spec: SourceSpec, context: SourceContext) -> None:
        super().__init__(spec, context)
        self.service_map = {str(k): str(v) for k, v in dict(spec.options.get("services") or {}).items()}
        self._client: httpx.AsyncClient | None = None

    @classmethod
    def check(cls, spec: SourceSpec) -> CheckResult:
        result = CheckResult()
        lines = getattr(spec.options, "key_lines", {}) or {}
        sender = spec.options.get("from")
        if sender is not None and "@" not in str(sender):
            result.problems.append(Problem(spec.config_file, lines.get("from", spec.line), f"{spec.name}.from",
                                           "must be the email address of a PagerDuty user"))
        token, token_file = spec.options.get("token"), spec.options.get("token_file")
        where = (spec.config_file, lines.get("token", spec.line), f"{spec.name}.token")
        if token is not None and token_file is not None:
            result.problems.append(Problem(*where, "give token or token_file, not both"))
        elif token_file is not None:
            try:
                read_token(spec)
            except SourceError as error:
                result.problems.append(Problem(spec.config_file, lines.get("token_file", spec.line),
                                               f"{spec.name}.token_file", str(error)))
        elif not str(token or "").strip():
            result.problems.append(Problem(*where, "is empty: set it to ${PAGERDUTY_TOKEN} and export that variable "
                                                   "(or give token_file)"))
        elif not getattr(token, "variables", ()):  # the config marks values expanded from ${VAR}s
            result.problems.append(Problem(*where, "write ${PAGERDUTY_TOKEN} (or another variable), never the key "
                                                   "itself: config files get shared and committed"))
        return result

    # --- reading ------------------------------------------------------------

    async def fetch(self) -> SourceData:
        warnings: list[str] = []
        # date_range=all: without it PagerDuty lists only the last month, and an
        # incident opened earlier but still open would be missed.
        incident_query = [("date_range", "all"), *(("statuses[]", s) for s in OPEN_STATUSES)]
        incidents, oncall, notified = await _together(
            self._paged("/incidents", "incidents", incident_query, warnings),
            self._oncall(warnings),
            self._notifications(warnings),
        )
        opened = await in_daemon_thread(lambda: [self._to_incident(raw) for raw in incidents])
        pages = await in_daemon_thread(lambda: first_pages(p for raw in notified if (p := self._to_page(raw))))
        return SourceData(
            incidents=tuple(i for i in opened if i is not None and i.is_open),
            oncall=tuple(oncall),
            pages=tuple(pages),
            warnings=tuple(warnings),
        )

    async def _notifications(self, warnings: list[str]) -> list[Mapping]:
        """The log entries of the last ``pages_since`` (none when not set)."""
        span = self.spec.options.get("pages_since")
        if not span:
            return []
        until = self.context.clock().astimezone(timezone.utc)
        query = [("since", (until - span).isoformat()), ("until", until.isoformat()), ("time_zone", "UTC"),
                 ("is_overview", "false")]
        return await self._paged("/log_entries", "log_entries", query, warnings)

    def _to_page(self, raw: Mapping) -> Page | None:
        """A notify log entry as a page of the user it notified (the
        published NotifyLogEntry: a LogEntry with ``user``)."""
        if raw.get("type") != "notify_log_entry":
            return None
        at, incident = _time(raw.get("created_at")), _ref(raw.get("incident"))
        if at is None or not incident.get("id") or not isinstance(raw.get("user"), Mapping):
            return None
        service = _ref(raw.get("service"))
        return Page(at=at, user=_user_name(raw.get("user")), incident_id=incident["id"],
                    service=self.service_map.get(service.get("id", ""), service.get("summary", "")),
                    title=incident.get("summary", ""), source=self.name)

    def _to_incident(self, raw: Mapping) -> Incident | None:
        if not raw.get("id"):
            return None
        service = _ref(raw.get("service"))
        policy = _ref(raw.get("escalation_policy"))
        priority = _ref(raw.get("priority")).get("summary", "")
        urgency = str(raw.get("urgency") or "")
        status = str(raw.get("status") or "triggered")
        assignees = [_ref(a.get("assignee")).get("summary", "") for a in raw.get("assignments") or ()
                     if isinstance(a, Mapping)]
        labels = {"pd_service": service.get("summary", ""), "pd_service_id": service.get("id", ""),
                  "escalation_policy": policy.get("summary", ""), "urgency": urgency, "priority": priority}
        return Incident(
            id=str(raw["id"]),
            title=str(raw.get("title") or raw.get("summary") or raw["id"]),
            severity=_severity(priority, urgency),
            status=STATUS.get(status, status),
            service=self.service_map.get(service.get("id", ""), service.get("summary", "")),
            started_at=_time(raw.get("created_at")) or datetime(1970, 1, 1, tzinfo=timezone.utc),
            source=self.name,
            resolved_at=_time(raw.get("resolved_at")),
            acknowledged=status == "acknowledged",
            labels=frozen_map({k: v for k, v in labels.items() if v}),
            annotations=frozen_map({"assigned_to": ", ".join(a for a in assignees if a)} if any(assignees) else {}),
            url=str(raw.get("html_url") or ""),
        )

    async def _oncall(self, warnings: list[str]) -> list[OnCall]:
        """Who is on call now for each (mapped) service: its escalation
        policy's on-calls, level by level."""
        services = await self._paged("/services", "services", [], warnings)
        by_policy: dict[str, list[str]] = {}
        for raw in services:
            if not raw.get("id") or (self.service_map and raw["id"] not in self.service_map):
                continue
            name = self.service_map.get(raw["id"]) or str(raw.get("name") or raw.get("summary") or raw["id"])
            policy = _ref(raw.get("escalation_policy")).get("id")
            if policy:
                by_policy.setdefault(policy, []).append(name)
        policies = sorted(by_policy)
        found = []
        for start in range(0, len(policies), ID_BATCH):
            ids = [("escalation_policy_ids[]", p) for p in policies[start:start + ID_BATCH]]
            found += await self._paged("/oncalls", "oncalls", ids, warnings)
        oncall = []
        for raw in found:
            policy = _ref(raw.get("escalation_policy"))
            user = _user_name(raw.get("user"))
            level = raw.get("escalation_level")
            if not isinstance(level, int):
                continue
            for service in by_policy.get(policy.get("id", ""), ()):
                oncall.append(OnCall(service=service, escalation_policy=policy.get("summary", ""), level=level,
                                     user=user, until=_time(raw.get("end")), source=self.name))
        return sorted(set(oncall), key=lambda o: (o.service, o.level, o.user))

    async def _paged(self, path: str, key: str, params: list[tuple[str, str]],
                     warnings: list[str]) -> list[Mapping]:
        """Every item of a classic (limit/offset/more) paginated list, each
        once. Reading ends when `more` is false, when a page brings nothing
        not already read (a server repeating itself: the vendor's examples
        say `more: true` forever), or after MAX_PAGES pages; the last two
        with a warning saying so."""
        items: dict[str, Mapping] = {}
        offset = 0
        for _ in range(MAX_PAGES):
            page = params + [("limit", str(PAGE_LIMIT)), ("offset", str(offset))]
            data = await in_daemon_thread(_json, await self._request("GET", path, params=page))
            origin = f"PagerDuty {path}"
            batch = [i for i in field_of(data, key, list, origin) if isinstance(i, Mapping)]
            expect(data.get("more", False), bool, "more", origin)
            before = len(items)
            items.update((_identity(item), item) for item in batch)
            if not batch or not data.get("more"):
                return list(items.values())
            if len(items) == before:
                warnings.append(f"PagerDuty {path}: the page at offset {offset} brought nothing new but said "
                                f"more: true; stopped there ({len(items)} read)")
                return list(items.values())
            offset += len(batch)
        warnings.append(f"PagerDuty {path}: stopped after {MAX_PAGES} pages ({len(items)} read) although "
                        "PagerDuty says there are more; the rest are not shown")
        return list(items.values())

    # --- writing ------------------------------------------------------------

    async def perform(self, action: Action) -> ActionResult:
        if action.name not in self.actions:
            return await super().perform(action)
        sender = str(self.spec.options.get("from") or "").strip()
        if not sender:
            raise SourceError(f"PagerDuty {action.name} needs `from:` in the {self.name} source: "
                              "the email of the PagerDuty user acting")
        if not action.target:
            raise SourceError(f"PagerDuty {action.name} needs an incident id")
        headers = {"From": sender}
        path = f"/incidents/{action.target}"
        if action.name == "note":
            text = str(action.params.get("text") or "").strip()
            if not text:
                raise SourceError("a note needs text")
            await self._request("POST", f"{path}/notes", json={"note": {"content": text}}, headers=headers)
            return ActionResult(True, f"added a note to PagerDuty incident {action.target}", action.target)
        status = "acknowledged" if action.name == "ack" else "resolved"
        body = {"incident": {"type": "incident_reference", "status": status}}
        await self._request("PUT", path, json=body, headers=headers)
        return ActionResult(True, f"{status} PagerDuty incident {action.target}", action.target)

    # --- plumbing -------------------------------------------------------------

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if self._client is None:
            self._client = make_client(
                self.spec,
                base_url=str(self.spec.options.get("base_url") or DEFAULT_BASE_URL),
                headers={"Authorization": f"Token token={read_token(self.spec)}",
                         "Accept": ACCEPT, "Content-Type": "application/json"},
            )
            self._client.event_hooks["response"].append(_refuse_auth_failure)
        return await send(self._client, method, path, **kwargs)

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()


async def _together(*jobs: Awaitable[Any]) -> list[Any]:
    """asyncio.gather, the other jobs cancelled as soon as one fails: gather
    leaves them running, still sending requests for a fetch that is over."""
    tasks = [asyncio.ensure_future(job) for job in jobs]
    try:
        return await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def read_token(spec: SourceSpec) -> str:
    """The API key: the ``token`` option, or the first line of ``token_file``
    (registered as a secret as soon as it is read)."""
    if spec.options.get("token_file") is None:
        return str(spec.options.get("token") or "")
    path = spec.path(str(spec.options["token_file"]))
    try:
        token = path.read_text(encoding="utf-8").strip().partition("\n")[0].strip()
    except (OSError, UnicodeDecodeError) as error:
        raise SourceError(f"cannot read {path} ({error.__class__.__name__})") from None
    secrets.add(token)
    if not token:
        raise SourceError(f"{path} is empty: it should hold the PagerDuty REST API key")
    return token


async def _refuse_auth_failure(response: httpx.Response) -> None:
    """Say plainly which credentials failed (http.py's message is generic)."""
    if response.status_code in AUTH_STATUS:
        raise SourceError(f"PagerDuty authentication failed (HTTP {response.status_code}): check the token "
                          "and, for writes, that `from` is a user of the account with the right role")


def _severity(priority: str, urgency: str) -> str:
    if priority in SEVERITIES:
        return priority
    if priority.startswith("P") and priority[1:].isdigit():
        return SEVERITIES[-1]  # P4, P5: below our lowest
    return URGENCY_SEVERITY.get(urgency, SEVERITIES[-1])


def _identity(item: Mapping) -> str:
    """An item's id; on-call entries have none, and are the same entry when
    every field is (offset pagination over a list that changes may repeat one)."""
    return f"id:{item['id']}" if item.get("id") else json.dumps(item, sort_keys=True, default=str)


def _user_name(value: Any) -> str:
    """A user reference's name: its summary is nullable in the published
    schema; its id is always there."""
    user = _ref(value)
    return user.get("summary") or (f"user {user['id']}" if user.get("id") else "unknown user")


def _ref(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items() if v is not None} if isinstance(value, Mapping) else {}


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise SourceError(f"PagerDuty {response.request.url.path}: reply is not JSON") from None


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
