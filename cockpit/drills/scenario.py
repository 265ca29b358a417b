"""A drill scenario, read from config/drills/NAME.yaml: what happens when
(alerts firing, SLO burn, hints) and what the person on call is expected to
do by when. Every problem names file, line and key, as config problems do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping

from cockpit.bundled import CONFIG as BUNDLED_CONFIG_DIR
from cockpit.config_schema import validate_mapping
from cockpit.problems import Problem
from cockpit.sources.base import OptionSpec
from cockpit.yamlfile import YamlError, join_key, line_of, load_yaml_file, yaml_shape

FOLDER = "drills"
SUFFIX = ".yaml"
# What a person can be expected to do: the writes a sandbox takes, and opening a runbook.
ANSWERS = ("ack", "silence", "declare", "note", "status", "resolve", "runbook")

TOP = {
    "title": OptionSpec(str, required=True, help="one line, shown by `cockpit drill --list`"),
    "simulate": OptionSpec(str, help="what the drill pretends happens (the guide's `simulate:`)"),
    "duration": OptionSpec(timedelta, required=True, help="how long the drill runs, e.g. 30m"),
    "runbook": OptionSpec(str, required=True, help="the runbook the drill expects used"),
    "slos": OptionSpec(list[str], required=True, help="SLO definition files (relative to this file)"),
    "rotations": OptionSpec(str, help="on-call rotations file (relative to this file)"),
    "timeline": OptionSpec(list, required=True, help="events: {at: 2m, alert|burn|clear|hint: ...}"),
    "expect": OptionSpec(list, required=True, help="answers: {do: ack|silence|declare|..., within: 5m}"),
}
EVENT = {
    "at": OptionSpec(timedelta, required=True, help="time from the drill's start, e.g. 2m"),
    "alert": OptionSpec(dict, help="{name, service, severity, priority, summary}"),
    "burn": OptionSpec(dict, help="{slo: SERVICE/NAME, rate: multiple of the sustainable burn}"),
    "clear": OptionSpec(str, help="the alert name that stops firing"),
    "hint": OptionSpec(str, help="a hint shown to the person drilling"),
}
ALERT = {
    "name": OptionSpec(str, required=True, help="its alertname"),
    "service": OptionSpec(str, required=True),
    "severity": OptionSpec(str, help="critical | warning (default critical)"),
    "priority": OptionSpec(str, help="P0-P3 (default P1)"),
    "summary": OptionSpec(str, required=True),
}
BURN = {
    "slo": OptionSpec(str, required=True, help="SERVICE/NAME, as the SLOs panel shows it"),
    "rate": OptionSpec((int, float), required=True, help="1 = burning exactly the sustainable rate"),
}
EXPECT = {
    "do": OptionSpec(str, required=True, help=" | ".join(ANSWERS)),
    "within": OptionSpec(timedelta, required=True, help="from the drill's start"),
    "why": OptionSpec(str, required=True, help="what the answer shows, said in the debrief"),
    "alert": OptionSpec(str, help="ack/silence: the alert name it applies to"),
    "severity": OptionSpec(str, help="declare: the severity expected"),
    "service": OptionSpec(str, help="declare: a service it must name"),
    "runbook": OptionSpec(str, help="runbook: its path (default: the scenario's runbook)"),
}


@dataclass(frozen=True)
class Event:
    at: timedelta
    kind: str  # alert | burn | clear | hint
    detail: Mapping[str, Any] = field(default_factory=dict)  # alert: ALERT keys; burn: slo, rate
    text: str = ""  # hint text, or the cleared alert's name


@dataclass(frozen=True)
class Expected:
    do: str
    within: timedelta
    why: str
    alert: str = ""
    severity: str = ""
    service: str = ""
    runbook: str = ""


@dataclass(frozen=True)
class Scenario:
    name: str  # the file's stem
    title: str
    duration: timedelta
    runbook: str
    slo_paths: tuple[Path, ...]
    events: tuple[Event, ...]
    expected: tuple[Expected, ...]
    simulate: str = ""
    rotations: Path | None = None
    path: Path = Path()

    def events_until(self, elapsed: timedelta) -> tuple[Event, ...]:
        return tuple(event for event in self.events if event.at <= elapsed)


class ScenarioError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def drills_folder(config_path: Path) -> Path:
    """drills/ beside the config file; the bundled ones (the guide's three)
    when that folder does not exist."""
    own = Path(config_path).expanduser().resolve().parent / FOLDER
    return own if own.is_dir() else BUNDLED_CONFIG_DIR / FOLDER


def scenario_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []


def scenario_file(folder: Path, name: str) -> Path | None:
    """The file of scenario ``name`` (its file's stem), None when there is none."""
    return next((path for path in scenario_files(folder) if path.stem == name), None)


def load_scenario(path: Path) -> Scenario:
    scenario, problems = parse_scenario(path)
    if problems or scenario is None:
        raise ScenarioError(problems)
    return scenario


def parse_scenario(path: Path) -> tuple[Scenario | None, list[Problem]]:
    """The scenario in ``path`` and every problem found in it."""
    file = str(path)
    try:
        data = load_yaml_file(path)
    except YamlError as error:
        return None, [error.problem]
    if not isinstance(data, dict):
        return None, [Problem(file, getattr(data, "line", 1), "(file)",
                              f"expected a mapping (title, duration, timeline, expect ...), got {yaml_shape(data)}")]
    top, problems = validate_mapping(data, TOP, file=file)
    events = [_event(entry, join_key("timeline", i), line_of(top["timeline"], i), file, problems)
              for i, entry in enumerate(top.get("timeline", ()))]
    expected = [_expected(entry, join_key("expect", i), line_of(top["expect"], i), file, problems)
                for i, entry in enumerate(top.get("expect", ()))]
    if problems:
        return None, problems
    base = path.parent
    return Scenario(
        name=path.stem, title=top["title"], duration=top["duration"], runbook=top["runbook"],
        slo_paths=tuple(base / p for p in top["slos"]), events=tuple(sorted(events, key=lambda e: e.at)),
        expected=tuple(expected), simulate=top.get("simulate", ""),
        rotations=base / top["rotations"] if top.get("rotations") else None, path=path,
    ), []


def _entry(entry: Any, specs: Mapping[str, OptionSpec], key: str, line: int, file: str,
           problems: list[Problem]) -> Mapping[str, Any] | None:
    if not isinstance(entry, dict):
        problems.append(Problem(file, line, key, f"expected a mapping, got {yaml_shape(entry)}"))
        return None
    values, found = validate_mapping(entry, specs, file=file, key=key)
    problems += found
    return values if not found else None


def _event(entry: Any, key: str, line: int, file: str, problems: list[Problem]) -> Event | None:
    values = _entry(entry, EVENT, key, line, file, problems)
    if values is None:
        return None
    kinds = [kind for kind in ("alert", "burn", "clear", "hint") if kind in values]
    if len(kinds) != 1:
        problems.append(Problem(file, line, key, "expected exactly one of alert, burn, clear, hint"))
        return None
    kind = kinds[0]
    if kind in ("clear", "hint"):
        return Event(values["at"], kind, text=values[kind])
    detail = _entry(values[kind], ALERT if kind == "alert" else BURN, join_key(key, kind), line_of(entry, kind),
                    file, problems)
    return Event(values["at"], kind, detail=detail) if detail is not None else None


def _expected(entry: Any, key: str, line: int, file: str, problems: list[Problem]) -> Expected | None:
    values = _entry(entry, EXPECT, key, line, file, problems)
    if values is None:
        return None
    if values["do"] not in ANSWERS:
        problems.append(Problem(file, line_of(entry, "do"), join_key(key, "do"),
                                f"unknown answer {values['do']!r} (one of: {', '.join(ANSWERS)})"))
        return None
    return Expected(**values)
