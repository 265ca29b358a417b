"""The one reader of SLO definitions, in four formats detected per YAML document:

* the seed's ``sli_definitions`` / ``slo_definitions`` (plus its
  ``error_budget_policy``): cockpit.slo_specs.practices_guide;
* Sloth ``version: prometheus/v1`` specs (and the same spec, in camelCase,
  inside Sloth's ``PrometheusServiceLevel`` Kubernetes resource):
  cockpit.slo_specs.sloth; its ``AlertWindows``: cockpit.slo_specs.sloth_windows;
* OpenSLO ``apiVersion: openslo/v1`` and ``openslo/v1alpha`` SLOs, SLIs,
  DataSources and Services: cockpit.slo_specs.openslo;
* Pyrra ``apiVersion: pyrra.dev/v1alpha1`` ``ServiceLevelObjective``
  resources (ratio, latency and bool_gauge indicators; the service comes
  from the ``pyrra.dev/service`` label, a mapping, or the namespace):
  cockpit.slo_specs.pyrra.

A broken file never raises: every fault becomes a Problem naming file, line
and key path, and the rest still loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from cockpit.model import SLO, PolicyTier
from cockpit.problems import Problem, ServiceRef
from cockpit.slo import DEFAULT_POLICY
from cockpit.slo_specs import practices_guide, sloth_windows
from cockpit.slo_specs.reader import DEFAULT_WINDOW, SpecReader
from cockpit.yamlfile import YamlError, file_stamp, load_yaml_documents, read_text, yaml_shape

if TYPE_CHECKING:
    from cockpit.pyrra_rules import Recorded

__all__ = ["DEFAULT_WINDOW", "SLO_SUFFIXES", "SLOSpecs", "load_slo_paths", "slo_files_signature"]

SLO_SUFFIXES = (".yml", ".yaml")


@dataclass
class SLOSpecs:
    slos: tuple[SLO, ...] = ()
    policy: tuple[PolicyTier, ...] = DEFAULT_POLICY
    problems: list[Problem] = field(default_factory=list)
    refers: list[ServiceRef] = field(default_factory=list)  # each SLO's service, where it is named
    pyrra: dict[str, Recorded] = field(default_factory=dict)  # SLO key -> where Pyrra records its window


def load_slo_paths(paths: Sequence[Path], *, sloth_period: timedelta = DEFAULT_WINDOW,
                   pyrra_services: Mapping[str, str] | None = None) -> SLOSpecs:
    """Read every SLO definition in ``paths`` (files, or folders searched
    recursively for *.yml / *.yaml). Sloth specs get ``sloth_period`` as
    their SLO period (cockpit.slo_specs.sloth_windows); Pyrra SLOs without a
    service label take theirs from ``pyrra_services`` (cockpit.slo_specs.pyrra)."""
    reader = SpecReader()
    reader.sloth_period = sloth_period
    reader.pyrra_services = dict(pyrra_services or {})
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix in SLO_SUFFIXES and p.is_file())
            if not files:
                reader.problems.append(Problem(str(path), 0, "(folder)", "no *.yml or *.yaml files in this folder"))
            for file in files:
                _read_file(reader, file, named=False)
        else:
            _read_file(reader, path, named=True)
    for finish in reader.finishers.values():
        finish()
    sloth_windows.check_used(reader)
    return SLOSpecs(tuple(reader.slos.values()), reader.policy or DEFAULT_POLICY, reader.problems, reader.refers,
                    reader.pyrra_recorded)


def slo_files_signature(paths: Sequence[Path]) -> tuple:
    """What changes when an SLO file under ``paths`` is edited, added or
    removed: sources parse again only then (6,000 SLOs take seconds to read;
    a refresh runs every few seconds)."""
    return tuple(file_stamp(f) for p in map(Path, paths)
                 for f in (sorted(p.rglob("*")) if p.is_dir() else [p]) if f.suffix in SLO_SUFFIXES or not p.is_dir())


def _read_file(reader: SpecReader, path: Path, *, named: bool) -> None:
    reader.file = str(path)
    try:
        documents = load_yaml_documents(read_text(path), reader.file)
    except YamlError as exc:
        reader.problems.append(exc.problem)
        return
    if not documents:
        reader.problems.append(Problem(reader.file, 0, "(file)", "empty file: no SLO definitions"))
    for doc in documents:
        _read_document(reader, doc, named)


def _read_document(reader: SpecReader, doc: Any, named: bool) -> None:
    if isinstance(doc, list) and doc:
        # A YAML list of resources (as OpenSLO's own examples are written).
        for i, item in enumerate(doc):
            if isinstance(item, dict):
                _read_document(reader, item, named)
            else:
                reader.problem(doc, i, f"[{i}]", f"expected a mapping (one SLO document), got {yaml_shape(item)}")
    elif not isinstance(doc, dict):
        reader.problem(doc, None, "", f"expected a mapping, got {yaml_shape(doc)}")
    elif str(doc.get("kind", "")).endswith("List") and "items" in doc:
        # What `kubectl get slo -o yaml` writes (kind: List or ServiceLevelObjectiveList):
        # each item is a resource of its own.
        items = doc["items"]
        if not isinstance(items, list):
            reader.problem(doc, "items", "items", f"expected a list of resources, got {yaml_shape(items)}")
        for item in items if isinstance(items, list) else ():
            _read_document(reader, item, named)
    # Each format's reader is imported when a document of its format is met:
    # the bundled demo's files are the guide's, and start-up is import bound.
    elif "version" in doc:
        from cockpit.slo_specs import sloth

        sloth.read(reader, doc, "")
    elif str(doc.get("apiVersion", "")).startswith("sloth.slok.dev/"):
        from cockpit.slo_specs import sloth

        sloth.read_resource(reader, doc)
    elif str(doc.get("apiVersion", "")).startswith("pyrra.dev/"):
        from cockpit.slo_specs import pyrra

        pyrra.read(reader, doc)
    elif "apiVersion" in doc:
        from cockpit.slo_specs import openslo

        openslo.read(reader, doc)
    elif practices_guide.DOC_KEYS & doc.keys():
        practices_guide.read(reader, doc)
    elif "groups" in doc:
        # Prometheus rules (e.g. what `sloth generate` writes) often sit
        # beside the specs: skip them in a folder, flag them when named.
        if named:
            reader.problem(doc, "groups", "groups", "a Prometheus rules file, not an SLO definition")
    else:
        reader.problem(doc, None, "", "unknown SLO format: expected seed `slo_definitions:`, "
                       "Sloth `version: prometheus/v1`, OpenSLO `apiVersion: openslo/v1` "
                       "or Pyrra `apiVersion: pyrra.dev/v1alpha1`")

