"""The practices guide's SLO format (the seed, architecture-practices.md):
``sli_definitions`` / ``slo_definitions`` plus its ``error_budget_policy``.
The guide names no service, so a document gives it as ``service: NAME`` at
the top, as a ``services: {NAME: {sli_definitions, slo_definitions}}`` map,
or as ``service:`` on each SLO. SLIs and SLOs may carry PromQL
(``error_query`` or ``good_query``, plus ``total_query``) with
``{{.window}}`` where the range goes and ``{{.service}}`` for the service.
"""

from __future__ import annotations

import re
from typing import Any

from cockpit.model import SLO, PolicyTier, frozen_map
from cockpit.slo_specs.reader import DEFAULT_WINDOW, SpecReader, fraction, join

DOC_KEYS = {"service", "services", "sli_definitions", "slo_definitions", "error_budget_policy"}
_SLI_KEYS = {"description", "measurement", "window", "error_query", "good_query", "total_query"}
_SLO_KEYS = {"service", "sli", "target", "window", "error_budget", "description", "labels",
             "error_query", "good_query", "total_query"}
# "99.9%", "> 99.5%", ">= 99.5 %": a percentage, optionally with a comparison.
_PERCENT = re.compile(r"^\s*(?:[<>]=?|[≥≤])?\s*(\d+(?:\.\d+)?)\s*%\s*$")
# Policy tier bounds: "25-50%", "50% - 100%", "100%", ">= 100%".
_RANGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%?\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*%\s*$")


def read(reader: SpecReader, doc: dict) -> None:
    reader.unknown_keys(doc, DOC_KEYS, "")
    shared = _slis(reader, doc, "")
    _slos(reader, doc, "", reader.text(doc, "service", ""), shared)
    services = reader.mapping(doc, "services", "")
    for name, body in (services or {}).items():
        path = f"services.{name}"
        if not isinstance(body, dict):
            reader.problem(services, name, path, "expected a mapping with sli_definitions / slo_definitions")
            continue
        reader.unknown_keys(body, {"sli_definitions", "slo_definitions"}, path)
        slis = {**shared, **_slis(reader, body, path)}
        _slos(reader, body, path, str(name), slis)
    if "error_budget_policy" in doc:
        _policy(reader, doc)


def _slis(reader: SpecReader, node: dict, prefix: str) -> dict[str, dict]:
    path = join(prefix, "sli_definitions")
    slis = reader.mapping(node, "sli_definitions", prefix) or {}
    result = {}
    for name, sli in slis.items():
        sli_path = f"{path}.{name}"
        if not isinstance(sli, dict):
            reader.problem(slis, name, sli_path, "expected a mapping (description, measurement, queries)")
            continue
        reader.unknown_keys(sli, _SLI_KEYS, sli_path)
        if "window" in sli:
            reader.duration(sli, "window", sli_path)
        result[str(name)] = {"description": reader.text(sli, "description", sli_path),
                             "measurement": reader.text(sli, "measurement", sli_path),
                             "queries": _queries(reader, sli, sli_path)}
    return result


def _slos(reader: SpecReader, node: dict, prefix: str, service: str, slis: dict[str, dict]) -> None:
    path = join(prefix, "slo_definitions")
    slos = reader.mapping(node, "slo_definitions", prefix) or {}
    for name, slo in slos.items():
        slo_path = f"{path}.{name}"
        if not isinstance(slo, dict):
            reader.problem(slos, name, slo_path, "expected a mapping (sli, target, window, error_budget)")
            continue
        reader.unknown_keys(slo, _SLO_KEYS, slo_path)
        owner = reader.text(slo, "service", slo_path) or service
        if not owner:
            reader.problem(slos, name, slo_path, "no service: add `service:` to this SLO or the document, "
                           "or put it under `services: {NAME: ...}`")
            continue
        sli_name = reader.text(slo, "sli", slo_path)
        sli = slis.get(sli_name)
        if sli is None:
            known = ", ".join(sorted(slis)) or "none defined"
            reader.problem(slo, "sli", f"{slo_path}.sli", f"unknown SLI {sli_name!r} (known: {known})")
            continue
        objective = _objective(reader, slo, slo_path)
        if objective is None:
            continue
        error_query, total_query = _queries(reader, slo, slo_path) or sli["queries"] or ("", "")
        description = reader.text(slo, "description", slo_path) or sli["description"]
        if sli["measurement"]:
            description = f"{description} ({sli['measurement']})" if description else sli["measurement"]
        window = reader.duration(slo, "window", slo_path) if "window" in slo else DEFAULT_WINDOW
        if window is None:
            continue
        reader.add(SLO(
            service=owner, name=str(name), objective=objective, window=window,
            sli=sli_name, description=description, target_text=str(slo.get("target", "")).strip(),
            error_query=error_query.replace("{{.service}}", owner),
            total_query=total_query.replace("{{.service}}", owner),
            labels=frozen_map(reader.labels(slo, "labels", slo_path)), origin=reader.origin(slos, name),
        ), slos, name, slo_path)


def _objective(reader: SpecReader, slo: dict, path: str) -> float | None:
    """Objective from a percentage target, else from the error budget; when
    both are given they must agree (99.9% and 0.1%)."""
    target = _percent(slo.get("target"))
    budget = _percent(slo.get("error_budget"))
    if "error_budget" in slo and budget is None:
        reader.problem(slo, "error_budget", f"{path}.error_budget",
                       f"not a percentage: {slo['error_budget']!r} (write e.g. 0.1%)")
        return None
    if target is None and budget is None:
        what = f"target {slo['target']!r} is not a percentage" if "target" in slo else "no target"
        reader.problem(slo, "target" if "target" in slo else None, f"{path}.target",
                       f"{what}: add error_budget (e.g. 0.1%) to give the objective")
        return None
    if target is not None and budget is not None and abs((1 - target) - budget) > 1e-9:
        reader.problem(slo, "error_budget", f"{path}.error_budget",
                       f"error budget {budget * 100:g}% does not match target {target * 100:g}%")
        return None
    return target if target is not None else 1.0 - budget


def _queries(reader: SpecReader, node: dict, path: str) -> tuple[str, str] | None:
    """(error_query, total_query) from error_query or good_query plus
    total_query; None when the node has none."""
    error, good, total = (reader.text(node, k, path) for k in ("error_query", "good_query", "total_query"))
    if not (error or good or total):
        return None
    if error and good:
        reader.problem(node, "good_query", f"{path}.good_query", "give error_query or good_query, not both")
    elif not total:
        key = "error_query" if error else "good_query"
        reader.problem(node, key, f"{path}.{key}", "needs total_query as well")
    elif not (error or good):
        reader.problem(node, "total_query", f"{path}.total_query", "needs error_query or good_query as well")
    else:
        return (error or f"({total}) - ({good})"), total
    return None


def _policy(reader: SpecReader, doc: dict) -> None:
    path = "error_budget_policy"
    if reader.policy is not None:
        reader.problem(doc, path, path, f"error budget policy already defined at {reader.policy_origin}")
        return
    tiers_node = reader.mapping(doc, path, "")
    tiers = []
    for name, body in (tiers_node or {}).items():
        tier_path = f"{path}.{name}"
        if not isinstance(body, dict) or "budget_consumed" not in body:
            reader.problem(tiers_node, name, tier_path, "expected a mapping with budget_consumed (e.g. 25-50%) "
                           "and actions (action: ..., communication: ...)")
            continue
        bounds = _bounds(body["budget_consumed"])
        if bounds is None:
            reader.problem(body, "budget_consumed", f"{tier_path}.budget_consumed",
                           f"not a range: {body['budget_consumed']!r} (write e.g. 25-50% or 100%)")
            continue
        actions = []
        for key, value in body.items():
            if key == "budget_consumed":
                continue
            items = value if isinstance(value, list) else [value]
            if not all(isinstance(v, (str, int, float)) for v in items):
                reader.problem(body, key, f"{tier_path}.{key}", "expected text or a list of text")
                continue
            label = "" if key == "actions" else f"{str(key).replace('_', ' ').capitalize()}: "
            actions += [f"{label}{v}" for v in items]
        tiers.append(PolicyTier(str(name), bounds[0], bounds[1], tuple(actions)))
    tiers.sort(key=lambda t: t.min_consumed)
    for before, after in zip(tiers, tiers[1:]):
        if before.max_consumed is None or before.max_consumed > after.min_consumed:
            reader.problem(tiers_node, after.name, f"{path}.{after.name}", f"overlaps tier {before.name!r}")
    if tiers:
        reader.policy, reader.policy_origin = tuple(tiers), reader.origin(doc, path)


def _percent(value: Any) -> float | None:
    """A percentage ("99.9%", "> 99.5%", or a bare number meaning percent, as
    the seed writes them) as a fraction; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return fraction(value)
    match = _PERCENT.match(value) if isinstance(value, str) else None
    return fraction(float(match.group(1))) if match else None


def _bounds(value: Any) -> tuple[float, float | None] | None:
    """Budget-consumed bounds of a policy tier: "25-50%" -> (0.25, 0.5);
    "100%" -> (1.0, None), i.e. from there on."""
    text = str(value)
    match = _RANGE.match(text)
    if match:
        low, high = fraction(float(match.group(1))), fraction(float(match.group(2)))
        return (low, high) if low < high else None
    single = _percent(value)
    return (single, None) if single is not None else None
