"""Flipping a kill switch in its flag file: the flag's ``defaultVariant``
goes to its other boolean variant, and nothing else in the file changes.

Only that one value is edited in the text (formatting, key order, other
flags, ``$evaluators`` and comments in YAML all stay), the edit is checked
by reading the result back, and the file is replaced atomically
(cockpit.atomicfile) with its own permissions, so a running flagd, which
watches the file, reads the old or the new file, never half of one. A
file whose one line cannot be edited safely (minified JSON) is written out
again whole, as JSON keeps it: the same content, another layout."""

from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cockpit.atomicfile import write_atomic
from cockpit.model import Flag
from cockpit.private_files import FileAccess
from cockpit.sources.base import SourceError
from cockpit.sources.flags.files import KILL_SWITCH_KEY, kill_switch_variants, load_flag_data
from cockpit.untrusted import clean
from cockpit.yamlfile import YamlError, line_of, read_text

# `"defaultVariant": "on"` in JSON, `defaultVariant: on` or `"defaultVariant": 'on'` in YAML.
_DEFAULT_VARIANT = re.compile(r"""(["']?defaultVariant["']?\s*:\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,}#]+)""")


@dataclass(frozen=True)
class _SameMode(FileAccess):
    """The replaced file keeps the mode it had: flagd may run as another user."""

    mode: int = 0o644

    def apply_to_file(self, path: Path) -> None:
        os.chmod(path, self.mode)


def flip(path: Path, key: str, expected: str | None) -> tuple[str, object]:
    """Set flag ``key``'s default variant to the other boolean one, if it is
    still ``expected`` (someone else may have flipped it meanwhile; None: the
    code's default); returns
    (the new variant, its value). Raises SourceError saying why not."""
    path = path.resolve()  # a symlinked file (a ConfigMap's) is written where it points
    try:
        text = read_text(path)
        data, lines = load_flag_data(path, text)
    except YamlError as error:
        raise SourceError(str(error.problem)) from None
    raw = (data.get("flags") or {}).get(key) if isinstance(data, dict) else None
    if not isinstance(raw, dict):
        raise SourceError(f"no flag {clean(key)!r} in {path} any more")
    flag = Flag(key, raw.get("state", ""), dict(raw.get("variants") or {}), raw.get("defaultVariant"))
    variants = kill_switch_variants(flag)
    if (raw.get("metadata") or {}).get(KILL_SWITCH_KEY) is not True or variants is None:
        raise SourceError(f"{clean(key)!r} is not a kill switch with a true and a false variant")
    current = raw.get("defaultVariant")
    if current != expected:
        raise SourceError(f"{clean(key)!r} changed meanwhile: it serves {clean(current)!r} now, not "
                          f"{clean(expected)!r}; nothing written")
    new = variants[1] if flag.value is True else variants[0]
    wanted = copy.deepcopy(data)
    wanted["flags"][key]["defaultVariant"] = new
    written = _edited(text, path, lines, key, new, wanted)
    write_atomic(path, written, _SameMode(mode=os.stat(path).st_mode & 0o7777))
    return new, flag.variants[new]


def _edited(text: str, path: Path, lines, key: str, new: str, wanted: dict) -> str:
    """The text with only that value changed, when that reads back as
    ``wanted``; else (JSON only) the whole document written again."""
    line = line_of((lines or {}).get("flags", {}).get(key) if isinstance(lines, dict) else None, "defaultVariant")
    if line:
        rows = text.splitlines(keepends=True)
        matches = list(_DEFAULT_VARIANT.finditer(rows[line - 1]))
        if len(matches) == 1:
            match = matches[0]
            row = rows[line - 1]
            rows[line - 1] = row[:match.start(2)] + json.dumps(new) + row[match.end(2):]
            candidate = "".join(rows)
            try:
                if load_flag_data(path, candidate)[0] == wanted:
                    return candidate
            except YamlError:
                pass
    if path.suffix == ".json":
        return json.dumps(wanted, indent=2, ensure_ascii=False) + "\n"
    raise SourceError(f"cannot change {clean(key)!r} in {path} without rewriting it: edit it by hand")
