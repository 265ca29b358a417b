"""Reading flagd flag-definition files: JSON (or YAML, which flagd reads
too), checked against flagd's schema (https://flagd.dev/schema/v0/flags.json,
shipped in schema/), every problem with its file, line and key.

A flag belongs to the service its metadata names (``service``, or the flag
set's ``metadata.service``); ``killSwitch: true`` in its metadata makes it a
kill switch, which needs a true and a false variant to flip between."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from cockpit.model import Flag, frozen_map
from cockpit.problems import Problem, ServiceRef
from cockpit.untrusted import clean
from cockpit.yamlfile import YamlError, join_key, line_of, load_yaml_text, read_text

SCHEMA_DIR = Path(__file__).parent / "schema"
FLAGS_SCHEMA = "https://flagd.dev/schema/v0/flags.json"
SUFFIXES = (".json", ".yaml", ".yml")
SERVICE_KEY = "service"
KILL_SWITCH_KEY = "killSwitch"
_MESSAGE_LIMIT = 160  # a schema message repeats the value it refused: keep it short


@dataclass
class FlagFile:
    """One file's flags (those without problems) and every problem in it."""

    path: Path
    flags: list[Flag] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    refers: list[ServiceRef] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # every flag key in it, with problems or not


def flag_paths(path: Path) -> list[Path]:
    """The file itself, or a folder's flag files (in name order)."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and p.is_file())
    return [path]


def load_flag_data(path: Path, text: str) -> tuple[Any, Any]:
    """(the data as flagd reads it, the same with line numbers). JSON is
    decoded by json (YAML 1.1 would read 1e5 as a string); the YAML loader
    only adds the lines, and a file it cannot read has none. Raises
    YamlError naming the file and line."""
    name = str(path)
    if path.suffix != ".json":
        data = load_yaml_text(text, name)
        return data, data
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise YamlError(Problem(name, error.lineno, "(file)", f"not JSON: {error.msg}")) from None
    try:
        lines = load_yaml_text(text, name)
    except YamlError:
        lines = None
    return data, lines


def read_flag_file(path: Path, source: str = "") -> FlagFile:
    """Never raises for bad input: what is wrong is in ``problems``."""
    found = FlagFile(path)
    file = str(path)
    try:
        data, lines = load_flag_data(path, read_text(path))
    except YamlError as error:
        found.problems.append(error.problem)
        return found
    broken = _schema_problems(data, lines, file, found.problems)
    if not isinstance(data, dict) or "(file)" in broken:
        return found
    flags = data.get("flags") if isinstance(data.get("flags"), dict) else {}
    set_meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    flag_lines = _at(lines, ("flags",))
    found.keys = [str(key) for key in flags]
    for key, raw in flags.items():
        if key in broken:
            continue
        line = line_of(flag_lines, key) or 1
        flag = _flag(str(key), raw, set_meta, file, line, source)
        problem = _flag_problem(flag)
        if problem:
            at, message = problem
            found.problems.append(Problem(file, _line_at(lines, ("flags", key, *at)), _key(("flags", key, *at)),
                                          message))
            continue
        found.flags.append(flag)
        if flag.service:
            named_by = ("flags", key, "metadata", SERVICE_KEY) if SERVICE_KEY in (raw.get("metadata") or {}) \
                else ("metadata", SERVICE_KEY)
            found.refers.append(ServiceRef(flag.service, file, _line_at(lines, named_by), _key(named_by), "flag"))
    return found


def _flag(key: str, raw: dict, set_meta: dict, file: str, line: int, source: str) -> Flag:
    meta = raw.get("metadata") or {}
    service = meta.get(SERVICE_KEY, set_meta.get(SERVICE_KEY, ""))
    return Flag(key=key, state=raw.get("state", ""), variants=frozen_map(raw.get("variants")),
                default_variant=raw.get("defaultVariant"), service=str(service),
                kill_switch=meta.get(KILL_SWITCH_KEY) is True, targeted=bool(raw.get("targeting")),
                file=file, line=line, source=source)


def _flag_problem(flag: Flag) -> tuple[tuple[str, ...], str] | None:
    """What flagd (not its schema) refuses, and what a kill switch needs:
    (the path inside the flag, the message)."""
    if flag.default_variant is not None and flag.variants and flag.default_variant not in flag.variants:
        return ("defaultVariant",), f"{clean(flag.default_variant)!r} is not one of its variants"
    if flag.kill_switch and not kill_switch_variants(flag):
        return ("metadata", KILL_SWITCH_KEY), "a kill switch needs a true and a false variant to flip between"
    return None


def kill_switch_variants(flag: Flag) -> tuple[str, str] | None:
    """(its true variant, its false variant): the first of each."""
    on = next((name for name, value in flag.variants.items() if value is True), None)
    off = next((name for name, value in flag.variants.items() if value is False), None)
    return (on, off) if on is not None and off is not None else None


# --- the schema -------------------------------------------------------------------

@cache
def _validator():
    # Imported on first use: `cockpit --help` should not pay for jsonschema.
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource

    flags, targeting = (json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
                        for name in ("flags.json", "targeting.json"))
    # flags.json refers to "./targeting.json" from its own $id; targeting.json names itself one level up.
    registry = Registry().with_resources([
        (FLAGS_SCHEMA, Resource.from_contents(flags)),
        (FLAGS_SCHEMA.rsplit("/", 1)[0] + "/targeting.json", Resource.from_contents(targeting)),
    ])
    # Entered by reference, so relative references resolve from the schema's
    # address (draft-07 ignores the $id beside its top-level $ref).
    return Draft7Validator({"$ref": FLAGS_SCHEMA}, registry=registry)


def _schema_problems(data: Any, lines: Any, file: str, problems: list[Problem]) -> set:
    """Each schema error as a problem at its key; returns the flag keys with
    errors ("(file)" when the error is outside every flag)."""
    broken: set = set()
    for error in sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        leaf = _closest(error)
        path = list(leaf.absolute_path)
        in_flag = len(path) >= 2 and path[0] == "flags"
        broken.add(path[1] if in_flag else "(file)")
        message = clean(leaf.message, single_line=True)
        if len(message) > _MESSAGE_LIMIT:
            message = message[:_MESSAGE_LIMIT] + "…"
        problems.append(Problem(file, _line_at(lines, path), _key(path) or "(file)", f"flagd schema: {message}"))
    return broken


def _key(path) -> str:
    key = ""
    for part in path:
        key = join_key(key, clean(part, single_line=True) if isinstance(part, str) else part)
    return key


def _line_at(lines: Any, path) -> int:
    """The line of the deepest part of ``path`` that has one (1 when none does)."""
    for depth in range(len(path), 0, -1):
        line = line_of(_at(lines, path[:depth - 1]), path[depth - 1])
        if line:
            return line
    return 1


def _closest(error):
    """What is wrong, said the way the writer meant it: "{...} is not valid
    under any of the given schemas" (a flag matching no variant type) becomes
    the one error of the type it came closest to (the boolean flag whose
    state is misspelt), its deepest."""
    while error.context:
        branches: dict = {}
        for inner in error.context:
            branches.setdefault(inner.relative_schema_path[0], []).append(inner)
        nearest = min(branches.values(), key=len)
        error = max(nearest, key=lambda e: len(e.absolute_path))
    return error


def _at(data: Any, path) -> Any:
    """The value at ``path`` in ``data`` (None when it is not there)."""
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data
