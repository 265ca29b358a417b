"""The drill source: what a scenario's timeline says is happening at the
sandbox clock's time, as SLO statuses, firing alerts and on-call, plus acks
and silences kept in memory. It replaces every configured metrics, alerting
and paging source during a drill, so nothing leaves the machine.

The SLO numbers come from the demo source's simulation: each SLO burns at a
healthy steady rate, and a scenario's `burn` events are episodes on top.
Not a configurable kind (no entry point): only a sandbox builds one.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
from dataclasses import replace
from datetime import datetime
from typing import Any

from cockpit.alerts import Matcher, Silence, equality_matchers, matches_all, parse_matchers
from cockpit.durations import format_duration
from cockpit.model import Incident, SourceData
from cockpit.slo_specs import load_slo_paths
from cockpit.sources.alertmanager.source import silence_duration
from cockpit.sources.base import Source, SourceError, SourceSpec, SourceContext
from cockpit.sources.demo.alerts import alerts as burn_alerts, make_alert
from cockpit.sources.demo.rotations import load_rotations, on_call
from cockpit.sources.demo.simulation import packed, profile, simulate
from cockpit.writes import Action, ActionResult
from cockpit.drills.scenario import Scenario

KIND = "drill"


class DrillSource(Source):
    kind = KIND
    provides = frozenset({"slos", "incidents", "oncall"})
    actions = frozenset({"ack", "silence", "expire"})
    lists = frozenset({"silences"})
    demo = True

    def __init__(self, spec: SourceSpec, context: SourceContext, scenario: Scenario, started_at: datetime) -> None:
        super().__init__(spec, context)
        self.scenario = scenario
        self.started_at = started_at
        self._specs = load_slo_paths(list(scenario.slo_paths))
        self._levels = load_rotations(scenario.rotations).levels if scenario.rotations else {}
        self._acked: set[str] = set()
        self._silences: list[Silence] = []
        self._alerts: dict[str, Incident] = {}  # id -> the last alerts shown, for writes by id

    async def fetch(self) -> SourceData:
        return await asyncio.to_thread(self._build, self.context.clock())

    def _build(self, now: datetime) -> SourceData:
        happened = self.scenario.events_until(now - self.started_at)
        profiles = {slo.key: self._profile(slo, happened, now) for slo in self._specs.slos}
        statuses = [simulate(slo, profiles[slo.key], now, self._specs.policy, self.name) for slo in self._specs.slos]
        found = [*self._scenario_alerts(happened), *burn_alerts(statuses, profiles, now.timestamp(), self.name)]
        shown = [self._with_state(alert, now) for alert in found]
        self._alerts = {alert.id: alert for alert in shown}
        return SourceData(slos=tuple(statuses), policy=self._specs.policy, incidents=tuple(shown),
                          oncall=tuple(on_call(self._levels, now, self.name)))

    def _profile(self, slo, happened, now: datetime):
        """The demo's healthy profile, steady (no waves: a burn shows the
        rate the scenario says), with the scenario's burns as episodes (each
        lasting until the next burn of the same SLO)."""
        healthy = profile(slo, "healthy", now.timestamp())
        burns = [(self.started_at + e.at).timestamp() for e in happened
                 if e.kind == "burn" and e.detail["slo"] == slo.key]
        rates = [e.detail["rate"] for e in happened if e.kind == "burn" and e.detail["slo"] == slo.key]
        ends = burns[1:] + [math.inf]
        episodes = packed((start, end, max(rate - healthy.base, 0.0)) for start, end, rate in zip(burns, ends, rates))
        return replace(healthy, waves=packed(()), episodes=episodes, outage_start=None)

    def _scenario_alerts(self, happened) -> list[Incident]:
        cleared = {e.text for e in happened if e.kind == "clear"}
        return [make_alert(self.name, e.detail["name"], e.detail["service"], e.detail.get("severity", "critical"),
                           e.detail.get("priority", "P1"), (self.started_at + e.at).timestamp(),
                           e.detail["summary"], self.scenario.runbook, drill=self.scenario.name)
                for e in happened if e.kind == "alert" and e.detail["name"] not in cleared]

    def _with_state(self, alert: Incident, now: datetime) -> Incident:
        if any(s.starts_at <= now < s.ends_at and matches_all(s.matchers, alert.labels) for s in self._silences):
            return replace(alert, status="silenced", silenced=True)
        if alert.id in self._acked:
            return replace(alert, status="acknowledged", acknowledged=True)
        return alert

    # --- writes: kept in memory, gone with the sandbox -------------------------

    def alert(self, alert_id: str) -> Incident | None:
        return self._alerts.get(alert_id)

    def current_alerts(self) -> list[Incident]:
        return list(self._alerts.values())

    async def perform(self, action: Action) -> ActionResult:
        if action.name == "ack":
            if action.target not in self._alerts:
                raise SourceError(f"alert {action.target} is not firing in this drill")
            self._acked.add(action.target)
            return ActionResult(True, f"acknowledged {self._alerts[action.target].title}", action.target)
        if action.name == "silence":
            return self._silence(action)
        if action.name == "expire":
            now = self.context.clock()
            self._silences = [replace(s, ends_at=now, state="expired") if s.id == action.target else s
                              for s in self._silences]
            return ActionResult(True, f"expired silence {action.target}", action.target)
        return await super().perform(action)

    def _silence(self, action: Action) -> ActionResult:
        comment = str(action.params.get("comment") or "").strip()
        if not comment:
            raise SourceError("a silence needs a comment saying why")
        try:
            duration = silence_duration(action.params.get("duration"))
        except ValueError as error:
            raise SourceError(f"silence duration: {error}") from None
        matchers = self.silence_matchers(action)
        now = self.context.clock()
        silence_id = "drill-" + hashlib.sha256(f"{len(self._silences)}|{matchers}".encode()).hexdigest()[:8]
        self._silences.append(Silence(id=silence_id, matchers=matchers, starts_at=now, ends_at=now + duration,
                                      created_by=self.context.user, comment=comment, state="active",
                                      source=self.name))
        return ActionResult(True, f"silenced for {format_duration(duration)} (drill)", silence_id)

    def silence_matchers(self, action: Action) -> tuple[Matcher, ...]:
        """What a silence selects: the targeted alert's labels, or the matchers given."""
        if action.target:
            alert = self._alerts.get(action.target)
            if alert is None:
                raise SourceError(f"alert {action.target} is not firing in this drill")
            return equality_matchers(alert.labels)
        raw: Any = action.params.get("matchers")
        return parse_matchers(raw) if isinstance(raw, str) else tuple(raw or ())

    async def list_silences(self, include_expired: bool = False) -> tuple[Silence, ...]:
        return tuple(s for s in self._silences if include_expired or s.state != "expired")

