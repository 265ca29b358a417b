"""Markdown files with YAML front matter (runbooks, postmortem drafts).

The front matter sits between a leading ``---`` line and the next ``---`` (or
``...``) line. It is parsed with the one YAML loader, shifted so every key
carries its real line in the file, and problems come back as values: a broken
header never raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cockpit.problems import Problem
from cockpit.yamlfile import LineDict, YamlError, load_yaml_text, yaml_shape

_OPEN = "---"
_CLOSE = ("---", "...")


@dataclass(frozen=True)
class FrontMatter:
    """A markdown file split in two. ``data`` is empty when there is no (valid)
    front matter; ``body_line`` is the file line the body starts on (1-based)."""

    data: LineDict
    body: str
    body_line: int = 1
    present: bool = False  # the file starts with a front matter block
    problems: tuple[Problem, ...] = field(default=())


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """(front matter YAML or None, body, body's first line).

    None means the file has no front matter block; an opening ``---`` without a
    closing line is treated as no front matter too (the caller reports it)."""
    lines = text.removeprefix("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].rstrip() != _OPEN:
        return None, text.removeprefix("\ufeff"), 1
    for index in range(1, len(lines)):
        if lines[index].rstrip() in _CLOSE:
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    return None, text.removeprefix("\ufeff"), 1


def parse_front_matter(text: str, filename: str) -> FrontMatter:
    """Split ``text`` and parse its front matter; lines in problems and in the
    returned LineDict are file lines."""
    yaml_text, body, body_line = split_front_matter(text)
    if yaml_text is None:
        unclosed = text.removeprefix("\ufeff").split("\n", 1)[0].rstrip() == _OPEN
        problems = (Problem(filename, 1, "(front matter)", "front matter is not closed by a '---' line"),) if unclosed else ()
        return FrontMatter(_empty(), body, body_line, present=unclosed, problems=problems)
    try:
        # The YAML starts on file line 2, right after the opening '---'.
        data = load_yaml_text(yaml_text, filename, line_offset=1)
    except YamlError as exc:
        return FrontMatter(_empty(), body, body_line, present=True, problems=(exc.problem,))
    if data is None:
        return FrontMatter(_empty(), body, body_line, present=True)
    if not isinstance(data, LineDict):
        problem = Problem(filename, 2, "(front matter)", f"front matter must be a mapping of keys, not {yaml_shape(data)}")
        return FrontMatter(_empty(), body, body_line, present=True, problems=(problem,))
    return FrontMatter(data, body, body_line, present=True)


def _empty() -> LineDict:
    data = LineDict()
    data.line = 1
    data.key_lines = {}
    return data


def prose_lines(body: str):
    """(0-based index, line) of each body line outside fenced code, where
    "# x" is a shell comment and "Status: x" an example, not the file's own."""
    fence = ""
    for index, line in enumerate(body.splitlines()):
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence):
                fence = ""
            continue
        if stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        else:
            yield index, line


def first_heading(body: str) -> str:
    """The first level-1 ATX heading outside fenced code."""
    return next((line[2:].strip().rstrip("#").strip() for _, line in prose_lines(body) if line.startswith("# ")), "")
