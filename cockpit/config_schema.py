"""The generic half of reading a YAML settings file: ${VAR} expansion and the
small option validator. The config loader uses both; sources reuse them for
their own files (the catalog's services.yaml). Problems name file, line and key.
"""

from __future__ import annotations

import re
import typing
from datetime import date, datetime, timedelta
from typing import Any, Mapping
from urllib.parse import urlsplit

from cockpit.durations import DurationTooLong, parse_duration
from cockpit.problems import Problem
from cockpit.sources.base import OptionSpec
from cockpit.untrusted import clean
from cockpit.yamlfile import LineDict, YamlError, join_key, line_of, load_yaml_text


# --- ${VAR} expansion ---------------------------------------------------------

class EnvStr(str):
    """A string that came (partly) from the environment: messages name the
    variables instead of echoing the value, which may be a secret."""

    variables: tuple[str, ...] = ()


_VAR = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def expand_env(data: Any, env: Mapping[str, str], file: str, prefix: str = "") -> list[Problem]:
    """Replace ${VAR} in every string value, in place (line numbers stay);
    "$${" writes a literal "${". Returns a problem per missing variable."""
    problems: list[Problem] = []
    if isinstance(data, (dict, list)):
        items = list(data.items()) if isinstance(data, dict) else list(enumerate(data))
        for key, value in items:
            path = join_key(prefix, key)
            if isinstance(value, str) and "$" in value:
                data[key] = _expand_string(value, env, file, line_of(data, key), path, problems)
            else:
                problems += expand_env(value, env, file, path)
    return problems


def _expand_string(text: str, env: Mapping[str, str], file: str, line: int, key: str,
                   problems: list[Problem]) -> str:
    used: list[str] = []

    def substitute(match: re.Match) -> str:
        if match.group(0) == "$${":
            return "${"
        name = match.group(1)
        if not _VAR_NAME.match(name):
            problems.append(Problem(file, line, key, f"${{{clean(name)}}} is not a valid variable name"))
            return ""
        if name not in env:
            problems.append(Problem(file, line, key, f"environment variable {name} is not set"))
            return ""
        used.append(name)
        return env[name]

    result = _VAR.sub(substitute, text)
    if not used:
        return result
    marked = EnvStr(result)
    marked.variables = tuple(used)
    return marked


_USERINFO = re.compile(r"(?<=://)[^/@\s]*@")


def show(value: Any) -> str:
    """A value for an error message: never the value of an env variable,
    nor the user:password@ of a URL."""
    if isinstance(value, EnvStr):
        return "the value of " + ", ".join(f"${{{v}}}" for v in value.variables)
    text = _USERINFO.sub("***@", clean(repr(value), single_line=True))
    return text if len(text) <= 60 else text[:57] + "..."


# --- URLs -----------------------------------------------------------------------

_HOST_PORT = re.compile(r'(\[[0-9A-Fa-f:.]+\]|[^\[\]<>"{}|\\^`:]+)(:\d*)?\Z')


class HttpUrl(str):
    """Option type: an http:// or https:// URL with a host and a usable port."""


def url_problem(text: str) -> str | None:
    """Why ``text`` is not a URL a source can call, None when it is. Never
    repeats the text: it may come from a ${VAR} and hold a password."""
    text = text.strip()
    try:
        parts = urlsplit(text)
    except ValueError:  # brackets of an IPv6 address
        return "an IPv6 address needs its closing ']'" if "[" in text else "not a valid URL"
    if not parts.scheme or "://" not in text:
        return "it does not start with http:// or https://"
    if parts.scheme not in ("http", "https"):
        return "the scheme must be http or https"
    if not parts.hostname:
        return "no host"
    try:
        port = parts.port  # parsed on access
    except ValueError:
        port = 0
    if port == 0:
        return "the port must be a number from 1 to 65535"
    if any(c.isspace() or ord(c) < 32 for c in text):
        return "a URL cannot hold spaces or control characters"
    if not _HOST_PORT.match(parts.netloc.rpartition("@")[2]):
        return "not a valid host name"
    return None


# --- sizes ---------------------------------------------------------------------

class ByteSize(int):
    """Option type: a positive number of bytes, as a whole number or with a
    unit (512KiB, 16MiB, 1GiB; KB, MB and GB are powers of 1000)."""


_SIZE = re.compile(r"\s*(\d+)\s*([KMG]i?B|B)?\s*\Z", re.I)
_UNITS = {"b": 1, "kb": 1000, "mb": 1000 ** 2, "gb": 1000 ** 3, "kib": 1024, "mib": 1024 ** 2, "gib": 1024 ** 3}


def parse_size(value: Any) -> int | None:
    """A ByteSize option's bytes; None when it is not a positive size."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    match = _SIZE.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    size = int(match.group(1)) * _UNITS[(match.group(2) or "b").lower()]
    return size if size > 0 else None


def format_size(size: int) -> str:
    """16 MiB, 512 KiB, 1000 bytes: what a ByteSize option says, for messages."""
    for unit, factor in (("GiB", 1024 ** 3), ("MiB", 1024 ** 2), ("KiB", 1024)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} bytes"


# --- the option validator ---------------------------------------------------

_TYPE_NAMES = {date: "a date written YYYY-MM-DD", str: "a string", int: "a whole number", float: "a number", bool: "true or false",
               list: "a list", dict: "a mapping", timedelta: "a duration (e.g. 30s, 5m, 1h, 7d)",
               HttpUrl: "an http:// or https:// URL", ByteSize: "a size above 0 (e.g. 16MiB, 512KiB, 1048576)"}


def _type_name(expected: Any) -> str:
    if isinstance(expected, tuple):
        return " or ".join(_type_name(t) for t in expected)
    if typing.get_origin(expected) is list:
        return f"a list of {_type_name(typing.get_args(expected)[0]).removeprefix('a ')}s"
    return _TYPE_NAMES.get(expected, getattr(expected, "__name__", str(expected)))


def _coerce(value: Any, expected: Any) -> tuple[bool, Any]:
    """(ok, converted value) for one expected type."""
    if isinstance(expected, tuple):
        for option in expected:
            ok, converted = _coerce(value, option)
            if ok:
                return True, converted
        return False, value
    if isinstance(value, EnvStr) and expected in (bool, int, float):
        try:  # "${READ_ONLY}" may say "true"
            value = load_yaml_text(str(value), "(environment)")
        except YamlError:
            return False, value
    if typing.get_origin(expected) is list:
        item_type = typing.get_args(expected)[0]
        return isinstance(value, list) and all(_coerce(v, item_type)[0] for v in value), value
    if expected is timedelta:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            try:
                return True, parse_duration(value)
            except ValueError:
                return False, value
        return False, value
    if expected is date:
        return _as_date(value)
    if expected is HttpUrl:
        return isinstance(value, str) and url_problem(value) is None, value
    if expected is ByteSize:
        size = parse_size(value)
        return size is not None, ByteSize(size) if size is not None else value
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool), value
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool), value
    return isinstance(value, expected), value


def _as_date(value: Any) -> tuple[bool, Any]:
    """YAML reads 2026-09-01 as a date; a quoted one is a string, a timestamp a datetime."""
    if isinstance(value, datetime):
        return True, value.date()
    if isinstance(value, date):
        return True, value
    if isinstance(value, str):
        try:
            return True, date.fromisoformat(value.strip())
        except ValueError:
            pass
    return False, value


def _reason(value: Any, expected: Any) -> str:
    """What is wrong with a value of the right shape, without repeating it."""
    if expected is HttpUrl and isinstance(value, str):
        return url_problem(value) or ""
    if expected is timedelta and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        try:
            parse_duration(value)
        except DurationTooLong as exc:
            return str(exc)
        except ValueError:
            pass
    return ""


def validate_mapping(raw: Mapping, specs: Mapping[str, OptionSpec], *, file: str, key: str = "",
                     ignore: frozenset[str] = frozenset()) -> tuple[LineDict, list[Problem]]:
    """Check ``raw`` against ``specs``: unknown keys, missing required keys,
    wrong types. Returns the valid values (durations parsed to timedelta,
    line numbers kept) and every problem. Keys in ``ignore`` are skipped."""
    values, problems = LineDict(), []
    values.line, values.key_lines = getattr(raw, "line", 0), {}
    for name, value in raw.items():
        if name in ignore:
            continue
        line = line_of(raw, name)
        path = join_key(key, clean(name, single_line=True))
        spec = specs.get(name) if isinstance(name, str) else None
        if spec is None:
            accepted = ", ".join(sorted(set(specs) - ignore)) or "none"
            problems.append(Problem(file, line, path, f"unknown key (accepted: {accepted})"))
            continue
        ok, converted = _coerce(value, spec.type)
        if not ok:
            reason = _reason(value, spec.type)
            problems.append(Problem(file, line, path, f"expected {_type_name(spec.type)}, got {show(value)}"
                                                      + (f" ({reason})" if reason else "")))
            continue
        values[name] = converted
        values.key_lines[name] = line
    for name, spec in specs.items():
        if spec.required and name not in raw and name not in ignore:
            hint = f" ({spec.help})" if spec.help else ""
            problems.append(Problem(file, getattr(raw, "line", 0), join_key(key, name),
                                    f"missing required key{hint}"))
    return values, problems
