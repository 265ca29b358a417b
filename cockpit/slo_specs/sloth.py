"""Sloth ``version: prometheus/v1`` specs, and the same spec inside Sloth's
``PrometheusServiceLevel`` Kubernetes resource."""

from __future__ import annotations

from cockpit.model import SLO, frozen_map
from cockpit.slo_specs.reader import DEFAULT_WINDOW, SpecReader, fraction, join


def read_resource(reader: SpecReader, doc: dict) -> None:
    if doc.get("kind") != "PrometheusServiceLevel":
        reader.problem(doc, "kind", "kind", f"unsupported Sloth kind {doc.get('kind')!r} "
                       "(expected PrometheusServiceLevel)")
    elif reader.mapping(doc, "spec", "", required=True) is not None:
        read(reader, doc["spec"], "spec")


def read(reader: SpecReader, doc: dict, prefix: str) -> None:
    if prefix == "" and doc.get("version") != "prometheus/v1":
        reader.problem(doc, "version", "version", f"unsupported Sloth version {doc.get('version')!r} "
                       "(expected prometheus/v1)")
        return
    service = reader.text(doc, "service", prefix, required=True)
    labels = reader.labels(doc, "labels", prefix)
    slos = doc.get("slos")
    if not isinstance(slos, list) or not slos:
        reader.problem(doc, "slos", join(prefix, "slos"), "expected a list of SLOs")
        return
    for i, item in enumerate(slos):
        path = join(prefix, f"slos[{i}]")
        if not isinstance(item, dict):
            reader.problem(slos, i, path, "expected a mapping (name, objective, sli)")
            continue
        name = reader.text(item, "name", path, required=True)
        objective = item.get("objective")
        if isinstance(objective, bool) or not isinstance(objective, (int, float)):
            reader.problem(item, "objective", f"{path}.objective",
                           "expected the objective as a percentage number, e.g. 99.9")
            continue
        sli = _sli(reader, item, path)
        if not (service and name and sli):
            continue
        slo_labels = {**labels, **reader.labels(item, "labels", path)}
        kind, queries = sli
        reader.add(SLO(
            service=service, name=name, objective=fraction(objective), window=DEFAULT_WINDOW,
            sli=slo_labels.get("category", kind), description=reader.text(item, "description", path),
            target_text=f"{objective:g}%", labels=frozen_map(slo_labels),
            origin=reader.origin(slos, i), **queries,
        ), slos, i, path)


def _sli(reader: SpecReader, item: dict, path: str) -> tuple[str, dict[str, str]] | None:
    """(kind, query fields) of a Sloth SLI: events, raw or plugin."""
    sli = reader.mapping(item, "sli", path, required=True)
    if sli is None:
        return None
    kinds = [k for k in ("events", "raw", "plugin") if k in sli]
    if len(kinds) != 1:
        reader.problem(item, "sli", f"{path}.sli", "expected exactly one of events, raw or plugin")
        return None
    kind = kinds[0]
    body = reader.mapping(sli, kind, f"{path}.sli", required=True)
    if body is None:
        return None
    where = f"{path}.sli.{kind}"
    if kind == "events":
        error = reader.text(body, "error_query", where, required=True)
        total = reader.text(body, "total_query", where, required=True)
        return (kind, {"error_query": error, "total_query": total}) if error and total else None
    if kind == "raw":
        ratio = reader.text(body, "error_ratio_query", where, required=True)
        return (kind, {"error_ratio_query": ratio}) if ratio else None
    plugin = reader.text(body, "id", where, required=True)  # runs inside Sloth: no query to read
    return (plugin, {}) if plugin else None
