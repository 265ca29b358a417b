"""Label-matcher regexes run as Alertmanager runs them: RE2 (Go's regexp),
``^(?:value)$``, in linear time whatever the pattern or the label."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from cockpit.alerts import Matcher, MatcherError, parse_matchers


def test_nested_quantifiers_against_a_long_label_return_at_once():
    [matcher] = parse_matchers('redos=~"(a+)+$"')
    label = "a" * 100_000 + "!"
    start = time.perf_counter()
    assert not matcher.matches({"redos": label})
    assert matcher.matches({"redos": "a" * 100_000})
    # Python's backtracking re takes over 40 s on 30 characters of this; RE2 is linear.
    assert time.perf_counter() - start < 1.0


def test_a_silence_from_a_hostile_alertmanager_cannot_stall_matching():
    matcher = Matcher.from_api({"name": "x", "value": "(x+x+)+y", "isRegex": True, "isEqual": True})
    start = time.perf_counter()
    assert not matcher.matches({"x": "x" * 50_000})
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("value, label, expected", [
    ("x", "x\n", False),        # Go's $ is the end of the text (Python's re also matches before a final \n)
    ("x)|(y", "xz", True),       # the pattern is pasted into ^(?:...)$ as Alertmanager does: ^(?:x) | (y)$
    ("x)|(y", "zy", True),
    ("x)|(y", "zz", False),
    (r"\d+", "١٢", False),       # \d is ASCII in RE2 and Go, Unicode digits in Python
    (r"\pL+", "日本", True),
    ("(?i)API.*", "api-server", True),
    ("a.c", "a\nc", False),
    ("(?s)a.c", "a\nc", True),
])
def test_semantics_are_go_regexp(value, label, expected):
    assert Matcher.make("l", "=~", value).matches({"l": label}) is expected
    assert Matcher.make("l", "!~", value).matches({"l": label}) is not expected


@pytest.mark.parametrize("value, reason", [
    ("(?=x)", "invalid perl operator"),   # lookaround: Python has it, RE2 and Go do not
    (r"(a)\1", "invalid escape sequence"),  # backreferences neither
    ("[", "missing ]"),
    ("a{1001}", "invalid repetition size"),
])
def test_what_go_refuses_is_refused_with_re2s_reason(value, reason):
    with pytest.raises(MatcherError, match=f"invalid regex.*{reason}"):
        parse_matchers(f'l=~"{value}"')


def test_a_lone_surrogate_in_a_label_matches_as_the_replacement_character():
    assert Matcher.make("l", "=~", "x.").matches({"l": "x\udc80"})
    assert Matcher.make("l", "=~", "x\ufffd").matches({"l": "x\udc80"})


def test_answers_are_remembered_per_value_and_stay_right():
    matcher = Matcher.make("service", "=~", "pay.*")
    for _ in range(3):
        assert matcher.matches({"service": "payments"}) and not matcher.matches({"service": "api"})
    # Past the memo's size the memo starts over rather than growing.
    for n in range(25_000):
        assert matcher.matches({"service": f"pay{n}"})
    assert not matcher.matches({"service": "api"})


def test_a_bad_regex_prints_nothing_to_the_terminal():
    # RE2 logs parse errors to stderr by default: the terminal the UI draws on.
    code = "from cockpit.alerts import parse_matchers, MatcherError\n" \
           "try:\n    parse_matchers('l=~\"(?=x\"')\nexcept MatcherError as e:\n    print(e)\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "invalid regex" in done.stdout
    assert done.stderr == ""
