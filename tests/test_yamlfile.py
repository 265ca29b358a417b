"""The one YAML loader's limits: every hostile shape is a Problem naming file,
line and key path, found fast, and nothing legitimate is refused."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import cockpit.yamlfile as yamlfile
from cockpit.frontmatter import parse_front_matter
from cockpit.yamlfile import (MAX_FILE_BYTES, YamlError, load_yaml_documents, load_yaml_file, load_yaml_text,
                              read_text, yaml_shape)

HOSTILE = Path(__file__).parent / "fixtures" / "config" / "hostile"


def refused(text: str, loader=load_yaml_text) -> str:
    with pytest.raises(YamlError) as caught:
        loader(text, "f.yaml")
    return str(caught.value.problem)


def bomb(levels: int = 9, width: int = 9) -> str:
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_an_anchor_bomb_is_refused_at_the_alias_that_crosses_the_budget_and_at_once():
    started = time.process_time()
    message = refused(bomb())
    assert time.process_time() - started < 0.5
    # a0..a4 expand to 9^5 strings; the first alias of a5 goes over 100,000.
    assert message == "f.yaml:6: a5[0]: aliases expand to more than 100,000 nodes (an anchor bomb?); refusing to read on"


def test_a_merge_key_bomb_is_refused_too():
    text = "m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}\n" + "".join(
        f"m{i}: &m{i} {{{', '.join(f'k{j}: *m{i - 1}' for j in range(8))}, <<: *m{i - 1}}}\n" for i in range(1, 9))
    assert "aliases expand to more than 100,000 nodes" in refused(text)


def test_the_budget_is_per_file_not_per_document():
    document = "a: &a [" + ", ".join(["x"] * 1000) + "]\nb: [" + ", ".join(["*a"] * 30) + "]\n"
    assert load_yaml_documents("---\n".join([document] * 3), "f.yaml")  # 90,000 aliased values: fine
    assert "anchor bomb" in refused("---\n".join([document] * 4), load_yaml_documents)


def test_aliases_and_merges_that_people_write_still_load():
    text = ("defaults: &defaults {owner: backend-team, on_call: true}\n"
            "services:\n  api: {<<: *defaults, tier: gold}\n  auth:\n    <<: *defaults\n    owner: identity-team\n"
            "steps: &steps ['@oncall', '@lead']\nother: *steps\n")
    data = load_yaml_text(text, "f.yaml")
    assert data["services"]["api"] == {"owner": "backend-team", "on_call": True, "tier": "gold"}
    assert data["services"]["auth"]["owner"] == "identity-team"  # a key of its own beats a merged one
    assert data["other"] == ["@oncall", "@lead"]


def test_an_alias_inside_its_own_anchor_is_refused():
    assert refused("a: &x [1, *x]\n") == "f.yaml:1: a[1]: alias *x is used inside its own anchor"
    assert refused("a: &x {b: *x}\n") == "f.yaml:1: a.b: alias *x is used inside its own anchor"


@pytest.mark.parametrize("opening, closing", [("[", "]"), ("{x: ", "}"), ("- ", "")])
def test_nesting_deeper_than_100_levels_is_refused_not_a_recursion_error(opening, closing):
    if opening == "- ":
        text = "".join("  " * i + "-\n" for i in range(400))
    else:
        text = "a: " + opening * 400 + "1" + closing * 400 + "\n"
    message = refused(text)
    assert "nested deeper than 100 levels" in message and "RecursionError" not in message


def test_100_levels_load():
    assert load_yaml_text("[" * 99 + "]" * 99, "f.yaml") is not None


def test_a_duplicate_key_is_refused_naming_both_lines_and_the_key_path():
    text = "sources:\n  - kind: catalog\n    path: a.yaml\n    path: b.yaml\n"
    assert refused(text) == ("f.yaml:4: sources[0].path: duplicate key: also at line 3; "
                             "YAML would keep only the last one")
    assert "f.yaml:3: b: duplicate key: also at line 1" in refused("b: 1\nc: 2\nb: 3\n")


def test_front_matter_lines_are_file_lines_for_limit_errors_too(tmp_path):
    front = parse_front_matter("---\ntitle: a\ntitle: b\n---\nbody\n", "rb.md")
    assert [str(p) for p in front.problems] == [
        "rb.md:3: title: duplicate key: also at line 2; YAML would keep only the last one"]


def test_front_matter_bomb_is_a_problem_for_that_file():
    front = parse_front_matter("---\n" + bomb() + "---\n# Title\n", "rb.md")
    assert [p.line for p in front.problems] == [7] and "anchor bomb" in front.problems[0].message
    assert front.present and front.body == "# Title\n" and dict(front.data) == {}


def test_aliased_objects_carry_file_lines():
    front = parse_front_matter("---\na: &x [1, 2]\nb: *x\n---\n", "rb.md")
    assert front.data["b"].line == 2 and front.data["b"].item_lines == [2, 2]


@pytest.mark.parametrize("text, message", [
    ("a: 2026-13-45\n", "f.yaml:1: a: '2026-13-45' is not a valid date (month must be in 1..12)"),
    ("a: 1" + "0" * 5000 + "\n", "is not a valid number"),
    ("a: !!bool maybe\n", "f.yaml:1: a: 'maybe' is not a valid true/false"),
    ("a: !!timestamp soon\n", "f.yaml:1: a: 'soon' is not a valid date"),
    ("a: !!float lots\n", "f.yaml:1: a: 'lots' is not a valid number"),
    ("a: [!!int x]\n", "f.yaml:1: a[0]: 'x' is not a valid number"),
])
def test_a_scalar_python_cannot_build_is_a_problem_not_a_traceback(text, message):
    assert message in refused(text)


def test_more_values_than_the_cap_are_refused(monkeypatch):
    monkeypatch.setattr(yamlfile, "MAX_NODES", 1000)
    assert "more than 1,000 values" in refused("a: [" + ", ".join(["1"] * 1000) + "]\n")
    assert load_yaml_text("a: [" + ", ".join(["1"] * 900) + "]\n", "f.yaml")


def test_a_file_over_the_size_cap_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("a: 1\n" + "#" * MAX_FILE_BYTES + "\n")
    with pytest.raises(YamlError) as caught:
        load_yaml_file(path)
    assert str(caught.value.problem) == (f"{path}:1: (file): larger than 1 MiB ({MAX_FILE_BYTES + 1:,} bytes or more); "
                                         "refusing to read it")
    assert "larger than 1 MiB" in refused("#" * (MAX_FILE_BYTES + 1))


def test_read_text_names_unreadable_files(tmp_path):
    (tmp_path / "latin1.yaml").write_bytes(b"a: \xe9\n")
    with pytest.raises(YamlError, match="cannot read"):
        read_text(tmp_path / "latin1.yaml")
    with pytest.raises(YamlError, match="file not found"):
        read_text(tmp_path / "missing.yaml")


@pytest.mark.parametrize("value, shape", [
    ([1], "a list"), ({}, "a mapping"), ("x", "a string"), (3, "a number"), (2.5, "a number"),
    (True, "true/false"), (None, "nothing"),
])
def test_shapes_are_named_in_the_words_of_the_file(value, shape):
    assert yaml_shape(value) == shape


def test_the_committed_bomb_fixtures_are_small_and_refused():
    for name in ("bomb-catalog.yaml", "bomb-slo.yaml"):
        path = HOSTILE / name
        assert path.stat().st_size < 600
        with pytest.raises(YamlError, match="anchor bomb"):
            load_yaml_documents(read_text(path), str(path))
