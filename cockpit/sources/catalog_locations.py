"""Which files a catalog path names, and their YAML documents.

A folder is read recursively (every .yaml / .yml file, hidden ones left
out); Backstage `Location` entities are followed as Backstage's file reader
follows them: `spec.target` / `spec.targets`, relative to the Location's own
file, globs (`./components/*.yaml`, `**`) included. A file is read once
however many Locations name it; a Location that leads back to a file that
(indirectly) names it is a cycle, reported and not followed again.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cockpit.config_schema import show
from cockpit.problems import Problem
from cockpit.yamlfile import YamlError, line_of, load_yaml_documents, read_text

SUFFIXES = (".yaml", ".yml")
# Backstage reads these types from files or URLs; a relative target of either
# resolves against the Location's own file, which is where we have it.
_FILE_TYPES = ("file", "url")
_PLACEHOLDERS = ("$text", "$json", "$yaml")


@dataclass
class CatalogFile:
    path: Path
    docs: list[Any]


@dataclass
class CatalogFiles:
    """Every file read, in order, with what could not be read or followed."""

    files: list[CatalogFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    read: tuple[Path, ...] = ()  # every file opened, entities or not (API definitions, Location targets)


def read_catalog_files(path: Path) -> CatalogFiles:
    result = CatalogFiles()
    reader = _Reader(result)
    if not path.is_dir():
        reader.visit(_normal(path), ())
        result.read = tuple(reader.cache)
        return result
    files = [_normal(p) for p in sorted(path.rglob("*"))
             if p.suffix in SUFFIXES and p.is_file() and not _hidden(p.relative_to(path))]
    if not files:
        result.problems.append(Problem(str(path), 0, "(folder)", "no .yaml files in this folder"))
    loaded = {file: reader.load(file) for file in files}
    # API definitions pulled in by `$text: ./petstore.oas.yaml` are not entities.
    definitions = {target for file, docs in loaded.items() for doc in docs or ()
                   for target in _placeholder_targets(doc, file)}
    for file in files:
        if file not in definitions:
            reader.visit(file, ())
    result.read = tuple(reader.cache)
    return result


class _Reader:
    def __init__(self, result: CatalogFiles) -> None:
        self.result = result
        self.cache: dict[Path, list[Any] | None] = {}
        self.done: set[Path] = set()

    def load(self, file: Path) -> list[Any] | None:
        """The file's documents (None when unreadable, with the problem recorded)."""
        if file not in self.cache:
            try:
                self.cache[file] = load_yaml_documents(read_text(file), str(file))
            except YamlError as exc:
                self.result.problems.append(exc.problem)
                self.cache[file] = None
        return self.cache[file]

    def visit(self, file: Path, chain: tuple[Path, ...], location_type: str = "file") -> None:
        if file in self.done:
            return
        self.done.add(file)
        docs = self.load(file)
        if docs is None:
            return
        self.result.files.append(CatalogFile(file, docs))
        for doc in docs:
            if isinstance(doc, dict) and doc.get("kind") == "Location" and "apiVersion" in doc:
                self._follow(doc, file, (*chain, file), location_type)

    def _follow(self, doc: dict, file: Path, chain: tuple[Path, ...], inherited_type: str) -> None:
        spec = doc.get("spec")
        if not isinstance(spec, dict):
            self._problem(file, line_of(doc, "spec") or line_of(doc, "kind"), "spec",
                          "a Location needs a spec mapping with target or targets")
            return
        location_type = spec.get("type") if isinstance(spec.get("type"), str) else inherited_type
        optional = spec.get("presence") == "optional"
        for target, line, key in _targets(spec, file, self.result.problems):
            if "://" in target:
                self.result.notes.append(f"{file}:{line}: {key}: not followed: {target} "
                                         "(URL targets are not fetched; copy the file next to this one)")
                continue
            if location_type not in _FILE_TYPES:
                self.result.notes.append(f"{file}:{line}: {key}: not followed: a {show(location_type)} "
                                         "Location is read by a Backstage integration, not from files")
                continue
            for found in self._resolve(target, file, line, key, optional):
                if found in chain:
                    loop = " -> ".join(p.name for p in (*chain[chain.index(found):], found))
                    self._problem(file, line, key, f"Location cycle: {loop} (not followed again)")
                else:
                    self.visit(found, chain, location_type)

    def _resolve(self, target: str, file: Path, line: int, key: str, optional: bool) -> list[Path]:
        pattern = _normal(file.parent / target)
        if glob.has_magic(target):
            found = sorted(_normal(Path(p)) for p in glob.glob(str(pattern), recursive=True) if Path(p).is_file())
        else:
            found = [pattern] if pattern.is_file() else []
        if not found and not optional:
            what = "no file matches" if glob.has_magic(target) else "file not found:"
            self._problem(file, line, key, f"{what} {target!r} ({pattern})")
        return found

    def _problem(self, file: Path, line: int, key: str, message: str) -> None:
        self.result.problems.append(Problem(str(file), line, key, message))


def _targets(spec: dict, file: Path, problems: list[Problem]) -> list[tuple[str, int, str]]:
    found = []
    if "target" in spec:
        if isinstance(spec["target"], str) and spec["target"].strip():
            found.append((spec["target"].strip(), line_of(spec, "target"), "spec.target"))
        else:
            problems.append(Problem(str(file), line_of(spec, "target"), "spec.target", "expected a path or URL"))
    targets = spec.get("targets", [])
    if not isinstance(targets, list):
        problems.append(Problem(str(file), line_of(spec, "targets"), "spec.targets", "expected a list of paths or URLs"))
        return found
    for i, target in enumerate(targets):
        if isinstance(target, str) and target.strip():
            found.append((target.strip(), line_of(targets, i), f"spec.targets[{i}]"))
        else:
            problems.append(Problem(str(file), line_of(targets, i), f"spec.targets[{i}]", "expected a path or URL"))
    return found


def _placeholder_targets(node: Any, file: Path) -> list[Path]:
    """Local files an entity embeds with `$text` / `$json` / `$yaml`."""
    if isinstance(node, list):
        return [t for item in node for t in _placeholder_targets(item, file)]
    if not isinstance(node, dict):
        return []
    if len(node) == 1 and next(iter(node)) in _PLACEHOLDERS:
        value = next(iter(node.values()))
        return [_normal(file.parent / value)] if isinstance(value, str) and "://" not in value else []
    return [t for value in node.values() for t in _placeholder_targets(value, file)]


def _normal(path: Path) -> Path:
    return Path(os.path.normpath(path.absolute()))


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)
