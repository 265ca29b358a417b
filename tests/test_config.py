"""Config resolution, loading and validation: every broken input is a Problem
naming file, line and key path."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import platformdirs
import pytest

import cockpit.config as config_module
from cockpit.clock import fixed_clock, DEMO_TIME
from cockpit.config import (
    BUNDLED_CONFIG,
    ConfigError,
    load_config,
    parse_config,
    resolve_config_path,
    source_context,
)
from cockpit.config_schema import validate_mapping
from cockpit.sources.base import OptionSpec, Source
from cockpit.sources.catalog import CatalogSource
from cockpit.yamlfile import load_yaml_text

FIXTURES = Path(__file__).parent / "fixtures" / "config"


class FakeSlos(Source):
    kind = "fake-slos"
    options = {"slos": OptionSpec(list[str], required=True), "url": OptionSpec(str)}


class BrokenPlugin(Source):
    kind = "broken"


@pytest.fixture
def registry(monkeypatch):
    """Source kinds the config tests rely on, independent of which plugin
    modules exist in this checkout."""
    kinds = {"catalog": CatalogSource, "fake-slos": FakeSlos, "broken": BrokenPlugin}

    def load_kind(kind):
        if kind == "broken":
            raise ImportError("No module named 'cockpit_broken'")
        return kinds[kind]

    monkeypatch.setattr(config_module, "installed_kinds", lambda: dict.fromkeys(kinds))
    monkeypatch.setattr(config_module, "load_kind", load_kind)
    return kinds


def write(tmp_path: Path, text: str, name: str = "cockpit.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path, env=None) -> list[tuple[int, str, str]]:
    _, problems = parse_config(path, env=env or {})
    assert all(p.file == str(path) for p in problems)
    return [(p.line, p.key, p.message) for p in problems]


# --- resolution order ---------------------------------------------------------

def test_resolution_order(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    cwd = tmp_path / "work"
    cwd.mkdir()
    # Nothing anywhere: the bundled default.
    assert resolve_config_path(None, env={}, cwd=cwd) == BUNDLED_CONFIG
    user_file = Path(platformdirs.user_config_dir("cockpit")) / "cockpit.yaml"
    assert user_file.is_relative_to(tmp_path)
    user_file.parent.mkdir(parents=True)
    user_file.write_text("sources: []\n")
    assert resolve_config_path(None, env={}, cwd=cwd) == user_file
    write(cwd, "sources: []\n")
    assert resolve_config_path(None, env={}, cwd=cwd) == cwd / "cockpit.yaml"
    env = {"COCKPIT_CONFIG": str(tmp_path / "from-env.yaml")}
    assert resolve_config_path(None, env=env, cwd=cwd) == tmp_path / "from-env.yaml"
    assert resolve_config_path("cli.yaml", env=env, cwd=cwd) == Path("cli.yaml")


def test_explicit_missing_file_is_a_problem(tmp_path):
    missing = tmp_path / "nope.yaml"
    assert resolve_config_path(str(missing), env={}) == missing
    with pytest.raises(ConfigError) as info:
        load_config(missing, env={})
    [problem] = info.value.problems
    assert (problem.file, problem.line, problem.key) == (str(missing), 0, "(file)")
    assert "not found" in problem.message


# --- the documented shape -------------------------------------------------------

def test_shape_loads_with_defaults(tmp_path, registry):
    path = write(tmp_path, """\
refresh: 45s
read_only: false
sources:
  - {kind: catalog, path: services.yaml}
  - {kind: fake-slos, slos: [slos.yaml], refresh: 2m, timeout: 3s}
  - {kind: catalog, name: legacy, path: /srv/catalog.yaml}
""")
    config = load_config(path, env={"USER": "ada"})
    catalog, slos, legacy = config.sources
    assert [s.name for s in config.sources] == ["catalog", "fake-slos", "legacy"]
    assert catalog.refresh == timedelta(seconds=45) and catalog.timeout == timedelta(seconds=10)
    assert slos.refresh == timedelta(minutes=2) and slos.timeout == timedelta(seconds=3)
    assert dict(slos.options) == {"slos": ["slos.yaml"]}
    assert catalog.path(catalog.options["path"]) == tmp_path.resolve() / "services.yaml"
    assert legacy.path(legacy.options["path"]) == Path("/srv/catalog.yaml")
    assert (catalog.config_file, catalog.line, slos.line) == (str(path), 4, 5)
    assert config.user == "ada"
    assert config.read_only is False
    assert config.data_dir == Path(platformdirs.user_data_dir("cockpit"))
    assert config.postmortems == config.data_dir / "postmortems"  # not beside the config (a checkout)
    assert config.audit_log == config.data_dir / "audit.jsonl"
    assert config.review_every == timedelta(days=7)


def test_top_level_settings(tmp_path, registry):
    path = write(tmp_path, """\
user: grace
data_dir: state
postmortems: /srv/postmortems
review_every: monthly
keymap: {cockpit.quit: ctrl+q, table.filter: ctrl+f}
sources: [{kind: catalog, path: services.yaml}]
""")
    config = load_config(path, env={"USER": "ada"})
    assert config.user == "grace"
    assert config.data_dir == tmp_path.resolve() / "state"
    assert config.audit_log == tmp_path.resolve() / "state" / "audit.jsonl"
    assert config.postmortems == Path("/srv/postmortems")
    assert config.review_every == timedelta(days=30)
    assert dict(config.keymap) == {"cockpit.quit": "ctrl+q", "table.filter": "ctrl+f"}


def test_cli_read_only_wins(tmp_path, registry):
    path = write(tmp_path, "read_only: false\nsources: [{kind: catalog, path: s.yaml}]\n")
    assert load_config(path, env={}).read_only is False
    assert load_config(path, env={}, read_only=True).read_only is True


def test_source_context_carries_settings(tmp_path, registry):
    path = write(tmp_path, "review_every: 14d\nuser: ada\nsources: [{kind: catalog, path: s.yaml}]\n")
    config = load_config(path, env={}, read_only=True)
    context = source_context(config, fixed_clock())
    assert context.clock() == DEMO_TIME
    assert context.user == "ada" and context.data_dir == config.data_dir
    assert context.settings["review_every"] == timedelta(days=14)
    assert context.settings["read_only"] is True


# --- ${VAR} ---------------------------------------------------------------------

def test_env_vars_expand_in_every_string(tmp_path, registry):
    path = write(tmp_path, """\
user: ${OPS_USER}
sources:
  - {kind: fake-slos, url: "https://${PROM_HOST}:9090/", slos: ["${SLO_DIR}/a.yaml", "$${literal}", "cost$$"]}
""")
    config = load_config(path, env={"OPS_USER": "ada", "PROM_HOST": "prom.internal", "SLO_DIR": "/etc/slos"})
    [spec] = config.sources
    assert config.user == "ada"
    assert spec.options["url"] == "https://prom.internal:9090/"
    assert spec.options["slos"] == ["/etc/slos/a.yaml", "${literal}", "cost$$"]


def test_env_var_typed_settings(tmp_path, registry):
    path = write(tmp_path, "read_only: ${RO}\nrefresh: ${EVERY}\nsources: [{kind: catalog, path: s.yaml}]\n")
    config = load_config(path, env={"RO": "true", "EVERY": "2m"})
    assert config.read_only is True and config.refresh == timedelta(minutes=2)


def test_missing_env_var_names_line_and_key(registry):
    path = FIXTURES / "missing-env.yaml"
    found = problems_of(path)
    assert [(line, key) for line, key, _ in found] == [(1, "user"), (3, "sources[0].path")]
    assert "COCKPIT_TEST_USER is not set" in found[0][2]
    assert "COCKPIT_TEST_CATALOG_DIR is not set" in found[1][2]
    config, _ = parse_config(path, env={})
    assert config.sources == ()  # a source with a hole in it is left out


def test_env_values_never_appear_in_problems(tmp_path, registry):
    path = write(tmp_path, "refresh: ${TOKEN}\nread_only: ${TOKEN}\nsources: [{kind: catalog, path: s.yaml}]\n")
    _, problems = parse_config(path, env={"TOKEN": "s3cr3t-value"})
    assert [(p.line, p.key) for p in problems] == [(1, "refresh"), (2, "read_only")]
    assert all("${TOKEN}" in p.message for p in problems)
    assert not any("s3cr3t" in str(p) for p in problems)


# --- broken input ---------------------------------------------------------------

def test_empty_file(registry):
    assert problems_of(FIXTURES / "empty.yaml") == [
        (1, "(file)", "empty config: expected settings such as `sources: [{kind: catalog, path: services.yaml}]`")]


def test_yaml_syntax_error(registry):
    [(line, key, message)] = problems_of(FIXTURES / "syntax-error.yaml")
    assert (line, key) == (4, "(file)") and message.startswith("YAML syntax error")


def test_top_level_not_a_mapping(registry):
    [(line, key, message)] = problems_of(FIXTURES / "not-a-mapping.yaml")
    assert (line, key) == (1, "(file)") and "got a list" in message


def test_missing_sources(registry):
    [(line, key, message)] = problems_of(FIXTURES / "no-sources.yaml")
    assert (line, key) == (1, "sources") and "missing required key" in message


def test_wrong_types(registry):
    found = problems_of(FIXTURES / "wrong-types.yaml")
    assert [(line, key) for line, key, _ in found] == [
        (1, "refresh"), (2, "read_only"), (3, "keymap"), (5, "sources[0].path"),
        (6, "sources[1].timeout"), (7, "sources[2]")]
    messages = [m for _, _, m in found]
    assert messages[0] == "expected a duration (e.g. 30s, 5m, 1h, 7d), got 'often'"
    assert messages[1] == "expected true or false, got 'no'"
    assert messages[3] == "expected a string, got ['services.yaml']"
    assert "expected a mapping like {kind: catalog" in messages[5]


def test_zero_refresh_is_rejected(tmp_path, registry):
    path = write(tmp_path, "sources:\n  - {kind: catalog, path: s.yaml, refresh: 0s}\n")
    assert problems_of(path) == [(2, "sources[0].refresh", "must be longer than 0s")]


def test_unknown_keys(registry):
    found = problems_of(FIXTURES / "unknown-keys.yaml")
    assert [(line, key) for line, key, _ in found] == [(2, "refesh"), (6, "sources[0].colour")]
    assert "accepted: audit_log, data_dir, docs, file_group, keymap" in found[0][2]
    assert found[1][2] == "unknown key (accepted: kind, name, path, refresh, timeout)"


def test_unknown_kind_lists_installed_kinds(registry):
    [(line, key, message)] = problems_of(FIXTURES / "unknown-kind.yaml")
    assert (line, key) == (3, "sources[1].kind")
    assert message == "unknown source kind 'nagios' (installed: broken, catalog, fake-slos)"


def test_missing_required_option_and_kind(registry):
    found = problems_of(FIXTURES / "missing-required.yaml")
    assert [(line, key) for line, key, _ in found] == [(3, "sources[0].path"), (4, "sources[1].kind")]
    assert "installed: broken, catalog, fake-slos" in found[1][2]


def test_duplicate_source_names(registry):
    found = problems_of(FIXTURES / "duplicate-names.yaml")
    assert found == [(3, "sources[1].name", "duplicate source name 'catalog' (also at line 2); "
                                            "give one of them a distinct `name:`")]


def test_plugin_that_fails_to_import_is_a_problem(tmp_path, registry):
    path = write(tmp_path, "sources:\n  - {kind: catalog, path: s.yaml}\n  - {kind: broken}\n")
    config, problems = parse_config(path, env={})
    assert [(p.line, p.key) for p in problems] == [(3, "sources[1].kind")]
    assert "cannot be loaded: ImportError: No module named 'cockpit_broken'" in problems[0].message
    assert [s.name for s in config.sources] == ["catalog"]  # the good source survives for `check`


def test_bad_keymap_entry(tmp_path, registry):
    path = write(tmp_path, "keymap:\n  cockpit.quit: ctrl+q\n  cockpit.help: [f1]\n"
                           "sources: [{kind: catalog, path: s.yaml}]\n")
    [(line, key, message)] = problems_of(path)
    assert (line, key) == (3, "keymap.cockpit.help") and message.startswith("expected binding-id: key")


def test_an_unknown_binding_id_is_refused_with_the_valid_ones(tmp_path, registry):
    """`quit` is not an id (`cockpit.quit` is): the app would ignore it silently."""
    path = write(tmp_path, "keymap:\n  cockpit.quit: ctrl+q\n  quit: ctrl+x\nsources: [{kind: catalog, path: s.yaml}]\n")
    [(line, key, message)] = problems_of(path)
    assert (line, key) == (3, "keymap.quit")
    assert message.startswith("unknown binding id 'quit'; valid ids: adrs.glossary, adrs.service,")
    assert "cockpit.back, cockpit.docs, cockpit.help," in message
    assert "table.filter" in message and "incidents.declare" in message


def test_every_problem_is_reported_at_once(tmp_path, registry):
    path = write(tmp_path, "refresh: soon\nbogus: 1\nsources:\n  - {kind: nope}\n  - {kind: catalog}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    assert [(p.line, p.key) for p in info.value.problems] == [
        (1, "refresh"), (2, "bogus"), (4, "sources[0].kind"), (5, "sources[1].path")]
    assert str(info.value).splitlines()[0] == f"{path}:1: refresh: expected a duration (e.g. 30s, 5m, 1h, 7d), got 'soon'"


# --- the generic option validator ------------------------------------------------

SPECS = {
    "name": OptionSpec(str, required=True, help="who"),
    "count": OptionSpec(int),
    "ratio": OptionSpec(float),
    "tags": OptionSpec(list[str]),
    "every": OptionSpec(timedelta),
    "either": OptionSpec((str, int)),
}


def validate(text: str):
    return validate_mapping(load_yaml_text(text, "f.yaml"), SPECS, file="f.yaml", key="x")


def test_validator_converts_and_keeps_lines():
    values, problems = validate("name: a\ncount: 3\nratio: 1\ntags: [p, q]\nevery: 5m\neither: 7\n")
    assert problems == []
    assert values == {"name": "a", "count": 3, "ratio": 1, "tags": ["p", "q"],
                      "every": timedelta(minutes=5), "either": 7}
    assert values.line_of("every") == 5


def test_validator_reports_types_required_and_unknown():
    _, problems = validate("count: true\nratio: high\ntags: [p, 3]\neither: [1]\nextra: 1\n")
    assert [(p.line, p.key, p.message) for p in problems] == [
        (1, "x.count", "expected a whole number, got True"),
        (2, "x.ratio", "expected a number, got 'high'"),
        (3, "x.tags", "expected a list of strings, got ['p', 3]"),
        (4, "x.either", "expected a string or a whole number, got [1]"),
        (5, "x.extra", "unknown key (accepted: count, either, every, name, ratio, tags)"),
        (1, "x.name", "missing required key (who)"),
    ]
