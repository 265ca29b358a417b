"""OpenSLO ``apiVersion: openslo/v1`` and ``openslo/v1alpha`` documents.

``SLO`` objects become one cockpit SLO per objective (a row each): named
``<metadata.name>-<index>`` as Sloth names them for v1alpha (so its recording
rules match), and for v1 ``metadata.name`` alone when there is one objective.
Their indicator is inline or an ``SLI`` object (``indicatorRef``), whose
metric sources may be ``DataSource`` objects (``metricSourceRef``), in any of
the files read; so SLOs are built once every file is read. ``Service``
objects give the service's description. Alert policies, conditions and
notification targets are the alerting tool's business: skipped.

Budgeting methods Occurrences, Timeslices and RatioTimeslices and rolling or
calendar time windows are evaluated by the cockpit itself
(cockpit.slo_specs.openslo_promql, cockpit.calendar_windows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from cockpit.durations import format_duration
from cockpit.model import SLO
from cockpit.promql import PromQLError
from cockpit.slo_specs.openslo_promql import BAD_OP, Indicator, Objective, templates
from cockpit.slo_specs.openslo_sli import Indicators, shorthand, time_window
from cockpit.slo_specs.reader import SpecReader

VERSIONS = ("openslo/v1", "openslo/v1alpha")
METHODS = ("Occurrences", "Timeslices", "RatioTimeslices")
SKIPPED_KINDS = frozenset({"AlertPolicy", "AlertCondition", "AlertNotificationTarget"})
DEFAULT_TIME_SLICE = timedelta(minutes=1)  # timeSliceWindow as a bare number is minutes, too


@dataclass
class _Documents:
    """The OpenSLO objects of every file read, resolved at the end."""

    reader: SpecReader
    slos: list[tuple[str, dict]] = field(default_factory=list)
    slis: dict[str, tuple[str, dict]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # DataSource name -> type
    services: dict[str, str] = field(default_factory=dict)  # Service name -> description

    def finish(self) -> None:
        indicators = Indicators(self.reader, self.slis, self.sources)
        for file, doc in self.slos:
            self.reader.file = file
            _read_slo(self.reader, doc, indicators, self.services)


def read(reader: SpecReader, doc: dict) -> None:
    version, kind = str(doc.get("apiVersion")), str(doc.get("kind"))
    if version not in VERSIONS:
        reader.problem(doc, "apiVersion", "apiVersion", f"unsupported apiVersion {doc.get('apiVersion')!r} "
                       "(expected openslo/v1 or openslo/v1alpha, Sloth's prometheus/v1 or Pyrra's pyrra.dev/v1alpha1)")
        return
    if kind in SKIPPED_KINDS:
        return
    finish = reader.finishers.get("openslo")
    docs = finish.__self__ if finish is not None else _Documents(reader)  # one collection per read
    reader.finishers["openslo"] = docs.finish
    if kind == "SLO":
        docs.slos.append((reader.file, doc))
        return
    if kind not in ("SLI", "DataSource", "Service"):
        reader.problem(doc, "kind", "kind", f"unknown OpenSLO kind {doc.get('kind')!r} (expected SLO, SLI, DataSource, "
                       "Service, AlertPolicy, AlertCondition or AlertNotificationTarget)")
        return
    metadata = _or_empty(reader.mapping(doc, "metadata", "", required=True))
    name = reader.text(metadata, "name", "metadata", required=True)
    spec = _or_empty(reader.mapping(doc, "spec", "", required=kind != "Service"))
    if not name:
        return
    if kind == "SLI":
        docs.slis[name] = (reader.file, doc)
    elif kind == "DataSource":
        docs.sources[name] = reader.text(spec, "type", "spec", required=True)
    else:
        docs.services[name] = reader.text(spec, "description", "spec") or str(metadata.get("displayName") or "")


def _or_empty(mapping: dict | None) -> dict:
    return {} if mapping is None else mapping  # an empty LineDict keeps its line


def _read_slo(reader: SpecReader, doc: dict, indicators: Indicators, services: dict[str, str]) -> None:
    metadata = _or_empty(reader.mapping(doc, "metadata", "", required=True))
    spec = reader.mapping(doc, "spec", "", required=True)
    name = reader.text(metadata, "name", "metadata", required=True)
    if spec is None or not name:
        return
    service = reader.text(spec, "service", "spec", required=True)
    method = spec.get("budgetingMethod", "Occurrences")
    if method not in METHODS:
        reader.problem(spec, "budgetingMethod", "spec.budgetingMethod",
                       f"unknown budgetingMethod {method!r} (expected {', '.join(METHODS)})")
        return
    window = time_window(reader, spec)
    objectives = spec.get("objectives")
    if not isinstance(objectives, list) or not objectives:
        reader.problem(spec, "objectives" if "objectives" in spec else None, "spec.objectives",
                       "expected a list of objectives")
        return
    shared = indicators.of_slo(spec)
    if shared is None and ("indicator" in spec or "indicatorRef" in spec):
        return  # its problem is reported
    v1alpha_names = doc.get("apiVersion") == "openslo/v1alpha" or len(objectives) > 1
    for i, objective in enumerate(objectives):
        path = f"spec.objectives[{i}]"
        if not isinstance(objective, dict):
            reader.problem(objectives, i, path, "expected a mapping (target, op, value ...)")
            continue
        sli = shared or (indicators.parse(objective, path) if "ratioMetrics" in objective else None)
        if sli is None and shared is None and "ratioMetrics" not in objective:
            reader.problem(objectives, i, path, "no indicator: expected spec.indicator, spec.indicatorRef "
                           "or ratioMetrics in the objective")
        target = _target(reader, objective, path)
        goal = _objective(reader, objective, path, method, sli)
        if sli is None or target is None or goal is None or not service or window is None:
            continue
        try:
            queries = templates(sli, goal)
        except PromQLError as error:
            reader.problem(objectives, i, path, f"cannot build the PromQL for this SLI: {error}")
            continue
        reader.add(SLO(
            service=service, name=f"{name}-{i}" if v1alpha_names else name, objective=target, window=window[0],
            sli=str(objective.get("displayName") or metadata.get("displayName") or sli.kind),
            description=reader.text(spec, "description", "spec"), target_text=_target_text(target, goal, sli),
            origin=reader.origin(objectives, i), time_slice=goal.time_slice, calendar=window[1],
            service_description=services.get(service, ""), **queries,
        ), objectives, i, path)


def _target(reader: SpecReader, objective: dict, path: str) -> float | None:
    key = "targetPercent" if "targetPercent" in objective and "target" not in objective else "target"
    value = objective.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        reader.problem(objective, key if key in objective else None, f"{path}.{key}",
                       "expected target as a ratio (0.999) or targetPercent (99.9)")
        return None
    return round(value / 100.0, 12) if key == "targetPercent" else float(value)


def _objective(reader: SpecReader, objective: dict, path: str, method: str, sli: Indicator | None) -> Objective | None:
    """What the objective adds to its SLI: the threshold, the time slices."""
    op, value = objective.get("op"), objective.get("value")
    if sli is not None and sli.kind == "threshold":
        if not isinstance(op, str) or op not in BAD_OP:
            reader.problem(objective, "op" if "op" in objective else None, f"{path}.op",
                           f"a threshold metric needs op: one of {', '.join(BAD_OP)}")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            reader.problem(objective, "value" if "value" in objective else None, f"{path}.value",
                           "a threshold metric needs a numeric value to compare with")
            return None
    if sli is None or sli.kind != "threshold":
        op, value = "", 0.0  # only threshold metrics compare with a value
    if method == "Occurrences":
        return Objective(method, op=str(op), value=float(value))
    time_slice = _time_slice(reader, objective, path)
    slice_target = objective.get("timeSliceTarget", 0.0 if method == "RatioTimeslices" else None)
    if isinstance(slice_target, bool) or not isinstance(slice_target, (int, float)) or not 0 <= slice_target <= 1:
        reader.problem(objective, "timeSliceTarget" if "timeSliceTarget" in objective else None,
                       f"{path}.timeSliceTarget", f"{method} needs timeSliceTarget, a ratio in (0, 1]")
        return None
    if time_slice is None:
        return None
    return Objective(method, op=str(op), value=float(value), slice_target=float(slice_target),
                     time_slice=time_slice)


def _time_slice(reader: SpecReader, objective: dict, path: str) -> timedelta | None:
    value = objective.get("timeSliceWindow")
    if value is None:
        return DEFAULT_TIME_SLICE
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return timedelta(minutes=value)
    length = shorthand(reader, objective, "timeSliceWindow", path)
    if length is None:
        return None
    if length[1] not in "mhdw":
        reader.problem(objective, "timeSliceWindow", f"{path}.timeSliceWindow",
                       "a time slice must be minutes, hours, days or weeks long")
        return None
    return length[0] * {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1),
                        "w": timedelta(weeks=1)}[length[1]]


def _target_text(target: float, goal: Objective, sli: Indicator) -> str:
    text = f"{target * 100:g}%"
    if sli.kind == "threshold":
        text += f" {goal.op} {goal.value:g}"
    if goal.method == "Timeslices":
        return f"{text} of {format_duration(goal.time_slice)} slices ≥ {goal.slice_target * 100:g}%"
    if goal.method == "RatioTimeslices":
        return f"{text} averaged over {format_duration(goal.time_slice)} slices"
    return text
