"""Backstage catalog entities as catalog services.

Component and Resource entities become services; Group and User give the
owner's contact and members, System and Domain the service's place, API
entities what `providesApis` / `consumesApis` point at. Entity references
are Backstage's `[kind:][namespace/]name`, with the kind and namespace a
field implies when they are left out. An invalid entity is one problem with
its file and line; every other entity still loads. Entities of kinds the
cockpit does not read (Template, Environment, AiResource, any future kind)
are skipped and counted.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cockpit.alert_owners import claims_from_backstage
from cockpit.config_schema import show
from cockpit.model import ApiLink, Service, frozen_map
from cockpit.problems import Problem, ServiceRef
from cockpit.sources.recovery_facts import recovery_from_annotations
from cockpit.yamlfile import line_of

if TYPE_CHECKING:
    from cockpit.sources.catalog import Catalog

SERVICE_KINDS = frozenset({"component", "resource"})
# Kinds read for what they tell about services; Location is followed by
# cockpit.sources.catalog_locations.
READ_KINDS = SERVICE_KINDS | {"group", "user", "system", "domain", "api", "location"}
_NAMESPACE = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,62}\Z")
_REF_LISTS = ("dependsOn", "dependencyOf", "providesApis", "consumesApis")
EntityKey = tuple[str, str, str]  # kind, namespace, name; lower case (Backstage compares so)


@dataclass
class Entity:
    kind: str  # lower case
    namespace: str
    name: str
    doc: dict
    spec: dict
    file: str
    line: int

    @property
    def key(self) -> EntityKey:
        return (self.kind, self.namespace.lower(), self.name.lower())

    def ref(self, value: str, default_kind: str) -> EntityKey:
        """The entity `value` names, read as written in this entity's spec."""
        kind, _, rest = value.rpartition(":") if ":" in value else ("", "", value)
        namespace, _, name = rest.rpartition("/")
        return ((kind or default_kind).lower(), (namespace or self.namespace).lower(), name.lower())


class BackstageReader:
    """Collects entities document by document; `finish` builds the services."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.entities: dict[EntityKey, Entity] = {}
        self.skipped: Counter[str] = Counter()

    def add(self, doc: dict, file: str) -> None:
        kind = doc.get("kind")
        if not isinstance(kind, str) or not kind:
            self._problem(file, line_of(doc, "kind"), "kind", "missing entity kind (Component, Group, Location ...)")
            return
        if kind.lower() not in READ_KINDS:
            self.skipped[kind] += 1
            return
        entity = self._envelope(doc, kind.lower(), file)
        if entity is None:
            return
        if entity.key in self.entities:
            first = self.entities[entity.key]
            self._problem(file, entity.line, "metadata.name",
                          f"{kind} {entity.name!r} is already defined at {first.file}:{first.line}")
            return
        if entity.kind in SERVICE_KINDS and not self._valid_service(entity):
            return
        self.entities[entity.key] = entity

    def notes(self) -> list[str]:
        if not self.skipped:
            return []
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(self.skipped.items()))
        total = sum(self.skipped.values())
        return [f"skipped {total} Backstage entit{'y' if total == 1 else 'ies'} of kinds the cockpit "
                f"does not read ({kinds})"]

    def _envelope(self, doc: dict, kind: str, file: str) -> Entity | None:
        meta = doc.get("metadata")
        if not isinstance(meta, dict):
            self._problem(file, line_of(doc, "metadata") or line_of(doc, "kind"), "metadata",
                          "expected a mapping with name")
            return None
        name, namespace = meta.get("name"), meta.get("namespace", "default")
        line = line_of(meta, "name") or line_of(doc, "metadata")
        if not isinstance(name, str) or not name:
            self._problem(file, line, "metadata.name", "missing entity name")
            return None
        if not self.catalog.valid_name(name, file, line, "metadata.name"):
            return None
        if not isinstance(namespace, str) or not _NAMESPACE.match(namespace):
            self._problem(file, line_of(meta, "namespace"), "metadata.namespace",
                          f"{show(namespace)} is not a valid namespace (letters and digits, with - between them)")
            return None
        spec = doc.get("spec", {})
        if not isinstance(spec, dict):
            self._problem(file, line_of(doc, "spec"), "spec", "expected a mapping")
            return None
        return Entity(kind, namespace, name, doc, spec, file, line)

    def _valid_service(self, entity: Entity) -> bool:
        spec, file = entity.spec, entity.file
        owner = spec.get("owner")
        if not isinstance(owner, str) or not owner.strip():
            where = line_of(spec, "owner") if "owner" in spec else line_of(entity.doc, "spec") or entity.line
            self._problem(file, where, "spec.owner",
                          "missing owner (a group or user reference)")
            return False
        for key in ("system", "lifecycle", "type"):
            if key in spec and not isinstance(spec[key], str):
                self._problem(file, line_of(spec, key), f"spec.{key}", f"expected a string, got {show(spec[key])}")
                return False
        for key in _REF_LISTS:
            refs = spec.get(key, [])
            bad = [i for i, ref in enumerate(refs) if not isinstance(ref, str) or not ref.strip()] \
                if isinstance(refs, list) else [None]
            if bad:
                where = line_of(spec, key) if bad[0] is None else line_of(refs, bad[0])
                self._problem(file, where, f"spec.{key}" + ("" if bad[0] is None else f"[{bad[0]}]"),
                              "expected a list of entity references ([kind:][namespace/]name)")
                return False
        return self.catalog.define(entity.name, file, entity.line, "metadata.name")

    def finish(self) -> None:
        """Build a service from every Component and Resource, now that every
        entity it refers to has been read."""
        members = self._members()
        dependency_of: dict[EntityKey, list[str]] = {}
        for entity in self._services():
            for ref in entity.spec.get("dependencyOf", []):
                dependency_of.setdefault(entity.ref(ref, "component"), []).append(entity.name)
        for entity in self._services():
            self.catalog.services[entity.name] = self._service(entity, members,
                                                               dependency_of.get(entity.key, []))

    def _services(self) -> list[Entity]:
        return [e for e in self.entities.values() if e.kind in SERVICE_KINDS]

    def _service(self, entity: Entity, members: dict[EntityKey, list[str]], dependents: list[str]) -> Service:
        spec, meta = entity.spec, entity.doc["metadata"]
        owner_key = entity.ref(spec["owner"].strip(), "group")
        owner = self.entities.get(owner_key)
        system = self.entities.get(entity.ref(spec["system"], "system")) if spec.get("system") else None
        domain = system.spec.get("domain") if system else None
        depends = []
        refs = spec.get("dependsOn", [])
        for i, ref in enumerate(refs):
            target = entity.ref(ref, "component")  # Backstage wants the kind written; older files leave it out
            if target[0] in SERVICE_KINDS:
                depends.append(self._name(target))
                self.catalog.refers.append(ServiceRef(depends[-1], entity.file, line_of(refs, i),
                                                      f"spec.dependsOn[{i}]", "depends_on"))
        description = meta.get("description")
        return Service(
            name=entity.name,
            owner=owner.name if owner else owner_key[2],
            primary_contact=_email(owner) if owner else "",
            on_call=spec.get("lifecycle") == "production",  # someone is paged only for production
            depends_on=tuple(dict.fromkeys(depends + dependents)),
            description=description.strip() if isinstance(description, str) else "",
            system=system.name if system else (spec.get("system") or "").rpartition("/")[2],
            domain=entity.ref(domain, "domain")[2] if isinstance(domain, str) else "",
            provides_apis=tuple(self._api(entity, ref) for ref in spec.get("providesApis", [])),
            consumes_apis=tuple(self._api(entity, ref) for ref in spec.get("consumesApis", [])),
            members=tuple(members.get(owner_key, [])) if owner_key[0] == "group"
            else ((_person(owner),) if owner else ()),
            annotations=frozen_map(_strings(meta.get("annotations"))),
            alerts=claims_from_backstage(meta.get("annotations")),
            dr=recovery_from_annotations(meta.get("annotations") or {}, entity.file, "metadata.annotations",
                                         self.catalog.problems) if isinstance(meta.get("annotations"), dict) else None,
        )

    def _api(self, entity: Entity, ref: str) -> ApiLink:
        key = entity.ref(ref, "api")
        api = self.entities.get(key)
        if api is None:
            return ApiLink(self._name(key))
        description = api.doc["metadata"].get("description")
        # Older files name a Component here (`consumesApis: ['component:x']`): say so.
        kind = str(api.spec.get("type", "")) if api.kind == "api" else api.kind
        return ApiLink(api.name, kind,
                       description.strip() if isinstance(description, str) else "", in_catalog=True)

    def _name(self, key: EntityKey) -> str:
        """The name as written in the entity, when the catalog has it."""
        found = self.entities.get(key)
        return found.name if found else key[2]

    def _members(self) -> dict[EntityKey, list[str]]:
        """Group -> its direct members, "Name <email>", from Group spec.members
        and User spec.memberOf alike (Backstage makes both into hasMember)."""
        found: dict[EntityKey, dict[EntityKey, None]] = {}
        for entity in self.entities.values():
            if entity.kind == "group":
                for ref in _string_list(entity.spec.get("members")):
                    found.setdefault(entity.key, {})[entity.ref(ref, "user")] = None
            elif entity.kind == "user":
                for ref in _string_list(entity.spec.get("memberOf")):
                    found.setdefault(entity.ref(ref, "group"), {})[entity.key] = None
        # Two users may show alike (a guest in two namespaces): list each person once.
        return {group: sorted({_person(self.entities[u]) if u in self.entities else u[2] for u in users})
                for group, users in found.items()}

    def _problem(self, file: str, line: int, key: str, message: str) -> None:
        self.catalog.problems.append(Problem(file, line, key, message))


def _profile(entity: Entity) -> dict:
    profile = entity.spec.get("profile")
    return profile if isinstance(profile, dict) else {}


def _email(entity: Entity) -> str:
    email = _profile(entity).get("email")
    return email if isinstance(email, str) else ""


def _person(entity: Entity) -> str:
    name = _profile(entity).get("displayName")
    name = name.strip() if isinstance(name, str) and name.strip() else entity.name
    return f"{name} <{_email(entity)}>" if _email(entity) else name


def _string_list(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str) and v] if isinstance(value, list) else []


def _strings(mapping: Any) -> dict[str, str]:
    """Annotations as Backstage keeps them: string keys and values."""
    if not isinstance(mapping, dict):
        return {}
    return {str(k): v if isinstance(v, str) else str(v) for k, v in mapping.items()}
