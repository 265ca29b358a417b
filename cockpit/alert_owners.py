"""Which catalog service owns an alert.

A catalog service may claim alerts: `alerts:` in the seed format, or
Backstage's annotations. Each claim is a set of label matchers (all must
match), kept as matcher text and parsed by cockpit.alerts.parse_matchers, the
one matcher parser. The most specific claim that matches wins (most matchers,
then catalog order). An alert no claim selects is joined by an ordered list
of labels (service, app, job, namespace): the first whose value names a
catalog service (or the service its source named, if a catalog one). One
whose labels name none is unowned and keeps the label it came from, so a
Kubernetes Service name in `service` never passes for a catalog service.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from cockpit.alerts import Matcher, MatcherError, format_matchers, matches_all, parse_matchers, quote
from cockpit.model import Incident, Service, copy_with
from cockpit.problems import Problem
from cockpit.yamlfile import line_of

DEFAULT_OWNER_LABELS = ("service", "app", "job", "namespace")
BACKSTAGE_NAMESPACE = "backstage.io/kubernetes-namespace"
BACKSTAGE_ID = "backstage.io/kubernetes-id"
BACKSTAGE_ALERTS = "prometheus.io/alert"  # Roadie's Prometheus plugin: alert names, comma-separated, or "all"
# A Kubernetes workload id is found in the labels the default list tries for a workload.
_WORKLOAD_LABELS = ("service", "app", "job")
SEED_FORMS = ('a label map ({namespace: payments}), a matcher string (\'{namespace="payments", '
              'alertname=~"Postgres.*"}\') or a list of those')


_Claim = tuple[tuple[int, int], str, tuple[Matcher, ...]]  # ((-matchers, catalog order), service, matchers)


def claims_from_seed(value: Any, *, file: str, line: int, key: str) -> tuple[tuple[str, ...], list[Problem]]:
    """A seed service's `alerts:` value (written at ``line`` of ``file``,
    under ``key``) as claims (matcher text), and a problem per part that is
    not one."""
    items = value if isinstance(value, list) else [value]
    claims, problems = [], []
    for index, item in enumerate(items):
        where = (file, line_of(value, index), f"{key}[{index}]") if isinstance(value, list) else (file, line, key)
        try:
            matchers = _claim(item)
        except MatcherError as error:
            problems.append(Problem(*where, str(error)))
            continue
        if not matchers:
            problems.append(Problem(*where, "an empty claim would take every alert; name at least one label"))
        elif not any(m.is_equal for m in matchers):
            problems.append(Problem(*where, "needs at least one = or =~ matcher: negative ones alone take almost "
                                            "every alert"))
        else:
            claims.append(format_matchers(matchers))
    return tuple(dict.fromkeys(claims)), problems


def _claim(item: Any) -> tuple[Matcher, ...]:
    if isinstance(item, str):
        return parse_matchers(item)
    if isinstance(item, Mapping):
        bad = [str(k) for k, v in item.items() if not isinstance(v, (str, int, float)) or isinstance(v, bool)]
        if bad:
            raise MatcherError(f"label {', '.join(bad)}: expected a value (text), e.g. namespace: payments")
        return parse_matchers(", ".join(f"{name}={quote(str(value))}" for name, value in item.items()))
    raise MatcherError(f"expected {SEED_FORMS}")


def claims_from_backstage(annotations: Any) -> tuple[str, ...]:
    """Claims a Backstage entity makes through its annotations."""
    if not isinstance(annotations, Mapping):
        return ()
    namespace = str(annotations.get(BACKSTAGE_NAMESPACE) or "").strip()
    workload = str(annotations.get(BACKSTAGE_ID) or "").strip()
    alerts = str(annotations.get(BACKSTAGE_ALERTS) or "")
    in_namespace = {"namespace": namespace} if namespace else {}
    claims = [{"alertname": name.strip()} for name in alerts.split(",") if name.strip() not in ("", "all")]
    if workload:
        claims += [{label: workload, **in_namespace} for label in _WORKLOAD_LABELS]
    if namespace:
        claims.append(in_namespace)
    return tuple(format_matchers(Matcher.make(n, "=", v) for n, v in sorted(claim.items())) for claim in claims)


class Owners:
    """Every catalog service's claims, indexed for 10,000 alerts a refresh:
    a claim is tried only for alerts that have the value of its first
    equality matcher, or (a claim of regexes alone) whose value of its first
    regex's label that regex matches, remembered per value (alert names
    repeat: thousands of alerts share a few hundred)."""

    _REMEMBERED = 50_000  # values per label; past that the memory is cleared

    def __init__(self, services: Iterable[Service]) -> None:
        self._indexed: dict[tuple[str, str], list[_Claim]] = {}
        self._by_regex: dict[str, list[tuple[Matcher, _Claim]]] = {}  # label -> (its regex, claim)
        self._regex_hits: dict[str, dict[str, list[_Claim]]] = {}
        names = []
        for order, service in enumerate(services):
            names.append(service.name)
            for text in service.alerts:
                matchers = parse_matchers(text)
                claim = ((-len(matchers), order), service.name, matchers)
                first = next((m for m in matchers if m.op == "="), None)
                if first is not None:
                    self._indexed.setdefault((first.name, first.value), []).append(claim)
                else:
                    regex = next(m for m in matchers if m.is_equal)
                    self._by_regex.setdefault(regex.name, []).append((regex, claim))
        self.names = frozenset(names)
        self._label_names = tuple(dict.fromkeys(name for name, _ in self._indexed))

    def _candidates(self, labels: Mapping[str, str]) -> Iterable[_Claim]:
        for name in self._label_names:
            value = labels.get(name)
            if value is not None:
                yield from self._indexed.get((name, value), ())
        for name, claims in self._by_regex.items():
            value = labels.get(name, "")
            hits = self._regex_hits.setdefault(name, {})
            found = hits.get(value)
            if found is None:
                if len(hits) >= self._REMEMBERED:
                    hits.clear()
                found = hits[value] = [claim for regex, claim in claims if regex.matches({name: value})]
            yield from found

    def owner(self, labels: Mapping[str, str], order: Sequence[str] = DEFAULT_OWNER_LABELS,
              named: str = "") -> tuple[str, str]:
        """(service, "") for an owned alert; ("", 'label="value"') naming the
        first label of ``order`` it has when none names a catalog service.
        ``named``: the service its source gave it, kept when no claim takes
        the alert and it is a catalog service."""
        best = None
        for claim in self._candidates(labels):
            if (best is None or claim[0] < best[0]) and matches_all(claim[2], labels):
                best = claim
        if best is not None:
            return best[1], ""
        if named in self.names:
            return named, ""
        present = [(name, labels[name]) for name in order if labels.get(name)]
        for name, value in present:
            if value in self.names:
                return value, ""
        return "", (f"{present[0][0]}={quote(present[0][1])}" if present else "")

    def assign(self, incident: Incident, order: Sequence[str] = DEFAULT_OWNER_LABELS) -> Incident:
        """The alert with its owner set (the same object when it already
        says so); other incidents name their services themselves."""
        if incident.kind != "alert":
            return incident
        service, hint = self.owner(incident.labels, order, incident.service)
        if service == incident.service and hint == incident.service_hint:
            return incident
        return copy_with(incident, service=service, service_hint=hint)
