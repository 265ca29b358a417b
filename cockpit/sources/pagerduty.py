"""PagerDuty (REST API v2) as an incidents and on-call source: open
incidents, who is on call now per escalation policy and level, and
acknowledge / resolve / note as writes (which PagerDuty attributes to the
user named in the ``From`` header).

The token goes only into the Authorization header; it is never part of a
message, and http.py scrubs header values from any echoed error body.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any, Mapping

import httpx

from cockpit.config_schema import HttpUrl
from cockpit.model import SEVERITIES, Incident, OnCall, SourceData, frozen_map
from cockpit.sources.base import (
    Action,
    ActionResult,
    CheckResult,
    OptionSpec,
    Problem,
    Source,
    SourceContext,
    SourceError,
    SourceSpec,
)
from cockpit.sources.http import AUTH_STATUS, HTTP_OPTIONS, make_client, send

DEFAULT_BASE_URL = "https://api.pagerduty.com"
ACCEPT = "application/vnd.pagerduty+json;version=2"
OPEN_STATUSES = ("triggered", "acknowledged")
PAGE_LIMIT = 100  # PagerDuty's maximum page size
MAX_OFFSET = 10_000  # classic pagination stops here; more is a sign of a runaway query
STATUS = {"triggered": "firing", "acknowledged": "acknowledged", "resolved": "resolved"}
# Without a PagerDuty priority, urgency decides: high pages someone now.
URGENCY_SEVERITY = {"high": "P2", "low": "P3"}
ID_BATCH = 25  # escalation policy ids per /oncalls request, to keep URLs short


class PagerDutySource(Source):
    kind = "pagerduty"
    provides = frozenset({"incidents", "oncall"})
    actions = frozenset({"ack", "resolve", "note"})
    options = {
        **HTTP_OPTIONS,
        "token": OptionSpec(str, required=True, help="REST API key; write ${PAGERDUTY_TOKEN}, never the key itself"),
        "from": OptionSpec(str, help="email of a PagerDuty user: required to acknowledge, resolve or note"),
        "services": OptionSpec(dict, help="PagerDuty service id -> catalog service, e.g. {PIJ90N7: api-server}"),
        "base_url": OptionSpec(HttpUrl, help=f"default {DEFAULT_BASE_URL}"),
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
        token = spec.options.get("token") or ""
        where = (spec.config_file, lines.get("token", spec.line), f"{spec.name}.token")
        if not str(token).strip():
            result.problems.append(Problem(*where, "is empty: set it to ${PAGERDUTY_TOKEN} and export that variable"))
        elif not getattr(token, "variables", ()):  # the config marks values expanded from ${VAR}s
            result.problems.append(Problem(*where, "write ${PAGERDUTY_TOKEN} (or another variable), never the key "
                                                   "itself: config files get shared and committed"))
        return result

    # --- reading ------------------------------------------------------------

    async def fetch(self) -> SourceData:
        incidents, oncall = await asyncio.gather(
            self._paged("/incidents", "incidents", [("statuses[]", s) for s in OPEN_STATUSES]),
            self._oncall(),
        )
        opened = [self._to_incident(raw) for raw in _unique(incidents)]
        return SourceData(
            incidents=tuple(i for i in opened if i is not None and i.is_open),
            oncall=tuple(oncall),
        )

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

    async def _oncall(self) -> list[OnCall]:
        """Who is on call now for each (mapped) service: its escalation
        policy's on-calls, level by level."""
        services = await self._paged("/services", "services", [])
        by_policy: dict[str, list[str]] = {}
        for raw in _unique(services):
            if self.service_map and raw["id"] not in self.service_map:
                continue
            name = self.service_map.get(raw["id"]) or str(raw.get("name") or raw.get("summary") or raw["id"])
            policy = _ref(raw.get("escalation_policy")).get("id")
            if policy:
                by_policy.setdefault(policy, []).append(name)
        policies = sorted(by_policy)
        found = []
        for start in range(0, len(policies), ID_BATCH):
            ids = [("escalation_policy_ids[]", p) for p in policies[start:start + ID_BATCH]]
            found += await self._paged("/oncalls", "oncalls", ids)
        oncall = []
        for raw in found:
            policy = _ref(raw.get("escalation_policy"))
            user = _ref(raw.get("user")).get("summary", "")
            level = raw.get("escalation_level")
            if not user or not isinstance(level, int):
                continue
            for service in by_policy.get(policy.get("id", ""), ()):
                oncall.append(OnCall(service=service, escalation_policy=policy.get("summary", ""), level=level,
                                     user=user, until=_time(raw.get("end")), source=self.name))
        return sorted(set(oncall), key=lambda o: (o.service, o.level, o.user))

    async def _paged(self, path: str, key: str, params: list[tuple[str, str]]) -> list[Mapping]:
        """Every item of a classic (limit/offset/more) paginated list."""
        items: list[Mapping] = []
        offset = 0
        while True:
            page = params + [("limit", str(PAGE_LIMIT)), ("offset", str(offset))]
            data = _json(await self._request("GET", path, params=page))
            batch = [i for i in data.get(key) or () if isinstance(i, Mapping)] if isinstance(data, Mapping) else []
            items += batch
            if not batch or not data.get("more"):
                return items
            offset += len(batch)
            if offset >= MAX_OFFSET:
                raise SourceError(f"PagerDuty {path}: more than {MAX_OFFSET} results; narrow the query")

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
                headers={"Authorization": f"Token token={self.spec.options.get('token', '')}",
                         "Accept": ACCEPT, "Content-Type": "application/json"},
            )
            self._client.event_hooks["response"].append(_refuse_auth_failure)
        return await send(self._client, method, path, **kwargs)

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()


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


def _unique(items: list[Mapping]) -> list[Mapping]:
    """Offset pagination over a list that changes may repeat an item."""
    seen: dict[str, Mapping] = {}
    for item in items:
        if item.get("id"):
            seen[str(item["id"])] = item
    return list(seen.values())


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
