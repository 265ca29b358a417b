"""The one YAML loader: safe, and remembers the line of every key and item so
errors can name FILE:LINE: key.path.

Mappings load as :class:`LineDict` and sequences as :class:`LineList`; both
behave as plain dict/list and carry ``line`` (where they start) plus the line
of each key or item.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from cockpit.sources.base import Problem


class LineDict(dict):
    line: int = 0
    key_lines: dict

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


def line_of(container: Any, key: Any) -> int:
    """Line of ``key`` inside ``container``, or of the container, or 0."""
    if isinstance(container, (LineDict, LineList)):
        return container.line_of(key)
    return 0


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "found an unhashable key", key_node.start_mark
            ) from None
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode):
    # PyYAML raises a bare ValueError for impossible dates (2026-13-45);
    # turn it into a YAML error that knows its line.
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"invalid date {node.value!r}: {exc}", node.start_mark
        ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class YamlError(Exception):
    """A file could not be read or parsed; carries the Problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _problem_from_yaml_error(filename: str, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 0
    what = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"YAML syntax error: {what}" + (f" ({context})" if context else "")
    return Problem(filename, line, "(file)", message)


def load_yaml_text(text: str, filename: str, line_offset: int = 0) -> Any:
    """Parse one YAML document; raise YamlError naming file and line."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        problem = _problem_from_yaml_error(filename, exc)
        raise YamlError(Problem(problem.file, problem.line + line_offset, problem.key, problem.message)) from None
    if line_offset:
        _shift_lines(data, line_offset)
    return data


def load_yaml_documents(text: str, filename: str) -> list[Any]:
    """Parse every document of a multi-document YAML stream."""
    try:
        return [d for d in yaml.load_all(text, Loader=_Loader) if d is not None]  # noqa: S506
    except yaml.YAMLError as exc:
        raise YamlError(_problem_from_yaml_error(filename, exc)) from None


def read_text(path: Path, key: str = "(file)") -> str:
    """Read a file as UTF-8; raise YamlError naming the file when it can't be."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise YamlError(Problem(str(path), 0, key, "file not found")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlError(Problem(str(path), 0, key, f"cannot read: {exc}")) from None


def load_yaml_file(path: Path, key: str = "(file)") -> Any:
    return load_yaml_text(read_text(path, key), str(path))


def _shift_lines(data: Any, offset: int) -> None:
    if isinstance(data, LineDict):
        data.line += offset
        data.key_lines = {k: v + offset for k, v in data.key_lines.items()}
        for value in data.values():
            _shift_lines(value, offset)
    elif isinstance(data, LineList):
        data.line += offset
        data.item_lines = [v + offset for v in data.item_lines]
        for value in data:
            _shift_lines(value, offset)
