"""OpenSLO ``apiVersion: openslo/v1alpha`` SLOs with ``ratioMetrics``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cockpit.durations import parse_duration
from cockpit.model import SLO
from cockpit.slo_specs.reader import DEFAULT_WINDOW, SpecReader

_UNITS = {"Second": 1, "Minute": 60, "Hour": 3600, "Day": 86400, "Week": 604800}


def read(reader: SpecReader, doc: dict) -> None:
    if doc.get("apiVersion") != "openslo/v1alpha":
        reader.problem(doc, "apiVersion", "apiVersion", f"unsupported apiVersion {doc.get('apiVersion')!r} "
                       "(expected openslo/v1alpha, Sloth's prometheus/v1 or Pyrra's pyrra.dev/v1alpha1)")
        return
    if doc.get("kind") != "SLO":
        return  # Service, AlertPolicy ...: nothing to evaluate
    metadata = reader.mapping(doc, "metadata", "", required=True) or {}
    spec = reader.mapping(doc, "spec", "", required=True)
    name = reader.text(metadata, "name", "metadata", required=True)
    if spec is None or not name:
        return
    service = reader.text(spec, "service", "spec", required=True)
    method = spec.get("budgetingMethod", "Occurrences")
    if method != "Occurrences":
        reader.problem(spec, "budgetingMethod", "spec.budgetingMethod",
                       f"unsupported budgetingMethod {method!r} (only Occurrences)")
        return
    window = _window(reader, spec)
    objectives = spec.get("objectives")
    if not isinstance(objectives, list) or not objectives:
        reader.problem(spec, "objectives", "spec.objectives", "expected a list of objectives")
        return
    for i, objective in enumerate(objectives):
        path = f"spec.objectives[{i}]"
        queries = _ratio(reader, objective, objectives, i, path)
        target = objective.get("target") if isinstance(objective, dict) else None
        if isinstance(target, bool) or not isinstance(target, (int, float)):
            reader.problem(objectives, i, f"{path}.target", "expected target as a ratio, e.g. 0.999")
            continue
        if queries is None or not service or window is None:
            continue
        # Sloth names each objective <metadata.name>-<index>; so do we, so
        # its recording rules (sloth_slo label) match.
        reader.add(SLO(
            service=service, name=f"{name}-{i}", objective=float(target), window=window,
            sli=str(objective.get("displayName") or metadata.get("displayName") or "ratio"),
            description=reader.text(spec, "description", "spec"), target_text=f"{target * 100:g}%",
            error_query=queries[0], total_query=queries[1], origin=reader.origin(objectives, i),
        ), objectives, i, path)


def _window(reader: SpecReader, spec: dict) -> timedelta | None:
    windows = spec.get("timeWindows")
    if windows is None:
        return DEFAULT_WINDOW
    if not isinstance(windows, list) or len(windows) != 1 or not isinstance(windows[0], dict):
        reader.problem(spec, "timeWindows", "spec.timeWindows", "expected one time window {count, unit}")
        return None
    count, unit = windows[0].get("count"), windows[0].get("unit")
    if isinstance(count, bool) or not isinstance(count, int) or count <= 0 \
            or not isinstance(unit, str) or unit not in _UNITS:
        reader.problem(windows, 0, "spec.timeWindows[0]", f"expected a positive count and unit in "
                       f"{', '.join(_UNITS)}; got count={count!r} unit={unit!r}")
        return None
    try:
        return parse_duration(count * _UNITS[unit])  # seconds; over 10 years is refused
    except ValueError as exc:
        reader.problem(windows, 0, "spec.timeWindows[0]", str(exc))
        return None


def _ratio(reader: SpecReader, objective: Any, objectives: list, i: int, path: str) -> tuple[str, str] | None:
    ratio = objective.get("ratioMetrics") if isinstance(objective, dict) else None
    if not isinstance(ratio, dict):
        reader.problem(objectives, i, f"{path}.ratioMetrics", "only ratioMetrics objectives are supported")
        return None
    if ("good" in ratio) == ("bad" in ratio):
        reader.problem(ratio, None, f"{path}.ratioMetrics", "expected one of good or bad, and total")
        return None
    which = "good" if "good" in ratio else "bad"
    first, total = (_query(reader, ratio, k, f"{path}.ratioMetrics") for k in (which, "total"))
    if not (first and total):
        return None
    return (f"({total}) - ({first})" if which == "good" else first), total


def _query(reader: SpecReader, ratio: dict, key: str, path: str) -> str:
    metric = reader.mapping(ratio, key, path, required=True)
    if metric is None:
        return ""
    source = str(metric.get("source", "prometheus")).lower()
    query_type = str(metric.get("queryType", "promql")).lower()
    if source != "prometheus" or query_type != "promql":
        reader.problem(metric, "source", f"{path}.{key}.source",
                       f"unsupported source {source!r}/{query_type!r} (only prometheus / promql)")
        return ""
    return reader.text(metric, "query", f"{path}.{key}", required=True)
