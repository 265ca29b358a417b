"""The demo's simulated SLOs: each one's error rate over absolute time, and
its status at a moment.

Each SLO's error rate, in multiples of the sustainable burn rate, is a steady
base, plus slow waves, plus past incidents ("episodes") placed at absolute
times, plus for one SLO an ongoing outage. Event counts over any window are
exact integrals of that curve, so the SLO window, every burn window and the
budget history agree with each other. Randomness comes from SHA-256 of each
SLO's key (Python's hash() changes per process).
"""

from __future__ import annotations

import hashlib
import math
from array import array
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate, chain, repeat
from operator import add, mul
from typing import Iterable, Iterator, Sequence

from cockpit.model import SLO, PolicyTier, SLOStatus
from cockpit.slo import BURN_WINDOWS, DEFAULT_MIN_EVENTS, MULTIWINDOW_RULES, Events, budget_remaining, evaluate

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
_BURN_SPANS = tuple(w.total_seconds() for w in BURN_WINDOWS.values())


def unit(*parts: object) -> float:
    """A stable pseudo-random number in [0, 1) for ``parts``."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def recurring_start(now: float, key: str, every: float) -> float:
    """The latest moment <= now of a series repeating every ``every`` seconds
    at a phase fixed per key."""
    phase = unit(key, "phase") * every
    return math.floor((now - phase) / every) * every + phase


@dataclass(frozen=True, slots=True)
class Profile:
    """One SLO's simulated error rate over absolute time (seconds)."""

    rate: float  # events per second
    error_budget: float  # 1 - objective
    base: float  # steady burn rate
    waves: Sequence[float]  # (amplitude, period s, phase) after one another (packed)
    episodes: Sequence[float]  # (start, end, extra burn) after one another; end may be inf (packed)
    outage_start: float | None = None  # the ongoing page-level outage, if any

    def burn_integral(self, a: float, b: float) -> float:
        """Integral of the burn rate over [a, b]."""
        return self.trailing(b, (b - a,))[0]

    def events(self, a: float, b: float) -> Events:
        return self.counted(self.burn_integral(a, b), b - a)

    def counted(self, integral: float, span: float) -> Events:
        """The events of a window ``span`` seconds long whose burn integral is ``integral``."""
        errors = self.rate * self.error_budget * integral
        return Events(errors=min(errors, self.rate * span), total=self.rate * span)

    def trailing(self, end: float, spans: Sequence[float]) -> list[float]:
        """The burn integral over [end - span, end] for each of ``spans``
        (every window the status needs ends now: each wave's value there is
        taken once)."""
        totals = [self.base * span for span in spans]
        for amplitude, period, phase in triples(self.waves):
            w = 2 * math.pi / period
            scale, at_end = amplitude / w, math.cos(w * end + phase)
            totals = [t + scale * (math.cos(w * (end - span) + phase) - at_end) for t, span in zip(totals, spans)]
        longest = max(spans, default=0.0)
        for start, stop, extra in triples(self.episodes):
            if stop > end - longest and start < end:
                totals = [t + extra * max(0.0, min(end, stop) - max(end - span, start)) for t, span in zip(totals, spans)]
        return totals

    def window_integrals(self, end: float, window: float, count: int) -> list[float]:
        """The burn integral over each window ``window`` seconds long ending
        at ``end - (count - i) * window / count`` for i = 1 .. count (the
        budget history: 60 windows for each of 6,000 SLOs every refresh).

        A wave's integral over a window is its value at the window's middle
        times a constant (cos a - cos b = 2 sin((a + b) / 2) sin((b - a) / 2));
        an episode's is the difference of its running integral at the
        window's two ends, which all lie on one grid ``window / count`` apart."""
        step = window / count
        totals = [self.base * window] * count
        for amplitude, period, phase in triples(self.waves):
            w = 2 * math.pi / period
            scale = 2 * amplitude / w * math.sin(w * window / 2)
            first, turn = w * (end - window / 2 - (count - 1) * step) + phase, w * step
            # totals[k] += scale * sin(first + k turn), looped in C (6,000 SLOs x 3 waves x 60 points)
            middles = map(math.sin, accumulate(repeat(turn, count - 1), initial=first))
            totals = list(map(add, totals, map(mul, repeat(scale), middles)))
        if not self.episodes:
            return totals
        # The episodes' running integral at grid point j (end - 2 window + j step):
        # a ramp at the few points inside one, a plateau after it.
        origin, points = end - 2 * window, 2 * count + 1
        running, plateau = [0.0] * points, [0.0] * (points + 1)
        for start, stop, extra in triples(self.episodes):
            start = max(origin, start)
            if stop <= start:
                continue
            first = min(points, max(0, math.floor((start - origin) / step) + 1))
            past = points if stop >= end else max(first, math.ceil((stop - origin) / step))
            for j in range(first, past):
                running[j] += extra * (origin + j * step - start)
            plateau[past] += extra * (stop - start)
        running = [r + p for r, p in zip(running, accumulate(plateau))]
        return [t + later - earlier for t, later, earlier in zip(totals, running[count + 1:], running[1:count + 1])]


def scenarios(slos: Sequence[SLO]) -> dict[str, str]:
    """SLO key -> scenario, by a stable ranking of the keys."""
    ranked = sorted(slos, key=lambda s: hashlib.sha256(s.key.encode()).hexdigest())
    return {slo.key: SCENARIOS[i] if i < len(SCENARIOS) else "healthy" for i, slo in enumerate(ranked)}


def profile(slo: SLO, scenario: str, now: float) -> Profile:
    return _profile(slo, scenario, _moments(slo, scenario, now))


def _moments(slo: SLO, scenario: str, now: float) -> tuple[int, int, float | None]:
    """All a profile takes from the clock: the first and last episode slot
    it covers (two SLO windows back), and when its ongoing outage started."""
    window = slo.window.total_seconds()
    first, last = math.floor((now - 2 * window) / EPISODE_SLOT), math.floor(now / EPISODE_SLOT)
    return first, last, recurring_start(now - 900.0, slo.key, PAGE_EVERY) if scenario == "page" else None


def _profile(slo: SLO, scenario: str, moments: tuple[int, int, float | None]) -> Profile:
    key, window = slo.key, slo.window.total_seconds()
    first, last, outage_start = moments
    low, spread = _BASE_BURN[scenario]
    base = low + spread * unit(key, "base")
    # Three waves of minutes, hours and days; amplitudes sum below the base so
    # the burn never goes negative.
    waves = tuple((base * share, period * (0.8 + 0.4 * unit(key, "period", i)), 2 * math.pi * unit(key, "wave", i))
                  for i, (share, period) in enumerate(((0.35, 1020.0), (0.3, 8280.0), (0.25, 146880.0))))
    # Past episodes: each consumes 0.5-2 % of the budget over 2-6 h, i.e. at
    # most half the page threshold, so they dent the history but never page.
    episodes = []
    for slot in range(first, last + 1):
        if unit(key, "episode", slot) >= 0.7:
            continue
        start = (slot + unit(key, "start", slot)) * EPISODE_SLOT
        duration = 3600.0 * (2 + 4 * unit(key, "duration", slot))
        consumed = 0.005 + 0.015 * unit(key, "consumed", slot)
        episodes.append((start, start + duration, consumed * window / duration))
    if outage_start is not None:
        # An outage burning 5.5x the page-1h threshold, started 15 min to 3 h ago.
        extra = min(5.5 * MULTIWINDOW_RULES[0].burn_rate_for(slo.window), 0.95 / slo.error_budget)
        episodes.append((outage_start, math.inf, extra))
    # Low traffic: four events over the whole window, below any minimum.
    rate = 4.0 / window if scenario == "low-traffic" else 10 ** (0.5 + 2 * unit(key, "rate"))
    return Profile(rate, slo.error_budget, base, packed(waves), packed(episodes), outage_start)


def packed(triples: Iterable[tuple[float, float, float]]) -> Sequence[float]:
    """Triples of numbers kept as one array of doubles: 6,000 profiles of a
    dozen tuples of floats each took 13 MB, kept between refreshes."""
    return array("d", chain.from_iterable(triples))


def triples(numbers: Sequence[float]) -> Iterator[tuple[float, float, float]]:
    """The triples ``packed`` was given, back."""
    numbers = iter(numbers)
    return zip(numbers, numbers, numbers)


class Profiles:
    """Every SLO's profile at a moment, each made again only when what it
    takes from the clock moves (an episode slot every five days, the
    outage every three hours): at 6,000 SLOs making them all took a
    quarter of every refresh."""

    def __init__(self) -> None:
        self._slos: tuple[SLO, ...] | None = None
        self._scenarios: dict[str, str] = {}
        self._made: dict[str, tuple[tuple, Profile]] = {}  # SLO key -> (its moments, its profile)

    def at(self, slos: tuple[SLO, ...], now: float) -> dict[str, Profile]:
        if slos is not self._slos:
            self._slos, self._scenarios, self._made = slos, scenarios(slos), {}
        profiles = {}
        for slo in slos:
            scenario = self._scenarios[slo.key]
            moments = _moments(slo, scenario, now)
            made = self._made.get(slo.key)
            if made is None or made[0] != moments:
                made = self._made[slo.key] = (moments, _profile(slo, scenario, moments))
            profiles[slo.key] = made[1]
        return profiles


def simulate(slo: SLO, prof: Profile, at_time: datetime, policy: Sequence[PolicyTier], source: str) -> SLOStatus:
    now, window = at_time.timestamp(), slo.window.total_seconds()
    *burn_integrals, window_integral = prof.trailing(now, (*_BURN_SPANS, window))
    burns = {name: prof.counted(integral, span)
             for name, integral, span in zip(BURN_WINDOWS, burn_integrals, _BURN_SPANS)}
    total = prof.rate * window
    history = []
    if total >= DEFAULT_MIN_EVENTS:
        # Point i covers the window ending (HISTORY_POINTS - i) steps before now;
        # its error ratio is its burn integral times the budget over the window.
        per_burn = prof.error_budget / window
        history = [budget_remaining(min(max(integral * per_burn, 0.0), 1.0), slo.objective)
                   for integral in prof.window_integrals(now, window, HISTORY_POINTS)]
    # Placed in time only when no point was dropped (the steps stay even).
    placed = len(history) == HISTORY_POINTS
    return evaluate(slo, prof.counted(window_integral, window), burns, policy=policy, history=history,
                    history_end=at_time if placed else None,
                    history_step=slo.window / HISTORY_POINTS if placed else None, source=source, demo=True)


def simulate_all(slos: tuple[SLO, ...], profiles: Profiles, now: datetime, policy: Sequence[PolicyTier],
                 source: str) -> tuple[list[SLOStatus], dict[str, Profile]]:
    at = profiles.at(slos, now.timestamp())
    return [simulate(slo, at[slo.key], now, policy, source) for slo in slos], at
