"""Known secrets and their redaction from anything the cockpit shows or writes.

Tokens, passwords and credential headers are registered when the config is
read (and by sources that read token files). :func:`redact` then removes
every registered value from a message, in whatever form a backend might echo
it: bare, base64 (HTTP Basic), URL- or JSON-escaped, and cut at any length
(a run of at least ``MIN_FRAGMENT`` characters of one, or a cut of at least
``MIN_EDGE`` at either end of the text). Redact before cutting a message to
length: a cut can split a secret into pieces no longer recognisable.

The registry is process-wide on purpose: whichever part of the process
produces a message, no secret the process holds may appear in it.
No Textual or HTTP import.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from urllib.parse import quote, unquote, urlsplit

MASK = "[redacted]"
MIN_SECRET = 4  # shorter values can't be told from ordinary text
MIN_FRAGMENT = 6  # a run this long of a secret's characters anywhere in a message is redacted
MIN_EDGE = 4  # a message that starts or ends in this much of a secret was cut through it

_lock = threading.Lock()
_forms: set[str] = set()  # every registered secret in every form it may be echoed in
_grams: dict[str, set[str]] = {}  # MIN_FRAGMENT-long pieces -> the forms holding them


def add(value: object) -> None:
    """Register ``value`` (a token, a password, a header value) as secret."""
    if not isinstance(value, str) or len(value.strip()) < MIN_SECRET:
        return
    value = value.strip()
    forms = set(_encodings(value))
    scheme, _, credential = value.partition(" ")
    if credential and scheme.isalpha():  # "Bearer abc", "Token token=abc", "Basic dXNlcjpwYXNz"
        forms |= set(_encodings(credential.strip()))
        _, equals, after = credential.partition("=")
        if equals and len(after) >= MIN_SECRET:
            forms |= set(_encodings(after))
        if scheme.lower() == "basic":
            forms |= _basic_forms(credential.strip())
    with _lock:
        for form in forms - _forms:
            if len(form) < MIN_SECRET:
                continue
            _forms.add(form)
            for i in range(len(form) - MIN_FRAGMENT + 1):
                _grams.setdefault(form[i:i + MIN_FRAGMENT], set()).add(form)


def add_url(url: object) -> None:
    """Register the credentials in a ``user:password@`` URL."""
    if not isinstance(url, str) or "@" not in url:
        return
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return
    if parts.password:
        add(unquote(parts.password))
        add(f"{unquote(parts.username or '')}:{unquote(parts.password)}")


# Option names whose values are credentials, and headers whose values are not.
SECRET_OPTION = re.compile(r"token|password|passwd|secret|api_?key|credential|authorization", re.I)
PLAIN_HEADERS = frozenset({"accept", "accept-encoding", "connection", "content-length", "content-type",
                           "host", "user-agent", "from"})


def add_from_options(options: object, key: str = "") -> None:
    """Register the credentials among a source's config options: values of
    secret-named options, of header options (other than harmless ones),
    and of URLs with userinfo, however deeply nested."""
    if isinstance(options, dict):
        for name, value in options.items():
            if key.lower() == "headers" and str(name).lower() not in PLAIN_HEADERS:
                add(value)
            add_from_options(value, str(name))
    elif isinstance(options, (list, tuple)):
        for value in options:
            add_from_options(value, key)
    elif isinstance(options, str):
        if SECRET_OPTION.search(key):
            add(options)
        if "://" in options:
            add_url(options)


def forget_all() -> None:
    """Tests only: start from an empty registry."""
    with _lock:
        _forms.clear()
        _grams.clear()


def redact(text: str) -> str:
    """``text`` with every registered secret (in any form, whole or cut) masked."""
    if not _forms or not text:
        return text
    with _lock:
        forms, grams = sorted(_forms, key=len, reverse=True), dict(_grams)
    spans = [(m.start(), m.end()) for form in forms for m in re.finditer(re.escape(form), text)]
    spans += _fragments(text, grams)
    spans += _edges(text, forms)
    return _mask(text, spans)


def redact_url(url: str) -> str:
    """``url`` with its userinfo removed (it may hold a password)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact(url)
    if parts.username is None and parts.password is None:
        return redact(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return redact(parts._replace(netloc=f"{MASK}@{host}").geturl())


def _encodings(value: str) -> list[str]:
    raw = value.encode("utf-8")
    b64 = base64.b64encode(raw).decode("ascii")
    return [value, b64, b64.rstrip("="), base64.urlsafe_b64encode(raw).decode("ascii").rstrip("="),
            quote(value, safe=""), json.dumps(value)[1:-1]]


def _basic_forms(credential: str) -> set[str]:
    try:
        decoded = base64.b64decode(credential, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return set()
    user, _, password = decoded.partition(":")
    found = set(_encodings(decoded))
    if len(password) >= MIN_SECRET:
        found |= set(_encodings(password))
    return found


def _fragments(text: str, grams: dict[str, set[str]]) -> list[tuple[int, int]]:
    """Runs of at least MIN_FRAGMENT characters that occur inside a secret."""
    spans, i, n = [], 0, len(text)
    while i <= n - MIN_FRAGMENT:
        holders = grams.get(text[i:i + MIN_FRAGMENT])
        if not holders:
            i += 1
            continue
        end = i + MIN_FRAGMENT
        while end < n and any(text[i:end + 1] in form for form in holders):
            end += 1
        spans.append((i, end))
        i = end
    return spans


def _edges(text: str, forms: list[str]) -> list[tuple[int, int]]:
    """A message cut through a secret: it ends in the secret's start or
    starts with its end."""
    spans = []
    for form in forms:
        for size in range(min(len(form), len(text)) - 1, MIN_EDGE - 1, -1):
            if text.endswith(form[:size]):
                spans.append((len(text) - size, len(text)))
                break
        for size in range(min(len(form), len(text)) - 1, MIN_EDGE - 1, -1):
            if text.startswith(form[-size:]):
                spans.append((0, size))
                break
    return spans


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        out += [text[at:start], MASK]
        at = end
    out.append(text[at:])
    return "".join(out)
