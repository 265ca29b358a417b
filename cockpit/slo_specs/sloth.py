"""Sloth ``version: prometheus/v1`` specs, and Sloth's ``PrometheusServiceLevel``
Kubernetes resource (``sloth.slok.dev/v1``).

The two carry the same spec, spelled differently: the file spec in
snake_case (``error_query``, ``error_ratio_query``), the resource in the
camelCase of its CRD schema (``errorQuery``, ``errorRatioQuery``). Each is
read in its own spelling; the other spelling is a Problem saying which one
Sloth expects, as Sloth would not see the query at all.

Sloth's ``AlertWindows`` resources are read by cockpit.slo_specs.sloth_windows.
"""

from __future__ import annotations

from cockpit.model import SLO, frozen_map
from cockpit.slo_specs import sloth_windows
from cockpit.slo_specs.reader import SpecReader, fraction, join
from cockpit.yamlfile import line_of

# Key spellings: the file spec's, then the Kubernetes resource's (its CRD schema).
SPEC_KEYS = {"error_query": "error_query", "total_query": "total_query", "error_ratio_query": "error_ratio_query"}
RESOURCE_KEYS = {"error_query": "errorQuery", "total_query": "totalQuery", "error_ratio_query": "errorRatioQuery"}
# Each spelling's counterpart in the other format.
_OTHER_SPELLING = {**RESOURCE_KEYS, **{camel: snake for snake, camel in RESOURCE_KEYS.items()}}


def read_resource(reader: SpecReader, doc: dict) -> None:
    kind = doc.get("kind")
    if kind == sloth_windows.KIND:
        sloth_windows.read(reader, doc)
    elif kind != "PrometheusServiceLevel":
        reader.problem(doc, "kind", "kind", f"unsupported Sloth kind {kind!r} "
                       "(expected PrometheusServiceLevel or AlertWindows)")
    elif reader.mapping(doc, "spec", "", required=True) is not None:
        read(reader, doc["spec"], "spec", RESOURCE_KEYS)


def read(reader: SpecReader, doc: dict, prefix: str, keys: dict[str, str] = SPEC_KEYS) -> None:
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
        sli = _sli(reader, item, path, keys)
        if not (service and name and sli):
            continue
        slo_labels = {**labels, **reader.labels(item, "labels", path)}
        kind, queries = sli
        reader.sloth_slos.append((reader.file, line_of(slos, i)))
        reader.add(SLO(
            service=service, name=name, objective=fraction(objective), window=reader.sloth_period,
            sli=slo_labels.get("category", kind), description=reader.text(item, "description", path),
            target_text=f"{objective:g}%", labels=frozen_map(slo_labels),
            origin=reader.origin(slos, i), **queries,
        ), slos, i, path)


def _sli(reader: SpecReader, item: dict, path: str, keys: dict[str, str]) -> tuple[str, dict[str, str]] | None:
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
    if kind == "plugin":
        plugin = reader.text(body, "id", where, required=True)  # runs inside Sloth: no query to read
        return (plugin, {}) if plugin else None
    fields = ("error_query", "total_query") if kind == "events" else ("error_ratio_query",)
    queries = {field: _query(reader, body, keys[field], where, resource=keys is RESOURCE_KEYS) for field in fields}
    return (kind, queries) if all(queries.values()) else None


def _query(reader: SpecReader, body: dict, key: str, where: str, *, resource: bool) -> str:
    """The query under ``key``; the other format's spelling of it is a
    Problem that names the spelling this format uses."""
    other = _OTHER_SPELLING[key]
    if key not in body and other in body:
        reader.problem(body, other, join(where, other),
                       f"Sloth's {'PrometheusServiceLevel resource' if resource else 'prometheus/v1 spec'} "
                       f"spells it {key} ({'camelCase, as its CRD schema' if resource else 'snake_case'})")
        return ""
    return reader.text(body, key, where, required=True)
