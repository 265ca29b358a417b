"""The sandbox a drill runs in: the configured catalog and runbooks (files
only), a drill source in place of every metrics, alerting and paging source,
an incident log on a throwaway SQLite file, its own audit log and drafts
folder, all under one run folder, and a simulated clock. The hub is the real
one, so writes are refused, audited and refreshed as they would be, and each
one is written down in the sandbox's timeline too (SandboxHub)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from cockpit.alerts import matches_all
from cockpit.audit import AuditLog
from cockpit.clock import SimulatedClock, system_clock
from cockpit.config import Config, source_context
from cockpit.drills.scenario import Scenario
from cockpit.drills.source import KIND, DrillSource
from cockpit.drills.timeline import DrillTimeline
from cockpit.hub import Hub
from cockpit.sources import load_kind
from cockpit.sources.base import SourceError, SourceSpec
from cockpit.untrusted import clean
from cockpit.writes import Action, ActionResult

# Kinds that read only local files: kept, so the drill shows your catalog and runbooks.
LOCAL_KINDS = frozenset({"catalog", "runbooks"})
INCIDENT_LOG = "incident-log"
DRILL_REFRESH = timedelta(seconds=5)
RUNS = Path("drills") / "runs"  # under the data dir: one folder per drill run


def completed_log(data_dir: Path) -> Path:
    """Where finished drills are listed (the onboarding checklist reads it)."""
    return Path(data_dir) / "drills" / "completed.jsonl"


class SandboxHub(Hub):
    """The hub, writing every write down in the drill's timeline as well."""

    def __init__(self, *args, timeline: DrillTimeline, drill: DrillSource, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.timeline = timeline
        self.drill = drill

    async def perform(self, source_name: str, action: Action) -> ActionResult:
        alerts = self._alert_names(source_name, action)  # before: an ack changes what is shown
        result = await super().perform(source_name, action)
        text = _action_text(action, alerts, result)
        self.timeline.record(action.name, text, ok=result.ok, alerts=alerts, params=dict(action.params))
        return result

    def _alert_names(self, source_name: str, action: Action) -> tuple[str, ...]:
        if source_name != self.drill.name or action.name not in ("ack", "silence"):
            return ()
        if action.target:
            alert = self.drill.alert(action.target)
            return (alert.labels.get("alertname", ""),) if alert is not None else ()
        try:
            matchers = self.drill.silence_matchers(action)
        except (SourceError, ValueError):
            return ()
        return tuple(dict.fromkeys(a.labels.get("alertname", "") for a in self.drill.current_alerts()
                                   if matches_all(matchers, a.labels)))


@dataclass
class Sandbox:
    scenario: Scenario
    config: Config  # the sandbox's: its sources, data dir, audit log and drafts folder
    hub: SandboxHub
    clock: SimulatedClock
    timeline: DrillTimeline
    folder: Path  # the run folder: incident log, audit log, drafts
    data_dir: Path  # the user's own: where completed drills are listed

    @property
    def remaining(self) -> timedelta:
        return max(self.scenario.duration - self.timeline.elapsed, timedelta(0))

    @property
    def over(self) -> bool:
        return self.timeline.elapsed >= self.scenario.duration


def build_sandbox(config: Config, scenario: Scenario, *, clock: SimulatedClock | None = None,
                  now=system_clock) -> Sandbox:
    """A sandbox for ``scenario`` beside ``config``'s data dir; ``config``'s
    own network sources are never built."""
    clock = clock or SimulatedClock(now().replace(microsecond=0))
    started_at = clock()
    folder = Path(config.data_dir) / RUNS / f"{scenario.name}-{started_at:%Y%m%dT%H%M%SZ}"
    folder.mkdir(parents=True, exist_ok=True)
    kept = [spec for spec in config.sources if spec.kind in LOCAL_KINDS]
    log_spec = SourceSpec(kind=INCIDENT_LOG, name="drill-incidents", refresh=DRILL_REFRESH,
                          timeout=timedelta(seconds=10), options={"path": str(folder / "incidents.db")},
                          base_dir=folder)
    drill_spec = SourceSpec(kind=KIND, name="drill", refresh=DRILL_REFRESH, timeout=timedelta(seconds=10),
                            options={}, base_dir=scenario.path.parent, config_file=str(scenario.path))
    sandbox_config = replace(config, sources=(*kept, log_spec), read_only=False, data_dir=folder,
                             audit_log=folder / "audit.jsonl", postmortems=folder / "drafts")
    context = source_context(sandbox_config, clock)
    timeline = DrillTimeline(clock, started_at)
    drill = DrillSource(drill_spec, context, scenario, started_at)
    sources = [load_kind(spec.kind)(spec, context) for spec in sandbox_config.sources] + [drill]
    audit = AuditLog(sandbox_config.audit_log, clock, sandbox_config.file_access)
    hub = SandboxHub(sources, clock=clock, audit=audit, user=config.user, timeline=timeline, drill=drill)
    timeline.record("drill", f"drill started: {scenario.title}")
    return Sandbox(scenario, sandbox_config, hub, clock, timeline, folder, Path(config.data_dir))


def due_events(sandbox: Sandbox, seen: int) -> list:
    """The scenario's events that came due since the first ``seen``, each
    written down in the timeline (the UI shows the hints)."""
    happened = sandbox.scenario.events_until(sandbox.timeline.elapsed)
    for event in happened[seen:]:
        sandbox.timeline.record(event.kind, _event_text(event), at=event.at)
    return list(happened[seen:])


def _event_text(event) -> str:
    if event.kind == "alert":
        return f"{event.detail['name']} firing ({event.detail['summary']})"
    if event.kind == "burn":
        return f"{event.detail['slo']} burning {event.detail['rate']}x the sustainable rate"
    if event.kind == "clear":
        return f"{event.text} resolved"
    return event.text



def _action_text(action: Action, alerts: tuple[str, ...], result: ActionResult) -> str:
    """One line for the debrief and the draft: what was written, to what."""
    params = action.params
    if action.name == "declare":
        what = f"{params.get('severity', '')} {result.target or ''}: {params.get('title', '')}"
    elif action.name == "note":
        what = f"{action.target}: {params.get('text', '')}"
    else:
        what = ", ".join(alerts) or action.target or ""
    text = clean(f"{action.name} {what}", single_line=True).strip()
    return text if result.ok else f"{text} (failed: {clean(result.message, single_line=True)})"
