"""The one YAML loader: safe, bounded, and remembers the line of every key and
item so errors can name FILE:LINE: key.path.

Mappings load as :class:`LineDict` and sequences as :class:`LineList`; both
behave as plain dict/list and carry ``line`` (where they start) plus the line
of each key or item.

Every file the cockpit reads is hostile until loaded, so the loader refuses,
with the line where it happened and never a traceback:

* files over ``MAX_FILE_BYTES`` (checked before parsing);
* nesting deeper than ``MAX_DEPTH`` (PyYAML would hit RecursionError);
* more than ``MAX_NODES`` values written, so time and memory stay bounded;
* aliases that together stand for more than ``MAX_ALIASED_NODES`` nodes (an
  anchor bomb: 400 bytes can name a billion strings) or that sit inside their
  own anchor;
* a key written twice in one mapping (YAML would silently keep the last).

Depth and alias counts are kept in the composer, from parser events only, so
the same limits hold over libyaml's event parser (yaml.CParser), which the
loader uses when PyYAML was built with it (scanning and parsing in C are
most of the time of a load); duplicate keys are found while constructing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from cockpit.problems import Problem

# The largest real catalog or SLO file seen is ~20 kB with ~2,000 values; pure
# Python PyYAML reads ~15,000 values a second on a loaded CI machine.
MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 100  # Kubernetes resources nest ~20 deep; Python's own stack allows ~300
MAX_NODES = 100_000  # values written in one file: bounds time and memory
MAX_ALIASED_NODES = 100_000  # values reached through aliases and merge keys, per file
_MERGE_TAG = "tag:yaml.org,2002:merge"


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


def join_key(prefix: str, key: Any) -> str:
    """Dotted key path: join_key("sources", 2) -> "sources[2]"."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else str(key)


def yaml_shape(value: Any) -> str:
    """What a loaded value is, in the words of whoever wrote the file."""
    for kind, label in ((bool, "true/false"), (dict, "a mapping"), (list, "a list"), (str, "a string"),
                        (int, "a number"), (float, "a number"), (date, "a date"), (bytes, "binary data"),
                        (set, "a set")):
        if isinstance(value, kind):
            return label
    return "nothing" if value is None else "an unsupported value"


class YamlLimitError(yaml.MarkedYAMLError):
    """The file breaks one of the loader's limits, or writes a key twice."""

    def __init__(self, mark: yaml.Mark, message: str, key: str = "(file)") -> None:
        super().__init__(problem=message, problem_mark=mark)
        self.key = key


class _LimitedComposer(yaml.composer.Composer):
    """The composer, counting depth and alias expansion as it goes. It needs
    only parser events, so it composes over yaml.CParser as well."""

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0
        self._composed = 0  # nodes written in the file so far
        self._expanded = 0  # the same with every alias counted at its full size
        self._aliased = 0
        self._anchor_sizes: dict[str, int] = {}  # anchors of this document -> their node count
        self._path: list[Any] = []  # keys and indexes leading to the node being composed or constructed

    # --- composing: depth and alias limits, from events ---------------------

    def compose_document(self) -> yaml.Node:
        node = super().compose_document()
        self._anchor_sizes = {}  # anchors end with their document, as in the composer
        return node

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        # ``index`` is the key node of a mapping value, the position of a
        # sequence item, None for a key or the root.
        self._path.append(index.value if isinstance(index, yaml.ScalarNode) else index)
        try:
            return self._compose_counted(parent, index)
        finally:
            self._path.pop()

    def _compose_counted(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self._count_alias(event)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise YamlLimitError(event.start_mark, f"nested deeper than {MAX_DEPTH} levels; refusing to read on",
                                 self.key_path())
        before = self._expanded
        self._expanded += 1
        self._composed += 1
        if self._composed > MAX_NODES:
            raise YamlLimitError(event.start_mark, f"more than {MAX_NODES:,} values; refusing to read on",
                                 self.key_path())
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if event.anchor is not None:
            self._anchor_sizes[event.anchor] = self._expanded - before
        return node

    def _count_alias(self, event: yaml.AliasEvent) -> None:
        size = self._anchor_sizes.get(event.anchor)
        if size is None:
            if event.anchor in self.anchors:  # the anchor's node is still being composed
                raise YamlLimitError(event.start_mark, f"alias *{event.anchor} is used inside its own anchor",
                                     self.key_path())
            return  # an undefined alias: the composer reports it
        self._expanded += size
        self._aliased += size
        if self._aliased > MAX_ALIASED_NODES:
            raise YamlLimitError(event.start_mark, f"aliases expand to more than {MAX_ALIASED_NODES:,} nodes "
                                                   "(an anchor bomb?); refusing to read on", self.key_path())

    # --- where the loader is, for messages --------------------------------

    def key_path(self, last: Any = None) -> str:
        """Where the loader is, as a dotted path (keys and [index]es)."""
        path = ""
        for key in [*self._path, last]:
            if key is not None:
                path = join_key(path, key)
        if len(path) > 80:  # 100 levels of [0] say nothing more than 6 do
            path = path[:40] + "…" + path[-30:]
        return path or "(file)"


class _LineConstructor(yaml.constructor.SafeConstructor):
    """SafeConstructor building LineDict / LineList (the constructors below);
    ``line_offset`` is added to every line (front matter starts on line 2)."""

    def __init__(self, line_offset: int = 0) -> None:
        super().__init__()
        self.line_offset = line_offset

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # PyYAML's scalar constructors fail with bare Python errors, without a
        # line: 2026-13-45, 5,000 digits, `!!bool maybe`, `!!timestamp soon`.
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            if not isinstance(node, yaml.ScalarNode):
                raise
            kind = _SCALAR_KINDS.get(node.tag, node.tag)
            shown = repr(node.value if len(node.value) <= 40 else node.value[:40] + "…")
            reason = f" ({exc})" if node.tag.endswith(":timestamp") and isinstance(exc, ValueError) else ""
            raise YamlLimitError(node.start_mark, f"{shown} is not a valid {kind}{reason}", self.key_path()) from None


class _PythonLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, _LimitedComposer,
                    _LineConstructor, yaml.resolver.Resolver):
    """yaml.SafeLoader with the limited composer and the line constructor."""

    def __init__(self, stream: str, line_offset: int = 0) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        _LimitedComposer.__init__(self)
        _LineConstructor.__init__(self, line_offset)
        yaml.resolver.Resolver.__init__(self)


try:
    from yaml.cyaml import CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    CParser = None

if CParser is not None:
    class _CLoader(_LimitedComposer, CParser, _LineConstructor, yaml.resolver.Resolver):
        """The same over libyaml's event parser: _LimitedComposer comes first,
        so composing (and every limit) stays in Python, over C events."""

        def __init__(self, stream: str, line_offset: int = 0) -> None:
            CParser.__init__(self, stream)
            _LimitedComposer.__init__(self)
            _LineConstructor.__init__(self, line_offset)
            yaml.resolver.Resolver.__init__(self)

    _Loader: type = _CLoader
else:  # pragma: no cover - PyYAML without libyaml
    _Loader = _PythonLoader


_SCALAR_KINDS = {f"tag:yaml.org,2002:{tag}": kind for tag, kind in (
    ("int", "number"), ("float", "number"), ("bool", "true/false"), ("timestamp", "date"), ("null", "null"))}


def _construct_mapping(loader: _LineConstructor, node: yaml.MappingNode) -> LineDict:
    own_keys = {id(key_node) for key_node, _ in node.value if key_node.tag != _MERGE_TAG}
    loader.flatten_mapping(node)  # merged pairs first, so the mapping's own keys win
    result = LineDict()
    result.line = node.start_mark.line + 1 + loader.line_offset
    result.key_lines = {}
    own_lines: dict[Any, int] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise ConstructorError(None, None, "found an unhashable key", key_node.start_mark) from None
        line = key_node.start_mark.line + 1 + loader.line_offset
        if id(key_node) in own_keys:
            if key in own_lines:
                raise YamlLimitError(key_node.start_mark, f"duplicate key: also at line {own_lines[key]}; "
                                     "YAML would keep only the last one", loader.key_path(key))
            own_lines[key] = line
        loader._path.append(key)
        result[key] = loader.construct_object(value_node, deep=True)
        loader._path.pop()
        result.key_lines[key] = line
    return result


def _construct_sequence(loader: _LineConstructor, node: yaml.SequenceNode) -> LineList:
    result = LineList()
    for index, child in enumerate(node.value):
        loader._path.append(index)
        result.append(loader.construct_object(child, deep=True))
        loader._path.pop()
    result.line = node.start_mark.line + 1 + loader.line_offset
    result.item_lines = [child.start_mark.line + 1 + loader.line_offset for child in node.value]
    return result


_LineConstructor.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineConstructor.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class YamlError(Exception):
    """A file could not be read or parsed; carries the Problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _problem_from_yaml_error(filename: str, exc: yaml.YAMLError, line_offset: int = 0) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 + line_offset if mark is not None else 0
    what = getattr(exc, "problem", None) or str(exc)
    if isinstance(exc, YamlLimitError):
        return Problem(filename, line, exc.key, what)
    context = getattr(exc, "context", None)
    message = f"YAML syntax error: {what}" + (f" ({context})" if context else "")
    return Problem(filename, line, "(file)", message)


def _too_big(filename: str, size: int, key: str = "(file)") -> YamlError:
    return YamlError(Problem(filename, 1, key, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB "
                                               f"({size:,} bytes or more); refusing to read it"))


def load_yaml_text(text: str, filename: str, line_offset: int = 0) -> Any:
    """Parse one YAML document; raise YamlError naming file and line."""
    if len(text) > MAX_FILE_BYTES:
        raise _too_big(filename, len(text))
    loader = _Loader(text, line_offset)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        raise YamlError(_problem_from_yaml_error(filename, exc, line_offset)) from None
    finally:
        loader.dispose()


def load_yaml_documents(text: str, filename: str) -> list[Any]:
    """Parse every document of a multi-document YAML stream."""
    if len(text) > MAX_FILE_BYTES:
        raise _too_big(filename, len(text))
    loader = _Loader(text)
    documents = []
    try:
        while loader.check_data():
            document = loader.get_data()
            if document is not None:
                documents.append(document)
    except yaml.YAMLError as exc:
        raise YamlError(_problem_from_yaml_error(filename, exc)) from None
    finally:
        loader.dispose()
    return documents


def file_stamp(path: Path) -> tuple:
    """A file's path, inode, modification time and size (the path alone when
    it cannot be read): what changes when it is edited (a write by rename is
    a new inode, whatever the clock's grain)."""
    try:
        stat = path.stat()
    except OSError:
        return (str(path),)
    return str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size


def read_text(path: Path, key: str = "(file)") -> str:
    """Read a file as UTF-8, at most MAX_FILE_BYTES of it; raise YamlError
    naming the file when it can't be read or is larger."""
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise YamlError(Problem(str(path), 0, key, "file not found")) from None
    except OSError as exc:
        raise YamlError(Problem(str(path), 0, key, f"cannot read: {exc}")) from None
    if len(data) > MAX_FILE_BYTES:
        raise _too_big(str(path), len(data), key)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(Problem(str(path), 0, key, f"cannot read: {exc}")) from None


def load_yaml_file(path: Path, key: str = "(file)") -> Any:
    return load_yaml_text(read_text(path, key), str(path))

