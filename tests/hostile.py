"""Hostile strings for the hostile-text tests: what a source may hand the
cockpit (markup, terminal escapes, controls, bidi and zero-width
characters, huge and wide text), and what must never reach a terminal."""

from __future__ import annotations

import unicodedata

from hypothesis import strategies as st

PIECES = [
    "[/]", "[link=https://evil.example]x[/link]", "[@click=app.quit]quit[/]", "[bold red]", "$accent", "\\",
    "\x1b]0;OWNED-TITLE\x07", "\x1b]52;c;T1dORUQ=\x07", "\x1b]8;;https://evil.example\x1b\\x\x1b]8;;\x1b\\",
    "\x1b[2J", "\x1b[?1049l", "\x1bc", "\x1b[31m", "\x9b2J", "\x9d0;OWNED\x9c", "\x00", "\r", "\x08", "\x7f",
    "\x85", "\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\u00ad", "\U000e0041", "\u2028",
    "日本語", "🔥", "é", "x" * 5000,
]

# Text a file can hold (UTF-8: no lone surrogates).
hostile_text = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(st.characters(exclude_categories=("Cs",)), max_size=6)),
    min_size=1, max_size=6,
).map("".join)


def unsafe_characters(text: str) -> list[str]:
    """Characters that must never reach a terminal from data: controls other
    than tab and newline, invisible format characters (bidi, zero-width),
    lone surrogates and Unicode line separators."""
    return [c for c in text if (c not in "\t\n" and unicodedata.category(c) in ("Cc", "Cf", "Cs"))
            or c in "\u2028\u2029"]
