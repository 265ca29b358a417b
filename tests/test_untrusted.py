"""clean(): what comes out is safe to put on a terminal, whatever went in."""

from __future__ import annotations

import sys
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from cockpit import untrusted
from cockpit.untrusted import clean
from cockpit.ui.widgets.text import literal
from tests.hostile import PIECES, unsafe_characters

# Surrogates too: text from argv or a surrogateescape read may hold them.
hostile_text = st.lists(st.one_of(st.sampled_from([*PIECES, "\ud800", "\udcff"]), st.text(max_size=8)),
                        max_size=12).map("".join)


def test_every_invisible_format_character_is_listed():
    """_INVISIBLE holds exactly Unicode's Cf characters (a new Python with a
    newer Unicode database fails here until the list is brought up to date)."""
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    format_chars = [c for c in every if unicodedata.category(c) == "Cf"]
    assert untrusted._INVISIBLE.findall(every) == format_chars


def test_bidi_overrides_and_zero_width_characters_are_removed():
    # "Trojan source": the terminal would show "admin" reversed around the override.
    assert clean("user\u202enimda\u202c") == "usernimda"
    assert clean("pay\u200bments\u2060\ufeff") == "payments"
    assert clean("👩\u200d💻") == "👩💻"


def test_an_osc_payload_goes_with_it_in_7_and_8_bit_form():
    assert clean("a\x1b]0;title\x07b\x9d0;title\x9cc\x9d52;c;aGk=\x07d\x90q\x9ce") == "abcde"


def test_lone_surrogates_become_the_replacement_character():
    assert clean("bad \udcff byte") == "bad \ufffd byte"
    clean("\ud800x").encode("utf-8")  # writable


def test_unicode_line_separators_are_line_breaks():
    assert clean("a\u2028b\u2029c") == "a\nb\nc"
    assert clean("a\u2028b", single_line=True) == "a b"


@settings(max_examples=300, deadline=None)
@given(hostile_text, st.booleans())
def test_cleaned_text_holds_no_escape_control_or_invisible_character(text, single_line):
    cleaned = clean(text, single_line=single_line)
    assert "\x1b" not in cleaned and unsafe_characters(cleaned) == []
    assert clean(cleaned, single_line=single_line) == cleaned  # nothing left to clean
    if single_line:
        assert "\n" not in cleaned and "\t" not in cleaned
    cleaned.encode("utf-8")


@settings(max_examples=150, deadline=None)
@given(hostile_text)
def test_literal_never_reads_markup(text):
    shown = literal(text, "bold")
    assert shown.plain == clean(text, single_line=True)
    assert [span.style for span in shown.spans] == []  # no style or @click action came from the text
