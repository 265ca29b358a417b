"""Alertmanager (v2 API) as an incidents source: many instances in one view,
HA pairs deduplicated, silences as the way to acknowledge.

Alerts are read from ``/api/v2/alerts/groups`` (one request per instance):
it holds every alert with its state plus the group Alertmanager put it in.
Writes go only to the instances that hold the alert; instances that share a
``cluster`` name gossip silences to each other, so one write per cluster.
Each instance is read under its own deadline and breaker (sources.instances):
a hung one is named in the warnings, the others' alerts are published. The v2
JSON itself is read and written by cockpit.sources.alertmanager.api.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

import httpx

from cockpit import collector
from cockpit.alert_owners import DEFAULT_OWNER_LABELS
from cockpit.alerts import (
    Matcher,
    MatcherError,
    Sighting,
    Silence,
    equality_matchers,
    format_matchers,
    matches_all,
    merge_silences,
    parse_matchers,
)
from cockpit.config_schema import show, url_problem
from cockpit.durations import format_duration, parse_duration
from cockpit.model import SEVERITIES, Incident, SourceData
from cockpit.problems import Problem
from cockpit.sources.base import (
    CheckResult,
    OptionSpec,
    Source,
    SourceContext,
    SourceError,
    SourceSpec,
    TransientSourceError,
)
from cockpit.writes import Action, ActionResult
from cockpit.sources.alertmanager.api import (
    DEFAULT_SEVERITY_MAP, AlertMerge, decode_groups, sightings_of, silence_body, silences_of,
)
from cockpit.sources.http import HTTP_OPTIONS, RateLimitedError, make_client, safe_url, send
from cockpit.sources.instances import InstanceGuard
from cockpit.sources.reply_shape import expect


@dataclass(frozen=True)
class Instance:
    name: str  # shown in `instances`: the configured name, else the URL without credentials
    url: str
    cluster: str  # instances with one cluster name gossip; default: the instance alone


class _Reply(NamedTuple):
    """One instance's reply to /api/v2/alerts/groups, read."""

    digest: bytes  # of the body: the same as the last fetch's means nothing changed there
    response: httpx.Response
    sightings: list[Sighting] | None  # None: not decoded (the same body as the last fetch's)


def parse_instances(urls: Any) -> tuple[list[Instance], list[tuple[str, str]]]:
    """The ``urls`` option: strings, or maps {url, name?, cluster?}.
    Returns the instances and (key, message) for each bad entry."""
    if isinstance(urls, str):
        urls = [urls]
    if not isinstance(urls, list) or not urls:
        return [], [("urls", "must be a non-empty list of Alertmanager URLs")]
    instances, problems = [], []
    for index, entry in enumerate(urls):
        key = f"urls[{index}]"
        if isinstance(entry, str):
            entry = {"url": entry}
        url = entry.get("url") if isinstance(entry, Mapping) else None
        if not isinstance(url, str) or not url.strip():
            problems.append((key, "must be a URL or a map with url (and optional name, cluster)"))
            continue
        reason = url_problem(url)
        if reason:
            problems.append((key, f"expected an http:// or https:// URL, got {show(url)} ({reason})"))
            continue
        parsed = httpx.URL(url.strip())
        name = str(entry.get("name") or safe_url(parsed).rstrip("/"))
        instances.append(Instance(name, str(parsed).rstrip("/"), str(entry.get("cluster") or name)))
    names = [i.name for i in instances]
    for name in {n for n in names if names.count(n) > 1}:
        problems.append(("urls", f"instance name {name!r} is used twice; give each a distinct name"))
    return instances, problems


def parse_severity_map(value: Any) -> tuple[dict[str, str], list[tuple[str, str]]]:
    mapping, problems = dict(DEFAULT_SEVERITY_MAP), []
    if value is None:
        return mapping, problems
    if not isinstance(value, Mapping):
        return mapping, [("severity_map", "must map label values to P0..P3, e.g. {critical: P1}")]
    for label, severity in value.items():
        if str(severity) not in SEVERITIES:
            problems.append((f"severity_map.{label}", f"must be one of {', '.join(SEVERITIES)}, not {severity!r}"))
        else:
            mapping[str(label).lower()] = str(severity)
    return mapping, problems


class AlertmanagerSource(Source):
    kind = "alertmanager"
    provides = frozenset({"incidents"})
    actions = frozenset({"silence", "expire"})
    lists = frozenset({"silences"})
    options = {
        **HTTP_OPTIONS,
        "urls": OptionSpec(list, required=True,
                           help="Alertmanager URLs, or maps {url, name, cluster}; instances of one HA cluster "
                                "that gossip share a cluster name"),
        "service_label": OptionSpec((str, list), help="label(s) tried in order for the catalog service of an alert "
                                                      "no service claims; default service, app, job, namespace"),
        "severity_map": OptionSpec(dict, help="severity label value -> P0..P3, e.g. {critical: P1, warning: P3}"),
        "created_by": OptionSpec(str, help="createdBy of silences; default the cockpit user"),
    }

    def __init__(self, spec: SourceSpec, context: SourceContext) -> None:
        super().__init__(spec, context)
        self.instances, _ = parse_instances(spec.options.get("urls"))
        self.severity_map, _ = parse_severity_map(spec.options.get("severity_map"))
        labels = spec.options.get("service_label") or DEFAULT_OWNER_LABELS
        # The hub joins alerts to the catalog by these (cockpit.alert_owners).
        self.owner_labels = (labels,) if isinstance(labels, str) else tuple(str(x) for x in labels)
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._guards = {i.name: InstanceGuard(spec.timeout.total_seconds()) for i in self.instances}
        self._held: dict[str, Incident] = {}  # the last fetch's alerts by fingerprint, to target writes
        self._last_merge: AlertMerge | None = None  # its Incidents are reused while their alert is unchanged
        # The last fetch's reply digests by instance and what it returned: the
        # same replies, byte for byte, are the same data (digests, not 5 MB replies, are kept).
        self._last: tuple[dict[str, bytes], SourceData] | None = None

    @classmethod
    def check(cls, spec: SourceSpec) -> CheckResult:
        result = CheckResult()
        _, url_problems = parse_instances(spec.options.get("urls"))
        _, map_problems = parse_severity_map(spec.options.get("severity_map"))
        key_lines = getattr(spec.options, "key_lines", {}) or {}
        for key, message in url_problems + map_problems:
            line = key_lines.get(key.split("[")[0].split(".")[0], spec.line)
            result.problems.append(Problem(spec.config_file, line, f"{spec.name}.{key}", message))
        return result

    # --- reading ------------------------------------------------------------

    async def fetch(self) -> SourceData:
        if not self.instances:
            raise SourceError(f"{self.name}: no valid Alertmanager URL configured (see `cockpit check`)")
        merge = AlertMerge([i.name for i in self.instances], source=self.name, service_labels=self.owner_labels,
                           severity_map=self.severity_map, previous=self._last_merge)
        waiting = {i.name for i in self.instances}  # replies still on their way
        with collector.paused():
            replies, warnings = await self._each(
                self.instances, lambda instance: self._fetch_instance(instance, merge, waiting))
            digests = {name: reply.digest for name, reply in replies}
            if self._last is not None and not warnings and digests == self._last[0]:
                return self._last[1]  # an alert storm that did not move: nothing decoded, mapped or merged
            per_instance = [(name, reply.sightings if reply.sightings is not None else
                             await asyncio.to_thread(self._sightings_in, reply.response)) for name, reply in replies]
            alerts = await asyncio.to_thread(merge.merge, per_instance)
        self._held = {alert.id: alert for alert in alerts}
        self._last_merge = merge
        data = SourceData(incidents=tuple(alerts), warnings=tuple(warnings))
        self._last = None if warnings else (digests, data)
        return data

    async def _fetch_instance(self, instance: Instance, merge: AlertMerge, waiting: set[str]) -> _Reply:
        try:
            response = await self._read(instance, "/api/v2/alerts/groups")
        finally:
            waiting.discard(instance.name)
        # The first reply in is mapped while the others are still coming
        # (AlertMerge.ahead); a failed request counts as in, not as first.
        first = len(waiting) == len(self.instances) - 1 and len(self.instances) > 1
        # Decoding and mapping 10,000 alerts takes 50-200 ms: keep it off the
        # event loop, which also draws the screen.
        return await asyncio.to_thread(self._sightings, instance, response, merge if first else None)

    def _sightings(self, instance: Instance, response: httpx.Response, ahead: AlertMerge | None) -> _Reply:
        """Every alert one instance holds, with the group it is in; not
        decoded when the reply is the one the last fetch had (its sightings
        are then read only if another instance's reply changed)."""
        digest = hashlib.blake2b(response.content, digest_size=16).digest()
        if self._last is not None and self._last[0].get(instance.name) == digest:
            return _Reply(digest, response, None)
        sightings = self._sightings_in(response)
        if ahead is not None:
            ahead.ahead(instance.name, sightings)
        return _Reply(digest, response, sightings)

    def _sightings_in(self, response: httpx.Response) -> list[Sighting]:
        sightings = decode_groups(response.content)
        if sightings is not None:
            return sightings
        return sightings_of(expect(_json(response), list, "the reply", "/api/v2/alerts/groups"))

    async def list_silences(self, include_expired: bool = False) -> tuple[Silence, ...]:
        """Every silence on every instance, merged (one entry per silence however
        many instances hold it), active first. Raises only if no instance answers."""
        per_instance, _ = await self._each(self.instances, self._silences_of)
        silences = merge_silences(s for _, found in per_instance for s in found)
        return tuple(s for s in silences if include_expired or s.state != "expired")

    async def _silences_of(self, instance: Instance) -> list[Silence]:
        return silences_of(_json(await self._read(instance, "/api/v2/silences")), instance.name, self.name)

    # --- writing ------------------------------------------------------------

    async def perform(self, action: Action) -> ActionResult:
        if action.name == "silence":
            return await self._silence(action)
        if action.name == "expire":
            return await self._expire(action.target)
        return await super().perform(action)

    async def _silence(self, action: Action) -> ActionResult:
        """Silence one alert (target = its fingerprint) or every alert a matcher
        set selects (params["matchers"]: text or Matchers, e.g. a group's)."""
        params = action.params
        comment = str(params.get("comment") or "").strip()
        if not comment:
            raise SourceError("a silence needs a comment saying why")
        try:
            duration = silence_duration(params.get("duration"))
        except ValueError as error:
            raise SourceError(f"silence duration: {error}") from None
        matchers, holders = self._silence_scope(action)
        now = self.context.clock()
        body = silence_body(matchers, now, now + duration, comment=comment,
                            created_by=str(self.spec.options.get("created_by") or self.context.user or "cockpit"))

        async def post(instance: Instance) -> str:
            reply = _json(await self._request(instance, "POST", "/api/v2/silences", json=body))
            return str(reply.get("silenceID", "")) if isinstance(reply, Mapping) else ""

        done, failed = await self._write_per_cluster(holders, post)
        what = f"silenced {format_matchers(matchers)} for {format_duration(duration)}"
        return _write_result(what, done, failed, target=done[0][1])

    def _silence_scope(self, action: Action) -> tuple[tuple[Matcher, ...], list[Instance]]:
        """The matchers to post and the instances holding what they select."""
        if action.target:
            alert = self._held.get(action.target)
            if alert is None:
                raise SourceError(f"alert {action.target} is not among the current alerts; refresh and retry")
            return equality_matchers(alert.labels), self._instances_named(alert.instances)
        raw = action.params.get("matchers")
        try:
            matchers = parse_matchers(raw) if isinstance(raw, str) else tuple(raw or ())
        except MatcherError as error:
            raise SourceError(f"silence matchers: {error}") from None
        if not matchers or not all(isinstance(m, Matcher) for m in matchers):
            raise SourceError("a silence needs an alert or at least one label matcher")
        selected = [a for a in self._held.values() if matches_all(matchers, a.labels)]
        if not selected:
            raise SourceError(f"no current alert matches {format_matchers(matchers)}; nothing to silence")
        return matchers, self._instances_named(n for a in selected for n in a.instances)

    async def _expire(self, silence_id: str) -> ActionResult:
        """Expire a silence everywhere it exists (by any of its per-instance ids)."""
        if not silence_id:
            raise SourceError("expire needs a silence id")
        silences = await self.list_silences(include_expired=True)
        found = next((s for s in silences if silence_id in {i for _, i in s.ids}), None)
        if found is None:
            raise SourceError(f"silence {silence_id} is not on any Alertmanager of {self.name}")
        if found.state == "expired":
            return ActionResult(True, f"silence {silence_id} had already expired", silence_id)
        ids = dict(found.ids)  # instance -> id

        async def delete(instance: Instance) -> str:
            await self._request(instance, "DELETE", f"/api/v2/silence/{ids[instance.name]}")
            return ids[instance.name]

        done, failed = await self._write_per_cluster(self._instances_named(ids), delete)
        return _write_result(f"expired silence {found.matchers_text}", done, failed, target=silence_id)

    async def _write_per_cluster(self, instances: list[Instance], write) -> tuple[list, list]:
        """Run ``write`` once per cluster (members tried in order until one
        succeeds); ([(instance, result)], [(instance, error)])."""
        clusters: dict[str, list[Instance]] = {}
        for instance in instances:
            clusters.setdefault(instance.cluster, []).append(instance)

        async def one_cluster(members: list[Instance]):
            errors = []
            for member in members:
                try:
                    return (member.name, await write(member)), errors
                except SourceError as error:
                    errors.append((member.name, str(error)))
            return None, errors

        outcomes = await asyncio.gather(*(one_cluster(m) for m in clusters.values()))
        done = [ok for ok, _ in outcomes if ok is not None]
        failed = [e for ok, errors in outcomes if ok is None for e in errors]
        if not done:
            raise SourceError("; ".join(f"{name}: {message}" for name, message in failed) or "no instance to write to")
        return done, failed

    # --- plumbing -------------------------------------------------------------

    def _instances_named(self, names: Iterable[str]) -> list[Instance]:
        wanted = set(names)
        return [i for i in self.instances if i.name in wanted]

    async def _each(self, instances: Sequence[Instance], call) -> tuple[list[tuple[str, Any]], list[str]]:
        """``call`` on every instance at once: ([(name, result)], [error lines]);
        raises when none answered (retryable if any failure was)."""
        results = await asyncio.gather(*(call(i) for i in instances), return_exceptions=True)
        answers, errors, retryable, waits = [], [], False, []
        for instance, result in zip(instances, results):
            if isinstance(result, SourceError):
                errors.append(f"{instance.name}: {result}")
                retryable = retryable or result.retryable
                if getattr(result, "retry_after", None) is not None:
                    waits.append(result.retry_after)
            elif isinstance(result, BaseException):
                raise result
            else:
                answers.append((instance.name, result))
        if not answers:
            if waits:  # every instance failed, some asked to wait: the hub's retry waits for the longest
                raise RateLimitedError("; ".join(errors), max(waits))
            raise (TransientSourceError if retryable else SourceError)("; ".join(errors))
        return answers, errors

    def _client(self, instance: Instance) -> httpx.AsyncClient:
        client = self._clients.get(instance.name)
        if client is None:
            client = self._clients[instance.name] = make_client(self.spec, base_url=instance.url)
        return client

    async def _request(self, instance: Instance, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await send(self._client(instance), method, path, **kwargs)

    async def _read(self, instance: Instance, path: str) -> httpx.Response:
        """A GET under the instance's deadline and breaker (not writes: one that timed out may have happened)."""
        return await self._guards[instance.name].call(lambda: self._request(instance, "GET", path))

    def retry_now(self) -> None:
        for guard in self._guards.values():
            guard.retry_now()

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()


def _write_result(what: str, done: list, failed: list, target: str) -> ActionResult:
    message = f"{what} on {', '.join(name for name, _ in done)}"
    if failed:
        message += "; failed on " + "; ".join(f"{name}: {error}" for name, error in failed)
    return ActionResult(ok=not failed, message=message, target=target)


def _json(response: httpx.Response) -> Any:
    """The reply's JSON; its errors are named with the instance by the caller (_each)."""
    try:
        return response.json()
    except ValueError:
        raise SourceError(f"the reply to {response.request.url.path} is not JSON") from None


def silence_duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        duration = value
    elif value in (None, ""):
        raise ValueError("missing (e.g. 2h)")
    else:
        duration = parse_duration(value)
    if duration <= timedelta(0):
        raise ValueError("must be longer than 0s")
    return duration
