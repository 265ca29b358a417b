"""clean()'s fast path for printable text returns exactly what the full
escape-and-control stripping returns, on tricky inputs."""

from __future__ import annotations

import random

import pytest

from cockpit import untrusted

TRICKY = [
    "", " ", "  ", "plain title", " leading", "trailing ", "two  spaces", "tab\there", "nl\nhere", "cr\rhere",
    "crlf\r\nhere", "\x1b[31mred\x1b[0m", "\x1b]8;;http://x\x07link\x1b]8;;\x07", "\x9b31mred", "bell\x07",
    "del\x7f", "c1\x85next", "nbsp\u00a0here", "ideographic\u3000space", "line\u2028sep", "para\u2029sep",
    "zero\u200bwidth", "bidi\u202eoverride", "soft\u00adhyphen", "日本語のサービス", "emoji 🔥 fire", "é composé",
    "\x1bP dcs \x1b\\ after", "lone esc \x1b", "vt\x0bff\x0c", "fs\x1cgs\x1d", "en\u2002space", "x" * 300,
    "\ufeffbom", "surrogate \udc80",
]


def full_clean(text: object, *, single_line: bool = False) -> str:
    """The stripping clean() does when the fast path does not apply."""
    s = "" if text is None else str(text)
    s = untrusted._ESCAPES.sub("", s)
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    s = untrusted._CONTROLS.sub("", s)
    s = untrusted._INVISIBLE.sub("", s)
    s = untrusted._SURROGATES.sub("\ufffd", s)
    return " ".join(s.split()) if single_line else s


@pytest.mark.parametrize("single_line", [False, True])
def test_fast_path_matches_the_full_clean(single_line):
    rng = random.Random(7)
    alphabet = [chr(c) for c in range(0, 0x250)] + ["\u2028", "\u3000", "\u200b", "\u202e", "\ufeff", "🔥", "\x1b["]
    randoms = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    for text in TRICKY + randoms + [None, 42]:
        assert untrusted.clean(text, single_line=single_line) == full_clean(text, single_line=single_line), text


def test_fast_path_is_taken_for_printable_text_only(monkeypatch):
    calls = []

    class Spy:
        def __init__(self, pattern):
            self.pattern = pattern

        def sub(self, *args):
            calls.append(args)
            return self.pattern.sub(*args)

    monkeypatch.setattr(untrusted, "_ESCAPES", Spy(untrusted._ESCAPES))
    assert untrusted.clean("synthetic alert 7", single_line=True) == "synthetic alert 7"
    assert calls == []
    assert untrusted.clean("two  spaces", single_line=True) == "two spaces"
    assert untrusted.clean("\x1b[1mbold", single_line=True) == "bold"
    assert len(calls) == 2
