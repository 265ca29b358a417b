"""The end of a drill: each expected answer against what was done when, the
score, the line in completed.jsonl, and the drill postmortem draft (marked
as a drill) made from the sandbox's timeline."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cockpit.drills.sandbox import Sandbox, completed_log
from cockpit.drills.scenario import Expected, Scenario
from cockpit.drills.timeline import Done
from cockpit.model import Incident
from cockpit.postmortems.draft import write_new_draft
from cockpit.postmortems.writer import DraftWriter, WriteRefused

DRILL_TITLE = "DRILL: "


@dataclass(frozen=True)
class Answer:
    expected: Expected
    done: Done | None  # the first thing done that answers it

    @property
    def on_time(self) -> bool:
        return self.done is not None and self.done.at <= self.expected.within


def answers(scenario: Scenario, done: list[Done]) -> list[Answer]:
    return [Answer(e, next((d for d in done if _answers(e, d, scenario)), None)) for e in scenario.expected]


def score(found: list[Answer]) -> float:
    """The share of expected answers given in time, 0 to 1."""
    return round(sum(a.on_time for a in found) / len(found), 2) if found else 1.0


def _answers(expected: Expected, done: Done, scenario: Scenario) -> bool:
    if done.what != expected.do or not done.ok:
        return False
    if expected.do == "runbook":
        return done.params.get("path") == (expected.runbook or scenario.runbook)
    if expected.alert and expected.alert not in done.alerts:
        return False
    if expected.do == "silence" and set(done.alerts) & _pages(scenario):
        return False  # the right silence hides a symptom, never a page someone must answer
    if expected.severity and done.params.get("severity") != expected.severity:
        return False
    return not expected.service or expected.service in (done.params.get("services") or ())


def _pages(scenario: Scenario) -> set[str]:
    """The alerts the scenario expects acknowledged."""
    return {e.alert for e in scenario.expected if e.do == "ack" and e.alert}


def record_completion(sandbox: Sandbox, points: float, finished_at: datetime) -> Path:
    """One JSON line per finished drill: {scenario, title, finished_at, user, score}."""
    path = completed_log(sandbox.data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = {"scenario": sandbox.scenario.name, "title": sandbox.scenario.title,
            "finished_at": finished_at.astimezone(timezone.utc).isoformat(), "user": sandbox.config.user,
            "score": points}
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")
    return path


def drill_incident(sandbox: Sandbox, now: datetime) -> Incident:
    """The drill as an incident: its alerts' services, its timeline, marked as a drill."""
    scenario = sandbox.scenario
    services = tuple(dict.fromkeys(e.detail["service"] for e in scenario.events if e.kind == "alert"))
    severity = next((e.severity for e in scenario.expected if e.severity), "P1")
    return Incident(
        id=f"drill-{scenario.name}-{sandbox.timeline.started_at:%H%M%S}", title=DRILL_TITLE + scenario.title,
        severity=severity, status="resolved", service=services[0] if services else "", services=services,
        started_at=sandbox.timeline.started_at, resolved_at=now, source=sandbox.hub.drill.name,
        timeline=sandbox.timeline.as_incident_timeline(sandbox.config.user), demo=True,
    )


def write_drill_draft(sandbox: Sandbox, writer: DraftWriter, now: datetime) -> tuple[Path, str]:
    """The drill's postmortem draft in the sandbox's drafts folder."""
    return write_new_draft(writer, Path(sandbox.config.postmortems), drill_incident(sandbox, now),
                           sandbox.hub.snapshot(), audit_log=sandbox.config.audit_log, now=now,
                           drill=sandbox.scenario.name)


@dataclass(frozen=True)
class Debrief:
    answers: tuple[Answer, ...]
    score: float
    done: tuple[Done, ...]  # everything the person did, in order
    draft: Path | None
    warning: str  # why there is no draft, or what its writer warned of


def finish(sandbox: Sandbox, writer: DraftWriter, now: datetime) -> Debrief:
    """Score the drill, list it in completed.jsonl and write its draft."""
    done = sandbox.timeline.by_person()
    found = answers(sandbox.scenario, done)
    points = score(found)
    sandbox.timeline.record("drill", f"drill ended: {points:.0%} of the expected answers in time")
    draft, warning = None, ""
    try:
        draft, warning = write_drill_draft(sandbox, writer, now)
    except (OSError, WriteRefused) as error:
        warning = f"no drill postmortem draft: {getattr(error, 'strerror', None) or error}"
    record_completion(sandbox, points, now)
    return Debrief(tuple(found), points, tuple(done), draft, warning)
