"""`cockpit check`: every problem as FILE:LINE: key: message, exit 2; a
summary and exit 0 when clean; never a traceback."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import cockpit.commands.check as check_module
import cockpit.config as config_module
from cockpit.commands.check import check_config, run_check
from cockpit.config import BUNDLED_CONFIG
from cockpit.problems import ServiceRef
from cockpit.sources.base import CheckResult, Source
from cockpit.sources.catalog import CatalogSource

FIXTURES = Path(__file__).parent / "fixtures" / "config"
PROBLEM_LINE = re.compile(r"^\S.*:\d+: \S+: .+$")


class SloFiles(Source):
    """Stands in for an SLO source whose files name services."""

    kind = "slo-files"

    @classmethod
    def check(cls, spec):
        return CheckResult(refers=[ServiceRef("api-server", "slos.yaml", 4, "slos[0].service", "SLO"),
                                   ServiceRef("ghost", "slos.yaml", 9, "slos[1].service", "SLO")])


class Crashing(Source):
    kind = "crashing"

    @classmethod
    def check(cls, spec):
        raise RuntimeError("plugin bug")


class WrongResult(Source):
    kind = "wrong-result"

    @classmethod
    def check(cls, spec):
        return ["not", "a", "CheckResult"]


@pytest.fixture
def registry(monkeypatch):
    kinds = {"catalog": CatalogSource, "slo-files": SloFiles, "crashing": Crashing, "wrong-result": WrongResult}
    monkeypatch.setattr(config_module, "installed_kinds", lambda: dict.fromkeys(kinds))
    monkeypatch.setattr(config_module, "load_kind", kinds.__getitem__)
    monkeypatch.setattr(check_module, "load_kind", kinds.__getitem__)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


CATALOG = """\
services:
  api-server:
    owner: backend-team
    depends_on: [auth-service, billing]
  auth-service:
    owner: backend-team
"""


def test_unknown_services_are_reported_where_they_are_named(tmp_path, registry):
    write(tmp_path, "services.yaml", CATALOG)
    config = write(tmp_path, "cockpit.yaml", "sources:\n  - {kind: catalog, path: services.yaml}\n"
                                             "  - {kind: slo-files}\n")
    problems = check_config(config, env={}).problems
    assert [str(p) for p in problems] == [
        f"{tmp_path.resolve() / 'services.yaml'}:4: services.api-server.depends_on[1]: depends_on: unknown service 'billing'",
    ]


def test_an_slo_of_a_service_the_catalog_lacks_is_a_note_not_a_problem(tmp_path, registry, capsys):
    """It is listed as unowned (as alerts are), so check passes and names it."""
    write(tmp_path, "services.yaml", CATALOG.replace("billing", "auth-service"))
    config = write(tmp_path, "cockpit.yaml", "sources:\n  - {kind: catalog, path: services.yaml}\n"
                                             "  - {kind: slo-files}\n")
    assert check_config(config, env={}).problems == []
    assert run_check(str(config)) == 0
    out, _ = capsys.readouterr()
    assert out.splitlines() == [
        "slos.yaml:9: slos[1].service: note: SLO of service 'ghost', not in the catalog: listed as unowned",
        f"{config}: OK (2 sources, 2 services, 4 references, 1 unowned SLO)"]


def test_references_are_not_checked_without_a_catalog(tmp_path, registry):
    config = write(tmp_path, "cockpit.yaml", "sources: [{kind: slo-files}]\n")
    assert check_config(config, env={}).problems == []


def test_a_broken_catalog_does_not_bury_its_error_under_echoes(tmp_path, registry):
    write(tmp_path, "services.yaml", "services:\n  api-server: {owner: x\n")
    config = write(tmp_path, "cockpit.yaml", "sources: [{kind: catalog, path: services.yaml}, {kind: slo-files}]\n")
    [problem] = check_config(config, env={}).problems
    assert problem.key == "(file)" and problem.message.startswith("YAML syntax error")


def test_config_problems_come_first_and_good_sources_are_still_checked(tmp_path, registry):
    write(tmp_path, "services.yaml", CATALOG)
    config = write(tmp_path, "cockpit.yaml", "refresh: never\nsources:\n  - {kind: catalog, path: services.yaml}\n")
    problems = check_config(config, env={}).problems
    assert [(Path(p.file).name, p.line, p.key) for p in problems] == [
        ("cockpit.yaml", 1, "refresh"), ("services.yaml", 4, "services.api-server.depends_on[1]")]


@pytest.mark.parametrize("kind, message", [
    ("crashing", "crashing check failed: RuntimeError: plugin bug"),
    ("wrong-result", "wrong-result check failed: TypeError: check() returned list, not a CheckResult"),
])
def test_a_plugin_check_that_fails_becomes_a_problem(tmp_path, registry, kind, message):
    config = write(tmp_path, "cockpit.yaml", f"sources:\n  - {{kind: {kind}, name: flaky}}\n")
    [problem] = check_config(config, env={}).problems
    assert (problem.file, problem.line, problem.key, problem.message) == (str(config), 2, "sources.flaky", message)


def test_run_check_prints_problems_and_exits_2(tmp_path, registry, capsys):
    write(tmp_path, "services.yaml", CATALOG)
    config = write(tmp_path, "cockpit.yaml", "sources: [{kind: catalog, path: services.yaml}]\n")
    assert run_check(str(config)) == 2
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"{tmp_path.resolve() / 'services.yaml'}:4: services.api-server.depends_on[1]: depends_on: unknown service 'billing'"]
    assert err.strip() == f"1 problem in {config}"


def test_run_check_summary_when_clean(tmp_path, registry, capsys):
    config = write(tmp_path, "cockpit.yaml", "sources: [{kind: catalog, path: services.yaml}, {kind: slo-files}]\n")
    write(tmp_path, "services.yaml", CATALOG.replace("billing", "auth-service") + "  ghost: {owner: x}\n")
    assert run_check(str(config)) == 0
    out, _ = capsys.readouterr()
    assert out == f"{config}: OK (2 sources, 3 services, 4 references)\n"


def test_run_check_never_shows_a_traceback(tmp_path, monkeypatch, capsys):
    def explode(*args, **kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(check_module, "parse_config", explode)
    assert run_check(str(tmp_path / "cockpit.yaml")) == 2
    out, _ = capsys.readouterr()
    assert out == f"{tmp_path / 'cockpit.yaml'}:0: (check): internal error: RuntimeError: unexpected\n"


def test_bundled_default_is_clean(capsys):
    assert run_check(str(BUNDLED_CONFIG)) == 0, capsys.readouterr().out
    assert "OK (7 sources, 17 services" in capsys.readouterr().out


def test_bundled_catalog_passes_check_on_its_own(tmp_path, registry):
    config = write(tmp_path, "cockpit.yaml", f"sources: [{{kind: catalog, path: {BUNDLED_CONFIG.parent / 'services.yaml'}}}]\n")
    assert check_config(config, env={}).problems == []


# --- the real command, as a user runs it -------------------------------------------

@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.yaml")))
def test_cockpit_check_on_broken_config_exits_2_without_traceback(fixture):
    cockpit = Path(sys.executable).with_name("cockpit")
    command = [str(cockpit)] if cockpit.exists() else [sys.executable, "-m", "cockpit.cli"]
    done = subprocess.run([*command, "check", "--config", str(FIXTURES / fixture)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines and all(PROBLEM_LINE.match(line) for line in lines), done.stdout
    # Problems are in the config, or in a file it names (hostile/ holds those of the hostile configs).
    named = (str(FIXTURES / fixture), str(FIXTURES / "hostile") + "/")
    assert all(line.startswith(named) for line in lines if "services.yaml" not in line)
