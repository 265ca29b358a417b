"""The service catalog: who owns what, who to call, what depends on what.

Reads the seed's ownership format (a `services:` map, plus `data_domains:`)
and Backstage catalog entities (cockpit.sources.backstage), from one file
(following Backstage Locations) or every .yaml file under a folder
(cockpit.sources.catalog_locations).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from cockpit.alert_owners import SEED_FORMS, claims_from_seed
from cockpit.config_schema import join_key, show, validate_mapping
from cockpit.model import DEFAULT_ESCALATION_AFTER, DataDomain, EscalationStep, RecoveryFacts, Service, SourceData
from cockpit.problems import FlagRef, Problem, ServiceRef
from cockpit.sources.backstage import BackstageReader
from cockpit.sources.base import CheckResult, OptionSpec, Source, SourceContext, SourceError, SourceSpec, missing_path
from cockpit.sources.catalog_locations import SUFFIXES, read_catalog_files
from cockpit.sources.recovery_facts import recovery_facts
from cockpit.untrusted import clean
from cockpit.yamlfile import file_stamp, line_of

# Backstage's entity name rule; seed service names follow it too.
_NAME = re.compile(r"[A-Za-z0-9](?:[-_.A-Za-z0-9]{0,61}[A-Za-z0-9])?\Z")
_NAME_RULE = "letters and digits, with - _ . between them, at most 63 characters"

SEED_KEYS = {
    "services": OptionSpec(dict, help="service name -> owner, primary_contact, escalation_path ..."),
    "data_domains": OptionSpec(dict, help="domain name -> owner, schema, retention, pii ..."),
}
SERVICE_KEYS = {
    "owner": OptionSpec(str, required=True, help="the owning team"),
    "primary_contact": OptionSpec(str),
    "escalation_path": OptionSpec(list),
    "on_call": OptionSpec(bool),
    "runbooks": OptionSpec(list[str]),
    "depends_on": OptionSpec(list[str]),
    "data_domains": OptionSpec(list[str]),
    "description": OptionSpec(str),
    "tier": OptionSpec(str),
    "alerts": OptionSpec((dict, str, list), help="the alerts this service owns: " + SEED_FORMS),
    "dr": OptionSpec(dict, help="disaster recovery: rpo, rto, backup_frequency, last_restore_test ..."),
    "flags": OptionSpec(list[str], help="keys of the feature flags (flags source) that belong to it"),
}
STEP_KEYS = {
    "contact": OptionSpec(str, required=True, help="who is paged at this level"),
    "after": OptionSpec(timedelta),
    "critical_only": OptionSpec(bool),
}
DOMAIN_KEYS = {
    "owner": OptionSpec(str, required=True, help="the owning team"),
    "schema": OptionSpec(str),
    "retention": OptionSpec((str, int)),
    "pii": OptionSpec(bool),
    "gdpr_applies": OptionSpec(bool),
    "dr": OptionSpec(dict, help="disaster recovery: rpo, rto, backup_frequency, last_restore_test ..."),
}

# A fetch that loads services despite problems reports this many of them.
_WARNINGS_SHOWN = 20


@dataclass
class Catalog:
    """What one catalog path holds, with every problem found reading it."""

    services: dict[str, Service] = field(default_factory=dict)
    domains: dict[str, DataDomain] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    defines: dict[str, tuple[str, int]] = field(default_factory=dict)
    refers: list[ServiceRef] = field(default_factory=list)
    domain_refs: list[ServiceRef] = field(default_factory=list)
    flag_refs: list[FlagRef] = field(default_factory=list)
    runbook_refs: list[tuple[str, Path, ServiceRef]] = field(default_factory=list)  # as written, resolved
    notes: list[str] = field(default_factory=list)
    files_read: int = 0
    paths_read: tuple[Path, ...] = ()  # every file opened (catalog_locations.CatalogFiles.read)

    def valid_name(self, name: str, file: str, line: int, key: str) -> bool:
        if _NAME.match(name):
            return True
        self.problems.append(Problem(file, line, key, f"{show(name)} is not a valid name ({_NAME_RULE})"))
        return False

    def define(self, name: str, file: str, line: int, key: str) -> bool:
        if not self.valid_name(name, file, line, key):
            return False
        if name in self.defines:
            where = ":".join(map(str, self.defines[name]))
            self.problems.append(Problem(file, line, key, f"service {name!r} is already defined at {where}"))
            return False
        self.defines[name] = (file, line)
        return True


def parse_catalog(path: Path) -> Catalog:
    """Read a catalog file or folder; never raises for bad input."""
    catalog = Catalog()
    found = read_catalog_files(path)
    catalog.problems += found.problems
    catalog.notes += found.notes
    catalog.files_read, catalog.paths_read = len(found.files), found.read
    backstage = BackstageReader(catalog)
    for catalog_file in found.files:
        file = str(catalog_file.path)
        if not catalog_file.docs:
            catalog.problems.append(Problem(file, 1, "(file)", "empty catalog file: expected `services:`"))
        for doc in catalog_file.docs:
            if isinstance(doc, dict) and "apiVersion" in doc:
                backstage.add(doc, file)
            elif isinstance(doc, dict):
                _read_seed(doc, catalog_file.path, catalog)
            else:
                catalog.problems.append(Problem(file, getattr(doc, "line", 1), "(file)",
                                                "expected a `services:` map or Backstage entities"))
    backstage.finish()
    catalog.notes += backstage.notes()
    return catalog


# --- the seed's ownership format --------------------------------------------

def _read_seed(doc: dict, path: Path, catalog: Catalog) -> None:
    file = str(path)
    top, problems = validate_mapping(doc, SEED_KEYS, file=file)
    catalog.problems += problems
    services = top.get("services", {})
    for name, raw in services.items():
        key = join_key("services", clean(name))
        line = line_of(services, name)
        name = str(name)
        if not catalog.define(name, file, line, key):
            continue
        if not isinstance(raw, dict):
            catalog.problems.append(Problem(file, line, key, "expected a mapping with owner, primary_contact, "
                                                             "escalation_path, on_call, runbooks"))
            continue
        service = _seed_service(name, raw, path, key, catalog)
        if service is not None:
            catalog.services[name] = service
    domains = top.get("data_domains", {})
    for name, raw in domains.items():
        key = join_key("data_domains", clean(name))
        if not isinstance(raw, dict):
            catalog.problems.append(Problem(file, line_of(domains, name), key,
                                            "expected a mapping with owner, schema, retention, pii"))
            continue
        values, problems = validate_mapping(raw, DOMAIN_KEYS, file=file, key=key)
        dr = _recovery(values, file, key, problems)
        catalog.problems += problems
        if not problems:
            catalog.domains[str(name)] = DataDomain(
                name=str(name), owner=values["owner"], schema=values.get("schema", ""),
                retention=str(values.get("retention", "")), pii=values.get("pii", False),
                gdpr_applies=values.get("gdpr_applies", False), dr=dr)


def _seed_service(name: str, raw: dict, path: Path, key: str, catalog: Catalog) -> Service | None:
    file = str(path)
    values, problems = validate_mapping(raw, SERVICE_KEYS, file=file, key=key)
    steps = _escalation(values.get("escalation_path", []), file, join_key(key, "escalation_path"), problems)
    alerts, found = claims_from_seed(values["alerts"], file=file, line=line_of(values, "alerts"),
                                     key=join_key(key, "alerts")) if "alerts" in values else ((), [])
    problems += found
    dr = _recovery(values, file, key, problems)
    if name in values.get("depends_on", []):
        problems.append(Problem(file, line_of(values, "depends_on"), join_key(key, "depends_on"),
                                "a service cannot depend on itself"))
    catalog.problems += problems
    for field_name, what, refs in (("depends_on", "depends_on", catalog.refers),
                                   ("data_domains", "data_domain", catalog.domain_refs)):
        items = values.get(field_name, [])
        for i, target in enumerate(items):
            refs.append(ServiceRef(target, file, line_of(items, i), f"{key}.{field_name}[{i}]", what))
    flags = values.get("flags", [])
    catalog.flag_refs += [FlagRef(flag, file, line_of(flags, i), f"{key}.flags[{i}]") for i, flag in enumerate(flags)]
    runbooks = values.get("runbooks", [])
    for i, ref in enumerate(runbooks):
        if "://" not in ref:  # links to a wiki are not checked
            catalog.runbook_refs.append((ref, path.parent / ref, ServiceRef(
                name, file, line_of(runbooks, i), f"{key}.runbooks[{i}]", "runbook")))
    if problems:
        return None
    return Service(
        name=name,
        owner=values["owner"],
        primary_contact=values.get("primary_contact") or (steps[0].contact if steps else ""),
        escalation_path=steps,
        on_call=values.get("on_call", False),
        runbooks=tuple(runbooks),
        depends_on=tuple(values.get("depends_on", ())),
        data_domains=tuple(values.get("data_domains", ())),
        description=values.get("description", ""),
        tier=values.get("tier", ""),
        alerts=alerts,
        dr=dr,
        flags=tuple(values.get("flags", ())),
    )


def _recovery(values: dict, file: str, key: str, problems: list[Problem]) -> RecoveryFacts | None:
    """The entry's `dr:` facts (None when it has none); bad ones are problems."""
    return recovery_facts(values["dr"], file, join_key(key, "dr"), problems) if "dr" in values else None


def _escalation(items: list, file: str, key: str, problems: list[Problem]) -> tuple[EscalationStep, ...]:
    """Levels in order; a plain contact gets the seed's timing (L1 now, L2
    after 15 min, L3 after 1 h, L4+ critical incidents only)."""
    steps = []
    for i, item in enumerate(items):
        default_after = DEFAULT_ESCALATION_AFTER[min(i, len(DEFAULT_ESCALATION_AFTER) - 1)]
        default_critical = i >= 3
        if isinstance(item, str) and item.strip():
            steps.append(EscalationStep(i + 1, item, default_after, default_critical))
        elif isinstance(item, dict):
            values, found = validate_mapping(item, STEP_KEYS, file=file, key=join_key(key, i))
            problems += found
            if not found:
                steps.append(EscalationStep(i + 1, values["contact"], values.get("after", default_after),
                                            values.get("critical_only", default_critical)))
        else:
            problems.append(Problem(file, line_of(items, i), join_key(key, i),
                                    "expected a contact (\"@lead\") or {contact, after, critical_only}"))
    return tuple(steps)


# --- the source -----------------------------------------------------------------

class CatalogSource(Source):
    kind = "catalog"
    provides = frozenset({"catalog"})
    options = {"path": OptionSpec(str, required=True, help="a catalog file, or a folder of them")}

    @classmethod
    def check(cls, spec: SourceSpec) -> CheckResult:
        missing = missing_path(spec)
        if missing:
            return CheckResult(problems=[missing])
        catalog = parse_catalog(spec.path(spec.options["path"]))
        problems = list(catalog.problems)
        for ref in catalog.domain_refs:
            if ref.service not in catalog.domains:
                problems.append(Problem(ref.file, ref.line, ref.key, f"unknown data domain {ref.service!r}"))
        for written, target, ref in catalog.runbook_refs:
            if not target.exists():
                problems.append(Problem(ref.file, ref.line, ref.key, f"runbook not found: {written!r} "
                                                                     "(paths resolve from this file's folder)"))
        return CheckResult(problems=problems, defines=catalog.defines, refers=catalog.refers, notes=catalog.notes,
                           flag_refs=catalog.flag_refs)

    def __init__(self, spec: SourceSpec, context: SourceContext) -> None:
        super().__init__(spec, context)
        self._last: tuple[tuple | None, Catalog] | None = None  # (the files' stamp when read, what they held)

    async def fetch(self) -> SourceData:
        """Every service that loads; what did not is a warning (the source is
        then degraded, not down). Only a catalog with no service fails."""
        catalog = await asyncio.to_thread(self._read, self.spec.path(self.spec.options["path"]))
        if catalog.problems and not catalog.services:
            raise SourceError(str(catalog.problems[0]))
        warnings = [clean(p, single_line=True) for p in catalog.problems[:_WARNINGS_SHOWN]]
        if len(catalog.problems) > _WARNINGS_SHOWN:
            warnings.append(f"... and {len(catalog.problems) - _WARNINGS_SHOWN} more problems "
                            "(cockpit check lists them all)")
        return SourceData(services=tuple(catalog.services.values()), data_domains=tuple(catalog.domains.values()),
                          warnings=tuple(warnings))

    def _read(self, path: Path) -> Catalog:
        """The catalog, parsed again only when a file it read, a folder they
        are in or the catalog folder's listing changed: at 2,000 services a
        parse builds a 23 MB tree, every refresh."""
        read = self._last[1].paths_read if self._last else ()
        stamp = _stamp(path, read)
        if self._last is None or self._last[0] != stamp:
            catalog = parse_catalog(path)
            # Other files than last time (one added, a Location moved): stamped at the next read, over them.
            self._last = (stamp if catalog.paths_read == read else None, catalog)
        return self._last[1]


def _stamp(path: Path, read: tuple[Path, ...]) -> tuple:
    listing = tuple(sorted(str(p) for p in path.rglob("*") if p.suffix in SUFFIXES)) if path.is_dir() else ()
    folders = sorted({file.parent for file in read})  # a file added beside them (a Location's glob)
    return listing, tuple(map(file_stamp, read)), tuple(map(file_stamp, folders))
