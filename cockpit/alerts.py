"""Pure alert logic the Alertmanager source and the Incidents panel share:
label matchers (parse, test, print), HA dedupe, grouping, state filters,
and silences merged across instances.

Matchers follow Alertmanager: ``= != =~ !~``, regexes anchored at both ends
and run by RE2 (Go's regexp syntax and semantics, linear time: a label
matcher from a user, a silence or a catalog cannot stall the app), and a
missing label matches as the empty string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Callable, Collection, Iterable, Mapping, NamedTuple, Sequence

import re2

from cockpit.model import EMPTY, Incident, frozen_map, severity_rank

OPERATORS = ("=", "!=", "=~", "!~")
# firing wins over silenced wins over inhibited when HA instances disagree:
# if any instance still notifies, the alert is not quiet.
STATE_ORDER = ("firing", "silenced", "inhibited")
ALL_STATES = frozenset(STATE_ORDER)
SILENCE_STATES = ("active", "pending", "expired")
_STATE_ALIASES = {"active": "firing"}  # Alertmanager calls unsuppressed alerts "active"

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_MATCHER = re.compile(
    rf'\s*({_NAME})\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|[^\s,"{{}}]*)\s*(?:,|(?=\s)|$)'
)
_UNESCAPE = re.compile(r'\\([\\"n])')


class MatcherError(ValueError):
    """A matcher expression that cannot be parsed; the message says where."""


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # RE2 would print each bad pattern to stderr: the terminal the UI draws on
_RE2_OPTIONS.never_capture = True
_SEEN_LIMIT = 10_000


class MatcherRegex:
    """A matcher's regex as Alertmanager runs it: ``^(?:value)$`` searched by
    RE2. Answers are remembered per label value (a refresh filters 10,000
    alerts whose values repeat; each RE2 call from Python costs a few µs)."""

    __slots__ = ("_compiled", "_seen")

    def __init__(self, value: str) -> None:
        try:
            self._compiled = re2.compile(f"^(?:{value})$".encode("utf-8"), _RE2_OPTIONS)
        except re2.error as error:
            reason = error.args[0].decode("utf-8", "replace") if error.args and isinstance(error.args[0], bytes) \
                else str(error)
            raise ValueError(reason) from None
        except UnicodeEncodeError:
            raise ValueError("not valid Unicode") from None
        self._seen: dict[str, bool] = {}

    def __call__(self, text: str) -> bool:
        hit = self._seen.get(text)
        if hit is None:
            if len(self._seen) >= _SEEN_LIMIT:
                self._seen.clear()
            try:
                encoded = text.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate: U+FFFD, as Go decodes invalid UTF-8
                encoded = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode("utf-8")
            hit = self._seen[text] = self._compiled.search(encoded) is not None
        return hit


@dataclass(frozen=True)
class Matcher:
    name: str
    op: str  # one of OPERATORS
    value: str
    _regex: MatcherRegex | None = field(default=None, compare=False, repr=False)

    @classmethod
    def make(cls, name: str, op: str, value: str) -> "Matcher":
        if op not in OPERATORS:
            raise MatcherError(f"unknown operator {op!r} (use = != =~ !~)")
        regex = None
        if op in ("=~", "!~"):
            try:
                regex = MatcherRegex(value)
            except ValueError as error:
                raise MatcherError(f"{name}{op}{quote(value)}: invalid regex ({error})") from None
        return cls(name, op, value, regex)

    @property
    def is_regex(self) -> bool:
        return self.op in ("=~", "!~")

    @property
    def is_equal(self) -> bool:
        return self.op in ("=", "=~")

    def matches(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.name, "")
        if self._regex is not None:
            hit = self._regex(actual)
        else:
            hit = actual == self.value
        return hit if self.is_equal else not hit

    def to_api(self) -> dict:
        """The Alertmanager v2 API's matcher object."""
        return {"name": self.name, "value": self.value, "isRegex": self.is_regex, "isEqual": self.is_equal}

    @classmethod
    def from_api(cls, data: Mapping) -> "Matcher":
        is_regex, is_equal = bool(data.get("isRegex")), data.get("isEqual", True) is not False
        op = {(False, True): "=", (False, False): "!=", (True, True): "=~", (True, False): "!~"}[(is_regex, is_equal)]
        return cls.make(str(data.get("name", "")), op, str(data.get("value", "")))

    def __str__(self) -> str:
        return f"{self.name}{self.op}{quote(self.value)}"


def quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def parse_matchers(text: str) -> tuple[Matcher, ...]:
    """``{a="x", b!~"y.*"}`` or ``a=x b!=y``; empty text means no matchers.
    Raises MatcherError naming the position of the first thing not understood."""
    body = text.strip()
    if body.startswith("{"):
        if not body.endswith("}"):
            raise MatcherError("missing closing '}'")
        body = body[1:-1]
    matchers: list[Matcher] = []
    pos = 0
    while body[pos:].strip():
        match = _MATCHER.match(body, pos)
        if match is None:
            raise MatcherError(f"cannot parse matcher at {body[pos:].strip()[:30]!r} "
                               f"(write name=value, name!=value, name=~regex or name!~regex)")
        name, op, raw = match.groups()
        value = _UNESCAPE.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), raw[1:-1]) \
            if raw.startswith('"') else raw
        matchers.append(Matcher.make(name, op, value))
        pos = match.end()
    return tuple(matchers)


def format_matchers(matchers: Iterable[Matcher]) -> str:
    return "{" + ", ".join(str(m) for m in matchers) + "}"


def format_labels(labels: Mapping[str, str]) -> str:
    """A label set as equality matchers, sorted: '{alertname="X", service="y"}'."""
    return "{" + ", ".join(f"{name}={quote(labels[name])}" for name in sorted(labels)) + "}"


def equality_matchers(labels: Mapping[str, str]) -> tuple[Matcher, ...]:
    """Matchers that select exactly this label set (to silence one alert or one group)."""
    return tuple(Matcher.make(name, "=", labels[name]) for name in sorted(labels))


def matches_all(matchers: Sequence[Matcher], labels: Mapping[str, str]) -> bool:
    return all(m.matches(labels) for m in matchers)


def label_filter(text: str) -> Callable[[Incident], bool]:
    """A predicate over incidents from a matcher expression (raises MatcherError)."""
    matchers = parse_matchers(text)
    return lambda incident: matches_all(matchers, incident.labels)


def normalise_states(states: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(_STATE_ALIASES.get(s, s) for s in states)
    unknown = chosen - set(STATE_ORDER)
    if unknown:
        raise ValueError(f"unknown alert state(s) {sorted(unknown)} (use active, silenced, inhibited)")
    return chosen


def filter_alerts(
    incidents: Iterable[Incident],
    states: Collection[str] = STATE_ORDER,
    matchers: Sequence[Matcher] = (),
) -> list[Incident]:
    """Alerts in one of ``states`` ("active"/"firing", "silenced", "inhibited")
    whose labels satisfy every matcher; other incidents pass the state test."""
    wanted = normalise_states(states)
    if not matchers and wanted == ALL_STATES:  # nothing to filter out (10,000 alerts on every refresh)
        return list(incidents)
    return [
        i for i in incidents
        if (i.kind != "alert" or i.status in wanted) and matches_all(matchers, i.labels)
    ]


class Sighting(NamedTuple):
    """One instance's copy of an alert, as dedupe needs it."""

    key: str  # the fingerprint Alertmanager derives from the label set (or the label set)
    status: str  # firing | silenced | inhibited
    started_at: datetime
    payload: Any  # what the caller builds its Incident from


class Held(NamedTuple):
    """An alert after dedupe: the first sighting, and what all of them say."""

    first: Sighting
    instances: tuple[str, ...]  # every instance holding it, in the order given
    status: str  # the loudest state among them
    started_at: datetime  # the earliest start among them


def dedupe(per_instance: Iterable[tuple[str, Iterable[Sighting]]]) -> list[Held]:
    """Merge each instance's alerts: an alert held by several instances (an
    HA pair) comes out once, naming every instance that holds it. Works on
    sightings rather than Incidents so a source builds each Incident once,
    not once per instance (10,000 alerts x 2 instances on every refresh)."""
    merged: dict[str, list] = {}  # key -> [first, instances, status, started_at]
    for instance, sightings in per_instance:
        for sighting in sightings:
            seen = merged.get(sighting.key)
            if seen is None:
                merged[sighting.key] = [sighting, [instance], sighting.status, sighting.started_at]
                continue
            if instance not in seen[1]:
                seen[1].append(instance)
            if _state_rank(sighting.status) < _state_rank(seen[2]):
                seen[2] = sighting.status
            if sighting.started_at < seen[3]:
                seen[3] = sighting.started_at
    return [Held(first, tuple(instances), status, started) for first, instances, status, started in merged.values()]


_STATE_RANK = {state: rank for rank, state in enumerate(STATE_ORDER)}


def _state_rank(status: str) -> int:
    return _STATE_RANK.get(status, len(STATE_ORDER))


def sort_alerts(incidents: Iterable[Incident]) -> list[Incident]:
    """Most severe first, then loudest state, then oldest."""
    state = _STATE_RANK.get
    return sorted(incidents, key=lambda i: (severity_rank(i.severity), state(i.status, len(STATE_ORDER)),
                                            i.started_at, i.id))


@dataclass(frozen=True)
class AlertGroup:
    key: str  # the group's labels as matcher text, e.g. '{alertname="X", service="y"}'
    labels: Mapping[str, str]
    alerts: tuple[Incident, ...]

    @property
    def severity(self) -> str:
        """The worst severity in the group."""
        return min((a.severity for a in self.alerts), key=severity_rank, default="")

    @property
    def matchers(self) -> tuple[Matcher, ...]:
        """Matchers selecting this group's alerts (to silence the group)."""
        return equality_matchers(self.labels)

    def count(self, status: str) -> int:
        return sum(1 for a in self.alerts if a.status == status)


def group_alerts(incidents: Iterable[Incident], by: str | Sequence[str] | None = None) -> list[AlertGroup]:
    """Group alerts by Alertmanager's own groups (``by=None``: each alert's
    ``group``; alerts without one group by their full label set) or by the
    given label name(s), where a missing label counts as "". Groups come most
    severe first, then largest, then by key; alerts inside are sorted."""
    names = (by,) if isinstance(by, str) else tuple(by or ())
    buckets: dict[str, tuple[Mapping[str, str], list[Incident]]] = {}
    for incident in incidents:
        if names:
            labels: Mapping[str, str] = {n: incident.labels.get(n, "") for n in names}
            key = format_labels(labels)
        else:
            key = incident.group or format_labels(incident.labels)
        bucket = buckets.get(key)
        if bucket is None:
            if not names:
                labels = {m.name: m.value for m in parse_matchers(key)}
            buckets[key] = bucket = (frozen_map(labels), [])
        bucket[1].append(incident)
    groups = [AlertGroup(key, labels, tuple(sort_alerts(alerts))) for key, (labels, alerts) in buckets.items()]
    return sorted(groups, key=lambda g: (severity_rank(g.severity), -len(g.alerts), g.key))


@dataclass(frozen=True)
class Silence:
    """A silence, merged across the instances that hold it."""

    id: str  # the first instance's id (expire by any of ``ids``)
    matchers: tuple[Matcher, ...]
    starts_at: datetime
    ends_at: datetime
    created_by: str
    comment: str
    state: str  # active | pending | expired
    ids: tuple[tuple[str, str], ...] = ()  # (instance, silence id there)
    source: str = ""
    annotations: Mapping[str, str] = field(default_factory=lambda: EMPTY)

    @property
    def instances(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(instance for instance, _ in self.ids))

    @property
    def matchers_text(self) -> str:
        return format_matchers(self.matchers)

    def selects(self, labels: Mapping[str, str]) -> bool:
        return matches_all(self.matchers, labels)


def merge_silences(silences: Iterable[Silence]) -> list[Silence]:
    """One entry per silence however many instances hold it: the same id
    (replicated by gossip) or the same matchers, end, author and comment
    (posted to each instance of a pair that does not gossip)."""
    merged: dict[tuple, Silence] = {}
    by_id: dict[str, tuple] = {}
    for silence in silences:
        key = by_id.get(silence.id) or (silence.matchers_text, silence.ends_at, silence.created_by, silence.comment)
        seen = merged.get(key)
        if seen is None:
            merged[key] = silence
        else:
            ids = seen.ids + tuple(pair for pair in silence.ids if pair not in seen.ids)
            state = min(seen.state, silence.state, key=_silence_rank)
            merged[key] = replace(seen, ids=ids, state=state, starts_at=min(seen.starts_at, silence.starts_at))
        by_id[silence.id] = key
    return sorted(merged.values(), key=lambda s: (_silence_rank(s.state), s.ends_at, s.id))


def _silence_rank(state: str) -> int:
    return SILENCE_STATES.index(state) if state in SILENCE_STATES else len(SILENCE_STATES)
