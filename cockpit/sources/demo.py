"""The demo source: simulated SLO statuses, firing alerts and on-call rotations
from real SLO definition files, so the cockpit looks alive with no server.

Everything is a pure function of the SLO definitions and the clock: the same
clock gives exactly the same snapshot (screenshots, tests), and a running
cockpit drifts slowly because the simulated error rates are smooth functions
of absolute time. Randomness comes from SHA-256 of each SLO's key (Python's
hash() changes per process). Everything it returns is marked demo.

Each SLO's error rate, in multiples of the sustainable burn rate, is a steady
base, plus slow waves, plus past incidents ("episodes") placed at absolute
times, plus for one SLO an ongoing outage. Event counts over any window are
exact integrals of that curve, so the SLO window, every burn window and the
budget history agree with each other.
"""

from __future__ import annotations

import asyncio
import bisect
import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Sequence

from cockpit.config_schema import validate_mapping
from cockpit.model import SLO, BackupStatus, Incident, OnCall, Page, PolicyTier, SLOStatus, SourceData, frozen_map
from cockpit.problems import Problem, ServiceRef
from cockpit.slo import BURN_WINDOWS, DEFAULT_MIN_EVENTS, MULTIWINDOW_RULES, Events, budget_remaining, evaluate
from cockpit.slo_specs import SLOSpecs, file_stamp, load_slo_paths, slo_files_signature
from cockpit.sources.base import CheckResult, OptionSpec, Source
from cockpit.yamlfile import YamlError, line_of, load_yaml_file

# Special behaviours handed out by a stable ranking of the SLO keys, so any
# SLO set of six or more shows every tier; the rest are healthy.
SCENARIOS = ("page", "exhausted", "critical", "warning", "warning", "low-traffic")
# Steady burn rate per scenario: (lowest, spread). Past episodes add at most
# ~12 % of the budget per window, so each stays inside its policy tier.
_BASE_BURN = {"healthy": (0.03, 0.07), "warning": (0.28, 0.06), "critical": (0.60, 0.12),
              "exhausted": (1.08, 0.12), "page": (0.05, 0.05), "low-traffic": (0.2, 0.0)}
EPISODE_SLOT = 5 * 86400.0  # at most one past incident per SLO every five days
PAGE_EVERY = 3 * 3600.0  # the ongoing outage restarts every 3 h, 15 min ahead of the clock
HISTORY_POINTS = 60
# Weekly on-call handoff: Mondays 09:00 UTC.
HANDOFF = datetime(2024, 1, 1, 9, 0, tzinfo=timezone.utc)
UNOWNED_SERVICE = "legacy-reports"  # a service no catalog lists, to show unowned alerts
BURN_RUNBOOK = "runbooks/high-error-rate.md"


def _unit(*parts: object) -> float:
    """A stable pseudo-random number in [0, 1) for ``parts``."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _recurring_start(now: float, key: str, every: float) -> float:
    """The latest moment <= now of a series repeating every ``every`` seconds
    at a phase fixed per key."""
    phase = _unit(key, "phase") * every
    return math.floor((now - phase) / every) * every + phase


@dataclass(frozen=True)
class Profile:
    """One SLO's simulated error rate over absolute time (seconds)."""

    rate: float  # events per second
    error_budget: float  # 1 - objective
    base: float  # steady burn rate
    waves: tuple[tuple[float, float, float], ...]  # (amplitude, period s, phase)
    episodes: tuple[tuple[float, float, float], ...]  # (start, end, extra burn); end may be inf
    outage_start: float | None = None  # the ongoing page-level outage, if any

    def burn_integral(self, a: float, b: float) -> float:
        """Integral of the burn rate over [a, b]."""
        total = self.base * (b - a)
        for amplitude, period, phase in self.waves:
            w = 2 * math.pi / period
            total += amplitude / w * (math.cos(w * a + phase) - math.cos(w * b + phase))
        for start, end, extra in self.episodes:
            total += extra * max(0.0, min(b, end) - max(a, start))
        return total

    def events(self, a: float, b: float) -> Events:
        errors = self.rate * self.error_budget * self.burn_integral(a, b)
        return Events(errors=min(errors, self.rate * (b - a)), total=self.rate * (b - a))

    def running_burn(self, origin: float, step: float, count: int) -> list[float]:
        """Integral of the burn rate from ``origin`` to each of ``count``
        times ``step`` apart: a window's integral is then the difference of
        two (the budget history needs 60 windows; at 6,000 SLOs integrating
        each anew took seconds)."""
        times = [origin + j * step for j in range(count)]
        result = [self.base * (t - origin) for t in times]
        for amplitude, period, phase in self.waves:
            w = 2 * math.pi / period
            scale, at_origin = amplitude / w, math.cos(w * origin + phase)
            result = [r + scale * (at_origin - math.cos(w * t + phase)) for r, t in zip(result, times)]
        # An episode ramps up between its start and end, then adds its whole
        # burn to every later time: only the few times inside it are visited.
        after = [0.0] * (count + 1)
        for start, end, extra in self.episodes:
            start = max(origin, start)
            if end <= start:
                continue
            first, past = bisect.bisect_right(times, start), bisect.bisect_left(times, end)
            for j in range(first, past):
                result[j] += extra * (times[j] - start)
            after[past] += extra * (end - start)
        plateau = 0.0
        for j in range(count):
            plateau += after[j]
            result[j] += plateau
        return result


def scenarios(slos: Sequence[SLO]) -> dict[str, str]:
    """SLO key -> scenario, by a stable ranking of the keys."""
    ranked = sorted(slos, key=lambda s: hashlib.sha256(s.key.encode()).hexdigest())
    return {slo.key: SCENARIOS[i] if i < len(SCENARIOS) else "healthy" for i, slo in enumerate(ranked)}


def profile(slo: SLO, scenario: str, now: float) -> Profile:
    key, window = slo.key, slo.window.total_seconds()
    low, spread = _BASE_BURN[scenario]
    base = low + spread * _unit(key, "base")
    # Three waves of minutes, hours and days; amplitudes sum below the base so
    # the burn never goes negative.
    waves = tuple((base * share, period * (0.8 + 0.4 * _unit(key, "period", i)), 2 * math.pi * _unit(key, "wave", i))
                  for i, (share, period) in enumerate(((0.35, 1020.0), (0.3, 8280.0), (0.25, 146880.0))))
    # Past episodes: each consumes 0.5-2 % of the budget over 2-6 h, i.e. at
    # most half the page threshold, so they dent the history but never page.
    episodes = []
    first, last = math.floor((now - 2 * window) / EPISODE_SLOT), math.floor(now / EPISODE_SLOT)
    for slot in range(first, last + 1):
        if _unit(key, "episode", slot) >= 0.7:
            continue
        start = (slot + _unit(key, "start", slot)) * EPISODE_SLOT
        duration = 3600.0 * (2 + 4 * _unit(key, "duration", slot))
        consumed = 0.005 + 0.015 * _unit(key, "consumed", slot)
        episodes.append((start, start + duration, consumed * window / duration))
    outage_start = None
    if scenario == "page":
        # An outage burning 5.5x the page-1h threshold, started 15 min to 3 h ago.
        outage_start = _recurring_start(now - 900.0, key, PAGE_EVERY)
        extra = min(5.5 * MULTIWINDOW_RULES[0].burn_rate_for(slo.window), 0.95 / slo.error_budget)
        episodes.append((outage_start, math.inf, extra))
    # Low traffic: four events over the whole window, below any minimum.
    rate = 4.0 / window if scenario == "low-traffic" else 10 ** (0.5 + 2 * _unit(key, "rate"))
    return Profile(rate, slo.error_budget, base, waves, tuple(episodes), outage_start)


def simulate(slo: SLO, prof: Profile, at_time: datetime, policy: Sequence[PolicyTier], source: str) -> SLOStatus:
    now, window = at_time.timestamp(), slo.window.total_seconds()
    burns = {name: prof.events(now - w.total_seconds(), now) for name, w in BURN_WINDOWS.items()}
    # Point i covers [now - 2 window + i step, now - window + i step]: both
    # ends lie on one grid, so the running integral is taken once per point.
    step = window / HISTORY_POINTS
    origin = now - 2 * window
    running = prof.running_burn(origin, step, 2 * HISTORY_POINTS + 1)
    total = prof.rate * window
    history = []
    if total >= DEFAULT_MIN_EVENTS:
        for i in range(1, HISTORY_POINTS + 1):
            errors = min(prof.rate * prof.error_budget * (running[i + HISTORY_POINTS] - running[i]), total)
            history.append(budget_remaining(min(max(errors / total, 0.0), 1.0), slo.objective))
    # Placed in time only when no point was dropped (the steps stay even).
    placed = len(history) == HISTORY_POINTS
    return evaluate(slo, prof.events(now - window, now), burns, policy=policy, history=history,
                    history_end=at_time if placed else None,
                    history_step=slo.window / HISTORY_POINTS if placed else None, source=source, demo=True)


def alerts(statuses: Sequence[SLOStatus], profiles: dict[str, Profile], now: float, source: str) -> list[Incident]:
    """Firing burn-rate alerts for SLOs whose multiwindow rules fire, plus an
    infrastructure alert and one for a service no catalog knows."""
    found = []
    for status in statuses:
        if not status.alerts_firing:
            continue
        slo, prof = status.slo, profiles[status.slo.key]
        page = any(name.startswith("page") for name in status.alerts_firing)
        fastest = max((r for r in status.burn_rates.values() if r is not None), default=0.0)
        started = prof.outage_start if prof.outage_start is not None else _recurring_start(now, slo.key, 86400.0)
        summary = (f"{slo.service} {slo.name}: error budget burning {fastest:.1f}x too fast "
                   f"({', '.join(status.alerts_firing)})")
        found.append(make_alert(
            source, "ErrorBudgetBurn", slo.service, "critical" if page else "warning", "P1" if page else "P3",
            started, summary, BURN_RUNBOOK, slo=slo.name, sloth_severity="page" if page else "ticket",
            description=f"{slo.target_text or slo.objective} over {slo.window.days}d; "
                        f"{status.budget_remaining:.0%} of the error budget left",
        ))
    services = {s.slo.service for s in statuses}
    if "postgres-primary" in services:
        found.append(make_alert(source, "PostgresReplicationLag", "postgres-primary", "warning", "P2",
                            _recurring_start(now, "replication-lag", 7200.0),
                            "Replica postgres-replica-2 is 42 s behind the primary",
                            "postgres-primary/replication-lag"))
    found.append(make_alert(source, "CronJobFailed", UNOWNED_SERVICE, "warning", "P3",
                        _recurring_start(now, "cron", 86400.0), "Nightly report export exited with status 1",
                        "https://wiki.example.com/legacy-reports"))
    return found


def make_alert(source: str, alertname: str, service: str, severity: str, priority: str, started: float,
           summary: str, runbook: str, description: str = "", **labels: str) -> Incident:
    started_at = datetime.fromtimestamp(round(started), timezone.utc)
    fingerprint = hashlib.sha256(f"{alertname}|{service}|{labels}|{started_at}".encode()).hexdigest()[:12]
    annotations = {"summary": summary, "runbook": runbook, **({"description": description} if description else {})}
    return Incident(
        id=f"demo-{fingerprint}", title=summary, severity=priority, status="firing", service=service,
        started_at=started_at, source=source, kind="alert",
        labels=frozen_map({"alertname": alertname, "service": service, "severity": severity, **labels}),
        annotations=frozen_map(annotations), runbook=runbook, demo=True,
    )


# -- on-call rotations ---------------------------------------------------------

@dataclass
class Rotations:
    """service -> levels, each level the people who take turns weekly."""

    levels: dict[str, list[list[str]]]
    problems: list[Problem]
    refers: list[ServiceRef]


def load_rotations(path: Any) -> Rotations:
    result = Rotations({}, [], [])
    file = str(path)
    try:
        data = load_yaml_file(path)
    except YamlError as exc:
        result.problems.append(exc.problem)
        return result
    rotations = data.get("rotations") if isinstance(data, dict) else None
    if not isinstance(rotations, dict) or set(data) != {"rotations"}:
        result.problems.append(Problem(file, line_of(data, "rotations"), "rotations",
                                       "expected `rotations: {SERVICE: [[person, ...], ...]}` and nothing else"))
        return result
    for service, levels in rotations.items():
        key = f"rotations.{service}"
        if not isinstance(levels, list) or not levels:
            result.problems.append(Problem(file, line_of(rotations, service), key,
                                           "expected a list of levels, each a person or a list of people"))
            continue
        people = [[level] if isinstance(level, str) else level for level in levels]
        bad = [i for i, level in enumerate(people)
               if not isinstance(level, list) or not level or not all(isinstance(p, str) and p for p in level)]
        for i in bad:
            result.problems.append(Problem(file, line_of(levels, i), f"{key}[{i}]",
                                           "expected a person or a non-empty list of people"))
        if not bad:
            result.levels[str(service)] = people
            result.refers.append(ServiceRef(str(service), file, line_of(rotations, service), key, "on-call rotation"))
    return result


def on_call(levels: dict[str, list[list[str]]], now: datetime, source: str) -> list[OnCall]:
    """Who is on call now: each level's list turns once a week at the handoff."""
    week = math.floor((now - HANDOFF) / timedelta(weeks=1))
    until = HANDOFF + timedelta(weeks=week + 1)
    return [
        OnCall(service=service, escalation_policy=f"{service} rotation", level=level, user=people[week % len(people)],
               until=until if len(people) > 1 else None, source=source)
        for service, rotation in levels.items()
        for level, people in enumerate(rotation, start=1)
    ]


PAGED_WEEKS = 8  # how far back the demo's pages go (the On-call view shows 6 shifts)


def pages(levels: dict[str, list[list[str]]], now: datetime, source: str) -> list[Page]:
    """Who the demo paged: each week, 0-2 pages per service for its level-1
    person at that week's handoff, at stable times; a team with four
    services now and then goes over the guide's 5 pages a shift."""
    week_now = math.floor((now - HANDOFF) / timedelta(weeks=1))
    paged = []
    for service, rotation in levels.items():
        people = rotation[0] if rotation else []
        for week in range(week_now - PAGED_WEEKS + 1, week_now + 1) if people else ():
            for n in range(int(3 * _unit(service, "pages", week))):
                at = HANDOFF + timedelta(weeks=week, seconds=_unit(service, "page-at", week, n) * 7 * 86400)
                if at <= now:
                    paged.append(Page(at=at, user=people[week % len(people)], incident_id=f"demo-{service}-{week}-{n}",
                                      service=service, title=f"{service}: paged (demo)", source=source, demo=True))
    return sorted(paged, key=lambda p: p.at)


# -- the source ----------------------------------------------------------------

class DemoSource(Source):
    kind = "demo"
    provides = frozenset({"slos", "incidents", "oncall", "backups", "pages"})
    demo = True
    options = {
        "slos": OptionSpec(list[str], required=True, help="SLO definition files or folders"),
        "rotations": OptionSpec(str, help="YAML file: rotations: {SERVICE: [[people of level 1], ...]}"),
        "backups": OptionSpec(dict, help="SERVICE or DATA DOMAIN: how long ago its last backup succeeded (1h)"),
    }

    def __init__(self, spec, context) -> None:
        super().__init__(spec, context)
        self._loaded: dict[str, tuple[tuple, Any]] = {}  # what -> (files' stamp, what was loaded)

    @classmethod
    def check(cls, spec) -> CheckResult:
        specs = load_slo_paths([spec.path(p) for p in spec.options.get("slos", ())])
        result = CheckResult(problems=list(specs.problems), refers=list(specs.refers))
        if spec.options.get("rotations"):
            rotations = load_rotations(spec.path(spec.options["rotations"]))
            result.problems += rotations.problems
            result.refers += rotations.refers
        result.problems += simulated_backups(spec, datetime.now(timezone.utc))[1]
        return result

    async def fetch(self) -> SourceData:
        return await asyncio.to_thread(self._build, self.context.clock())

    def _build(self, now: datetime) -> SourceData:
        paths = [self.spec.path(p) for p in self.spec.options["slos"]]
        specs = self._unless_changed("slos", slo_files_signature(paths), lambda: load_slo_paths(paths))
        problems = list(specs.problems)  # what was refused is listed; the rest is shown
        levels: dict[str, list[list[str]]] = {}
        if self.spec.options.get("rotations"):
            path = self.spec.path(self.spec.options["rotations"])
            rotations = self._unless_changed("rotations", file_stamp(path), lambda: load_rotations(path))
            problems += rotations.problems
            levels = rotations.levels
        statuses, profiles = simulate_all(specs, now, self.name)
        backups, found = simulated_backups(self.spec, now)
        problems += found
        return SourceData(
            slos=tuple(statuses), policy=specs.policy, oncall=tuple(on_call(levels, now, self.name)), backups=backups,
            pages=tuple(pages(levels, now, self.name)),
            incidents=tuple(alerts(statuses, profiles, now.timestamp(), self.name)),
            warnings=tuple(f"not loaded: {problem}" for problem in problems),
        )


    def _unless_changed(self, what: str, stamp: tuple, load: Callable[[], Any]) -> Any:
        """``load()``, or what it returned last time when the files' stamp is
        the same: 6,000 SLOs take seconds to parse and a refresh comes every
        few seconds."""
        if what not in self._loaded or self._loaded[what][0] != stamp:
            self._loaded[what] = (stamp, load())
        return self._loaded[what][1]


def simulated_backups(spec, now: datetime) -> tuple[tuple[BackupStatus, ...], list[Problem]]:
    """The ``backups:`` option: each subject's last backup that long before ``now``."""
    ages = spec.options.get("backups") or {}
    values, problems = validate_mapping(ages, {str(k): OptionSpec(timedelta) for k in ages},
                                        file=spec.config_file, key=f"sources.{spec.name}.backups")
    return tuple(BackupStatus(str(subject), now - age, spec.name) for subject, age in values.items()), problems


def simulate_all(specs: SLOSpecs, now: datetime, source: str) -> tuple[list[SLOStatus], dict[str, Profile]]:
    ts = now.timestamp()
    chosen = scenarios(specs.slos)
    profiles = {slo.key: profile(slo, chosen[slo.key], ts) for slo in specs.slos}
    statuses = [simulate(slo, profiles[slo.key], now, specs.policy, source) for slo in specs.slos]
    return statuses, profiles
