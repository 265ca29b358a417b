"""The shape of a backend's JSON reply, checked before it is used: a proxy,
a wrong URL or a broken server can answer valid JSON of any shape, and code
reading it as the API promises then fails somewhere deep with an
AttributeError. One wrong field is one clear source error instead:
"unexpected reply from PagerDuty /incidents: incidents is a string,
expected a list". Pure: no HTTP.
"""

from __future__ import annotations

from typing import Any

from cockpit.sources.base import SourceError

_NAMES = ((bool, "true/false"), (dict, "an object"), (list, "a list"), (str, "a string"),
          (int, "a number"), (float, "a number"))


class UnexpectedReply(SourceError):
    """The reply is JSON, but not of the shape the API promises."""


def shape_of(value: Any) -> str:
    """What a decoded JSON value is, in words."""
    for kind, name in _NAMES:
        if isinstance(value, kind):
            return name
    return "null" if value is None else type(value).__name__


def expect(value: Any, kind: type | tuple[type, ...], field: str, origin: str) -> Any:
    """``value`` (the reply's ``field``, e.g. "data.result") if it is a
    ``kind`` (dict, list, str ...), else UnexpectedReply naming ``origin``
    (who sent it: an instance, a source and path)."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, kinds) and (bool in kinds or not isinstance(value, bool)):  # JSON true is no number
        return value
    wanted = " or ".join(dict.fromkeys(name for k in kinds for t, name in _NAMES if t is k)) or "something else"
    raise UnexpectedReply(f"unexpected reply from {origin}: {field} is {shape_of(value)}, expected {wanted}")


def field_of(data: Any, path: str, kind: type | tuple[type, ...], origin: str) -> Any:
    """The value at dotted ``path`` in ``data`` (objects all the way down),
    checked to be a ``kind``; a missing or misshapen step is UnexpectedReply."""
    value, walked = data, []
    for step in path.split("."):
        expect(value, dict, ".".join(walked) or "the reply", origin)
        if step not in value:
            raise UnexpectedReply(f"unexpected reply from {origin}: {'.'.join([*walked, step])} is missing")
        value = value[step]
        walked.append(step)
    return expect(value, kind, path, origin)


def each(items: list, kind: type, field: str, origin: str) -> list:
    """Every item of the list ``field`` checked to be a ``kind``."""
    for index, item in enumerate(items):
        expect(item, kind, f"{field}[{index}]", origin)
    return items
