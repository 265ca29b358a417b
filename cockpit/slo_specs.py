"""The one reader of SLO definitions, in three formats detected per YAML document:

* the seed's ``sli_definitions`` / ``slo_definitions`` (plus its
  ``error_budget_policy``). The seed names no service, so a document gives it
  as ``service: NAME`` at the top, as a ``services: {NAME: {sli_definitions,
  slo_definitions}}`` map, or as ``service:`` on each SLO. SLIs and SLOs may
  carry PromQL (``error_query`` or ``good_query``, plus ``total_query``) with
  ``{{.window}}`` where the range goes and ``{{.service}}`` for the service;
* Sloth ``version: prometheus/v1`` specs (and the same spec inside Sloth's
  ``PrometheusServiceLevel`` Kubernetes resource);
* OpenSLO ``apiVersion: openslo/v1alpha`` SLOs with ``ratioMetrics``.

A broken file never raises: every fault becomes a Problem naming file, line
and key path, and the rest still loads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any, Sequence

from cockpit.durations import parse_duration
from cockpit.model import SLO, PolicyTier, frozen_map
from cockpit.slo import DEFAULT_POLICY
from cockpit.sources.base import Problem, ServiceRef
from cockpit.untrusted import clean
from cockpit.yamlfile import YamlError, line_of, load_yaml_documents, read_text

DEFAULT_WINDOW = timedelta(days=30)  # Sloth's default SLO period
SLO_SUFFIXES = (".yml", ".yaml")

_SEED_DOC_KEYS = {"service", "services", "sli_definitions", "slo_definitions", "error_budget_policy"}
_SEED_SLI_KEYS = {"description", "measurement", "window", "error_query", "good_query", "total_query"}
_SEED_SLO_KEYS = {"service", "sli", "target", "window", "error_budget", "description", "labels",
                  "error_query", "good_query", "total_query"}
# "99.9%", "> 99.5%", ">= 99.5 %": a percentage, optionally with a comparison.
_PERCENT = re.compile(r"^\s*(?:[<>]=?|[≥≤])?\s*(\d+(?:\.\d+)?)\s*%\s*$")
# Policy tier bounds: "25-50%", "50% - 100%", "100%", ">= 100%".
_RANGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%?\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*%\s*$")
_OPENSLO_UNITS = {"Second": 1, "Minute": 60, "Hour": 3600, "Day": 86400, "Week": 604800}


@dataclass
class SLOSpecs:
    slos: tuple[SLO, ...] = ()
    policy: tuple[PolicyTier, ...] = DEFAULT_POLICY
    problems: list[Problem] = field(default_factory=list)
    refers: list[ServiceRef] = field(default_factory=list)  # each SLO's service, where it is named


def load_slo_paths(paths: Sequence[Path]) -> SLOSpecs:
    """Read every SLO definition in ``paths`` (files, or folders searched
    recursively for *.yml / *.yaml)."""
    reader = _Reader()
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix in SLO_SUFFIXES and p.is_file())
            if not files:
                reader.problems.append(Problem(str(path), 0, "(folder)", "no *.yml or *.yaml files in this folder"))
            for file in files:
                reader.read_file(file, named=False)
        else:
            reader.read_file(path, named=True)
    return reader.result()


class _Reader:
    """Collects SLOs, the policy and problems across files."""

    def __init__(self) -> None:
        self.slos: dict[str, SLO] = {}
        self.policy: tuple[PolicyTier, ...] | None = None
        self.policy_origin = ""
        self.problems: list[Problem] = []
        self.refers: list[ServiceRef] = []
        self.file = ""

    def result(self) -> SLOSpecs:
        return SLOSpecs(tuple(self.slos.values()), self.policy or DEFAULT_POLICY, self.problems, self.refers)

    def problem(self, node: Any, key: Any, path: str, message: str) -> None:
        line = getattr(node, "line", 0) if key is None else line_of(node, key)
        # Keys and values in messages come from the file: strip escape sequences.
        self.problems.append(Problem(self.file, line, clean(path or "(document)", single_line=True),
                                     clean(message, single_line=True)))

    def read_file(self, path: Path, *, named: bool) -> None:
        self.file = str(path)
        try:
            documents = load_yaml_documents(read_text(path), self.file)
        except YamlError as exc:
            self.problems.append(exc.problem)
            return
        if not documents:
            self.problems.append(Problem(self.file, 0, "(file)", "empty file: no SLO definitions"))
        for doc in documents:
            self.read_document(doc, named)

    def read_document(self, doc: Any, named: bool) -> None:
        if not isinstance(doc, dict):
            self.problem(doc, None, "", f"expected a mapping, got {type(doc).__name__}")
        elif "version" in doc:
            self.sloth(doc, "")
        elif str(doc.get("apiVersion", "")).startswith("sloth.slok.dev/"):
            self.sloth_resource(doc)
        elif "apiVersion" in doc:
            self.openslo(doc)
        elif _SEED_DOC_KEYS & doc.keys():
            self.seed(doc)
        elif "groups" in doc:
            # Prometheus rules (e.g. what `sloth generate` writes) often sit
            # beside the specs: skip them in a folder, flag them when named.
            if named:
                self.problem(doc, "groups", "groups", "a Prometheus rules file, not an SLO definition")
        else:
            self.problem(doc, None, "", "unknown SLO format: expected seed `slo_definitions:`, "
                         "Sloth `version: prometheus/v1` or OpenSLO `apiVersion: openslo/v1alpha`")

    def add(self, slo: SLO, node: Any, key: Any, path: str) -> None:
        first = self.slos.get(slo.key)
        if first is not None and replace(first, origin="") == replace(slo, origin=""):
            return  # the same SLO in two files (a copy): harmless
        if first is not None:
            self.problem(node, key, path, f"duplicate SLO {slo.key} (first defined at {first.origin})")
            return
        if not 0.0 < slo.objective < 1.0:
            self.problem(node, key, path, f"objective {slo.objective * 100:g}% must be between 0% and 100%")
            return
        self.slos[slo.key] = slo
        self.refers.append(ServiceRef(slo.service, self.file, line_of(node, key), path, "SLO"))

    def origin(self, node: Any, key: Any) -> str:
        return f"{self.file}:{line_of(node, key)}"

    # -- seed format -------------------------------------------------------

    def seed(self, doc: dict) -> None:
        self.unknown_keys(doc, _SEED_DOC_KEYS, "")
        shared = self.seed_slis(doc, "")
        self.seed_slos(doc, "", self.text(doc, "service", ""), shared)
        services = self.mapping(doc, "services", "")
        for name, body in (services or {}).items():
            path = f"services.{name}"
            if not isinstance(body, dict):
                self.problem(services, name, path, "expected a mapping with sli_definitions / slo_definitions")
                continue
            self.unknown_keys(body, {"sli_definitions", "slo_definitions"}, path)
            slis = {**shared, **self.seed_slis(body, path)}
            self.seed_slos(body, path, str(name), slis)
        if "error_budget_policy" in doc:
            self.read_policy(doc)

    def seed_slis(self, node: dict, prefix: str) -> dict[str, dict]:
        path = _join(prefix, "sli_definitions")
        slis = self.mapping(node, "sli_definitions", prefix) or {}
        result = {}
        for name, sli in slis.items():
            sli_path = f"{path}.{name}"
            if not isinstance(sli, dict):
                self.problem(slis, name, sli_path, "expected a mapping (description, measurement, queries)")
                continue
            self.unknown_keys(sli, _SEED_SLI_KEYS, sli_path)
            if "window" in sli:
                self.duration(sli, "window", sli_path)
            result[str(name)] = {"description": self.text(sli, "description", sli_path),
                                 "measurement": self.text(sli, "measurement", sli_path),
                                 "queries": self.queries(sli, sli_path)}
        return result

    def seed_slos(self, node: dict, prefix: str, service: str, slis: dict[str, dict]) -> None:
        path = _join(prefix, "slo_definitions")
        slos = self.mapping(node, "slo_definitions", prefix) or {}
        for name, slo in slos.items():
            slo_path = f"{path}.{name}"
            if not isinstance(slo, dict):
                self.problem(slos, name, slo_path, "expected a mapping (sli, target, window, error_budget)")
                continue
            self.unknown_keys(slo, _SEED_SLO_KEYS, slo_path)
            owner = self.text(slo, "service", slo_path) or service
            if not owner:
                self.problem(slos, name, slo_path, "no service: add `service:` to this SLO or the document, "
                             "or put it under `services: {NAME: ...}`")
                continue
            sli_name = self.text(slo, "sli", slo_path)
            sli = slis.get(sli_name)
            if sli is None:
                known = ", ".join(sorted(slis)) or "none defined"
                self.problem(slo, "sli", f"{slo_path}.sli", f"unknown SLI {sli_name!r} (known: {known})")
                continue
            objective = self.seed_objective(slo, slo_path)
            if objective is None:
                continue
            error_query, total_query = self.queries(slo, slo_path) or sli["queries"] or ("", "")
            description = self.text(slo, "description", slo_path) or sli["description"]
            if sli["measurement"]:
                description = f"{description} ({sli['measurement']})" if description else sli["measurement"]
            window = self.duration(slo, "window", slo_path) if "window" in slo else DEFAULT_WINDOW
            if window is None:
                continue
            self.add(SLO(
                service=owner, name=str(name), objective=objective, window=window,
                sli=sli_name, description=description, target_text=str(slo.get("target", "")).strip(),
                error_query=error_query.replace("{{.service}}", owner),
                total_query=total_query.replace("{{.service}}", owner),
                labels=frozen_map(self.labels(slo, "labels", slo_path)), origin=self.origin(slos, name),
            ), slos, name, slo_path)

    def seed_objective(self, slo: dict, path: str) -> float | None:
        """Objective from a percentage target, else from the error budget; when
        both are given they must agree (99.9% and 0.1%)."""
        target = _percent(slo.get("target"))
        budget = _percent(slo.get("error_budget"))
        if "error_budget" in slo and budget is None:
            self.problem(slo, "error_budget", f"{path}.error_budget",
                         f"not a percentage: {slo['error_budget']!r} (write e.g. 0.1%)")
            return None
        if target is None and budget is None:
            what = f"target {slo['target']!r} is not a percentage" if "target" in slo else "no target"
            self.problem(slo, "target" if "target" in slo else None, f"{path}.target",
                         f"{what}: add error_budget (e.g. 0.1%) to give the objective")
            return None
        if target is not None and budget is not None and abs((1 - target) - budget) > 1e-9:
            self.problem(slo, "error_budget", f"{path}.error_budget",
                         f"error budget {budget * 100:g}% does not match target {target * 100:g}%")
            return None
        return target if target is not None else 1.0 - budget

    def queries(self, node: dict, path: str) -> tuple[str, str] | None:
        """(error_query, total_query) from error_query or good_query plus
        total_query; None when the node has none."""
        error, good, total = (self.text(node, k, path) for k in ("error_query", "good_query", "total_query"))
        if not (error or good or total):
            return None
        if error and good:
            self.problem(node, "good_query", f"{path}.good_query", "give error_query or good_query, not both")
        elif not total:
            key = "error_query" if error else "good_query"
            self.problem(node, key, f"{path}.{key}", "needs total_query as well")
        elif not (error or good):
            self.problem(node, "total_query", f"{path}.total_query", "needs error_query or good_query as well")
        else:
            return (error or f"({total}) - ({good})"), total
        return None

    def read_policy(self, doc: dict) -> None:
        path = "error_budget_policy"
        if self.policy is not None:
            self.problem(doc, path, path, f"error budget policy already defined at {self.policy_origin}")
            return
        tiers_node = self.mapping(doc, path, "")
        tiers = []
        for name, body in (tiers_node or {}).items():
            tier_path = f"{path}.{name}"
            if not isinstance(body, dict) or "budget_consumed" not in body:
                self.problem(tiers_node, name, tier_path, "expected a mapping with budget_consumed (e.g. 25-50%) "
                             "and actions (action: ..., communication: ...)")
                continue
            bounds = _bounds(body["budget_consumed"])
            if bounds is None:
                self.problem(body, "budget_consumed", f"{tier_path}.budget_consumed",
                             f"not a range: {body['budget_consumed']!r} (write e.g. 25-50% or 100%)")
                continue
            actions = []
            for key, value in body.items():
                if key == "budget_consumed":
                    continue
                items = value if isinstance(value, list) else [value]
                if not all(isinstance(v, (str, int, float)) for v in items):
                    self.problem(body, key, f"{tier_path}.{key}", "expected text or a list of text")
                    continue
                label = "" if key == "actions" else f"{str(key).replace('_', ' ').capitalize()}: "
                actions += [f"{label}{v}" for v in items]
            tiers.append(PolicyTier(str(name), bounds[0], bounds[1], tuple(actions)))
        tiers.sort(key=lambda t: t.min_consumed)
        for before, after in zip(tiers, tiers[1:]):
            if before.max_consumed is None or before.max_consumed > after.min_consumed:
                self.problem(tiers_node, after.name, f"{path}.{after.name}", f"overlaps tier {before.name!r}")
        if tiers:
            self.policy, self.policy_origin = tuple(tiers), self.origin(doc, path)

    # -- Sloth ---------------------------------------------------------------

    def sloth_resource(self, doc: dict) -> None:
        if doc.get("kind") != "PrometheusServiceLevel":
            self.problem(doc, "kind", "kind", f"unsupported Sloth kind {doc.get('kind')!r} "
                         "(expected PrometheusServiceLevel)")
        elif self.mapping(doc, "spec", "", required=True) is not None:
            self.sloth(doc["spec"], "spec")

    def sloth(self, doc: dict, prefix: str) -> None:
        if prefix == "" and doc.get("version") != "prometheus/v1":
            self.problem(doc, "version", "version", f"unsupported Sloth version {doc.get('version')!r} "
                         "(expected prometheus/v1)")
            return
        service = self.text(doc, "service", prefix, required=True)
        labels = self.labels(doc, "labels", prefix)
        slos = doc.get("slos")
        if not isinstance(slos, list) or not slos:
            self.problem(doc, "slos", _join(prefix, "slos"), "expected a list of SLOs")
            return
        for i, item in enumerate(slos):
            path = _join(prefix, f"slos[{i}]")
            if not isinstance(item, dict):
                self.problem(slos, i, path, "expected a mapping (name, objective, sli)")
                continue
            name = self.text(item, "name", path, required=True)
            objective = item.get("objective")
            if isinstance(objective, bool) or not isinstance(objective, (int, float)):
                self.problem(item, "objective", f"{path}.objective",
                             "expected the objective as a percentage number, e.g. 99.9")
                continue
            sli = self.sloth_sli(item, path)
            if not (service and name and sli):
                continue
            slo_labels = {**labels, **self.labels(item, "labels", path)}
            kind, queries = sli
            self.add(SLO(
                service=service, name=name, objective=_fraction(objective), window=DEFAULT_WINDOW,
                sli=slo_labels.get("category", kind), description=self.text(item, "description", path),
                target_text=f"{objective:g}%", labels=frozen_map(slo_labels),
                origin=self.origin(slos, i), **queries,
            ), slos, i, path)

    def sloth_sli(self, item: dict, path: str) -> tuple[str, dict[str, str]] | None:
        """(kind, query fields) of a Sloth SLI: events, raw or plugin."""
        sli = self.mapping(item, "sli", path, required=True)
        if sli is None:
            return None
        kinds = [k for k in ("events", "raw", "plugin") if k in sli]
        if len(kinds) != 1:
            self.problem(item, "sli", f"{path}.sli", "expected exactly one of events, raw or plugin")
            return None
        kind = kinds[0]
        body = self.mapping(sli, kind, f"{path}.sli", required=True)
        if body is None:
            return None
        where = f"{path}.sli.{kind}"
        if kind == "events":
            error = self.text(body, "error_query", where, required=True)
            total = self.text(body, "total_query", where, required=True)
            return (kind, {"error_query": error, "total_query": total}) if error and total else None
        if kind == "raw":
            ratio = self.text(body, "error_ratio_query", where, required=True)
            return (kind, {"error_ratio_query": ratio}) if ratio else None
        plugin = self.text(body, "id", where, required=True)  # runs inside Sloth: no query to read
        return (plugin, {}) if plugin else None

    # -- OpenSLO -------------------------------------------------------------

    def openslo(self, doc: dict) -> None:
        if doc.get("apiVersion") != "openslo/v1alpha":
            self.problem(doc, "apiVersion", "apiVersion", f"unsupported apiVersion {doc.get('apiVersion')!r} "
                         "(expected openslo/v1alpha or Sloth's prometheus/v1)")
            return
        if doc.get("kind") != "SLO":
            return  # Service, AlertPolicy ...: nothing to evaluate
        metadata = self.mapping(doc, "metadata", "", required=True) or {}
        spec = self.mapping(doc, "spec", "", required=True)
        name = self.text(metadata, "name", "metadata", required=True)
        if spec is None or not name:
            return
        service = self.text(spec, "service", "spec", required=True)
        method = spec.get("budgetingMethod", "Occurrences")
        if method != "Occurrences":
            self.problem(spec, "budgetingMethod", "spec.budgetingMethod",
                         f"unsupported budgetingMethod {method!r} (only Occurrences)")
            return
        window = self.openslo_window(spec)
        objectives = spec.get("objectives")
        if not isinstance(objectives, list) or not objectives:
            self.problem(spec, "objectives", "spec.objectives", "expected a list of objectives")
            return
        for i, objective in enumerate(objectives):
            path = f"spec.objectives[{i}]"
            queries = self.openslo_ratio(objective, objectives, i, path)
            target = objective.get("target") if isinstance(objective, dict) else None
            if isinstance(target, bool) or not isinstance(target, (int, float)):
                self.problem(objectives, i, f"{path}.target", "expected target as a ratio, e.g. 0.999")
                continue
            if queries is None or not service or window is None:
                continue
            # Sloth names each objective <metadata.name>-<index>; so do we, so
            # its recording rules (sloth_slo label) match.
            self.add(SLO(
                service=service, name=f"{name}-{i}", objective=float(target), window=window,
                sli=str(objective.get("displayName") or metadata.get("displayName") or "ratio"),
                description=self.text(spec, "description", "spec"), target_text=f"{target * 100:g}%",
                error_query=queries[0], total_query=queries[1], origin=self.origin(objectives, i),
            ), objectives, i, path)

    def openslo_window(self, spec: dict) -> timedelta | None:
        windows = spec.get("timeWindows")
        if windows is None:
            return DEFAULT_WINDOW
        if not isinstance(windows, list) or len(windows) != 1 or not isinstance(windows[0], dict):
            self.problem(spec, "timeWindows", "spec.timeWindows", "expected one time window {count, unit}")
            return None
        count, unit = windows[0].get("count"), windows[0].get("unit")
        if isinstance(count, bool) or not isinstance(count, int) or count <= 0 \
                or not isinstance(unit, str) or unit not in _OPENSLO_UNITS:
            self.problem(windows, 0, "spec.timeWindows[0]", f"expected a positive count and unit in "
                         f"{', '.join(_OPENSLO_UNITS)}; got count={count!r} unit={unit!r}")
            return None
        return timedelta(seconds=count * _OPENSLO_UNITS[unit])

    def openslo_ratio(self, objective: Any, objectives: list, i: int, path: str) -> tuple[str, str] | None:
        ratio = objective.get("ratioMetrics") if isinstance(objective, dict) else None
        if not isinstance(ratio, dict):
            self.problem(objectives, i, f"{path}.ratioMetrics", "only ratioMetrics objectives are supported")
            return None
        if ("good" in ratio) == ("bad" in ratio):
            self.problem(ratio, None, f"{path}.ratioMetrics", "expected one of good or bad, and total")
            return None
        which = "good" if "good" in ratio else "bad"
        first, total = (self.openslo_query(ratio, k, f"{path}.ratioMetrics") for k in (which, "total"))
        if not (first and total):
            return None
        return (f"({total}) - ({first})" if which == "good" else first), total

    def openslo_query(self, ratio: dict, key: str, path: str) -> str:
        metric = self.mapping(ratio, key, path, required=True)
        if metric is None:
            return ""
        source = str(metric.get("source", "prometheus")).lower()
        query_type = str(metric.get("queryType", "promql")).lower()
        if source != "prometheus" or query_type != "promql":
            self.problem(metric, "source", f"{path}.{key}.source",
                         f"unsupported source {source!r}/{query_type!r} (only prometheus / promql)")
            return ""
        return self.text(metric, "query", f"{path}.{key}", required=True)

    # -- small checked getters -------------------------------------------------

    def unknown_keys(self, node: dict, allowed: set[str], path: str) -> None:
        for key in node:
            if key not in allowed:
                self.problem(node, key, _join(path, str(key)), f"unknown key (expected one of {', '.join(sorted(allowed))})")

    def text(self, node: dict, key: str, path: str, *, required: bool = False) -> str:
        """A string value ('' when missing); numbers are taken as text."""
        value = node.get(key)
        if value is None:
            if required:
                self.problem(node, None, _join(path, key), "missing (required)")
            return ""
        if isinstance(value, (dict, list)) or isinstance(value, bool):
            self.problem(node, key, _join(path, key), f"expected text, got {type(value).__name__}")
            return ""
        return str(value).strip()

    def mapping(self, node: dict, key: str, path: str, *, required: bool = False) -> dict | None:
        value = node.get(key)
        if value is None and not required and key not in node:
            return None
        if not isinstance(value, dict):
            self.problem(node, key if key in node else None, _join(path, key),
                         "missing (required)" if value is None else f"expected a mapping, got {type(value).__name__}")
            return None
        return value

    def labels(self, node: dict, key: str, path: str) -> dict[str, str]:
        labels = self.mapping(node, key, path) or {}
        bad = [k for k, v in labels.items() if isinstance(v, (dict, list))]
        for k in bad:
            self.problem(labels, k, f"{_join(path, key)}.{k}", "label values must be text")
        return {str(k): str(v) for k, v in labels.items() if k not in bad}

    def duration(self, node: dict, key: str, path: str) -> timedelta | None:
        try:
            return parse_duration(node[key])
        except ValueError as exc:
            self.problem(node, key, _join(path, key), str(exc))
            return None


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _percent(value: Any) -> float | None:
    """A percentage ("99.9%", "> 99.5%", or a bare number meaning percent, as
    the seed writes them) as a fraction; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _fraction(value)
    match = _PERCENT.match(value) if isinstance(value, str) else None
    return _fraction(float(match.group(1))) if match else None


def _fraction(percent: float) -> float:
    # Rounded so 99.9% is 0.999, not 0.9990000000000001.
    return round(percent / 100.0, 12)


def _bounds(value: Any) -> tuple[float, float | None] | None:
    """Budget-consumed bounds of a policy tier: "25-50%" -> (0.25, 0.5);
    "100%" -> (1.0, None), i.e. from there on."""
    text = str(value)
    match = _RANGE.match(text)
    if match:
        low, high = _fraction(float(match.group(1))), _fraction(float(match.group(2)))
        return (low, high) if low < high else None
    single = _percent(value)
    return (single, None) if single is not None else None
