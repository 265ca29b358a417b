"""Sloth's and Pyrra's own public example files (tests/fixtures/realworld/,
copied unchanged): each loads, or is refused with file:line and the reason,
and only for a fault Sloth or Pyrra itself refuses. The counts here are the
per-file table in each folder's README."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from cockpit.commands.check import run_check
from cockpit.slo_specs import load_slo_paths
from tests.slo_files import messages

REPO = Path(__file__).resolve().parent.parent
REALWORLD = REPO / "tests" / "fixtures" / "realworld"
SLOTH = REALWORLD / "sloth"
PYRRA = REALWORLD / "pyrra"
DAY = timedelta(days=1)

SLOTH_SLOS = {"k8s-getting-started.yml": 1, "k8s-home-wifi.yml": 2, "k8s-multifile.yml": 2,
              "plugin-k8s-getting-started.yml": 1, "slo-plugin-k8s-getting-started.yml": 1}

# Per Pyrra file: SLOs loaded, and the problems (line: key: message start) of the rest.
NO_LE = 'expected an le matcher: the histogram bucket of the latency target, e.g. le="0.5"'
UNQUOTED = 'expected a quoted percentage such as "99.5" (Pyrra\'s target is text), got a number'
PYRRA_REFUSED = {
    "demo-dynamic-burnrate.yaml": (0, [
        f":12: spec.target: {UNQUOTED}",
        ":19: spec.indicator.latency.success.matchers: unknown key (expected one of metric)",
        ":26: spec.indicator.latency.total.matchers: unknown key (expected one of metric)",
        f":18: spec.indicator.latency.success.metric: {NO_LE}",
        f":45: spec.target: {UNQUOTED}",
        ":52: spec.indicator.latency.success.matchers: unknown key (expected one of metric)",
        ":59: spec.indicator.latency.total.matchers: unknown key (expected one of metric)",
        f":51: spec.indicator.latency.success.metric: {NO_LE}"]),
    "nginx.yaml": (1, [
        ":27: spec.latency: unknown key (expected one of alerting, description, indicator, "
        "partial_response_strategy, target, window)",
        f":32: spec.indicator.latency.success.metric: {NO_LE}"]),
}
PYRRA_TWO = {"kubernetes/slos/apiserver-request-errors.yaml", "openshift/slos/apiserver-request-errors.yaml",
             "latency-dynamic-burnrate.yaml"}


def pyrra_files() -> list[str]:
    return sorted(str(p.relative_to(PYRRA)) for p in PYRRA.rglob("*.yaml"))


def test_every_copied_file_is_counted():
    assert sorted(p.name for p in SLOTH.glob("*.yml")) == sorted(SLOTH_SLOS)
    assert len(pyrra_files()) == 45


@pytest.mark.parametrize("name", sorted(SLOTH_SLOS))
def test_each_sloth_kubernetes_example_loads_in_camel_case(name):
    specs = load_slo_paths([SLOTH / name])
    assert specs.problems == []
    assert len(specs.slos) == SLOTH_SLOS[name]
    for slo in specs.slos:
        assert slo.window == 30 * DAY
        # Events SLIs keep both queries (camelCase in the resource); a plugin runs inside Sloth.
        assert bool(slo.error_query and slo.total_query) == (name != "plugin-k8s-getting-started.yml")


def test_the_30d_alert_windows_are_used_with_sloths_default_period():
    specs = load_slo_paths([SLOTH / "k8s-home-wifi.yml", SLOTH / "windows" / "custom-30d.yaml"])
    assert specs.problems == []
    assert {slo.window for slo in specs.slos} == {30 * DAY}


def test_the_7d_alert_windows_give_sloth_slos_their_period_when_the_source_selects_it():
    files = [SLOTH / "k8s-home-wifi.yml", SLOTH / "windows" / "7d.yaml"]
    specs = load_slo_paths(files, sloth_period=7 * DAY)
    assert specs.problems == []
    assert {slo.window for slo in specs.slos} == {7 * DAY}
    unused = load_slo_paths(files)  # Sloth's default 30d: the file changes nothing, so it is named
    assert messages(unused) == [
        f"{SLOTH / 'windows' / '7d.yaml'}:1: spec.sloPeriod: Sloth AlertWindows for a 7d SLO period, unused: the "
        "Sloth SLOs here have a 30d period (set the source's sloth_slo_period: 7d, as sloth generate "
        "--default-slo-period does, to use it)"]
    assert len(unused.slos) == 2


def test_a_sloth_period_neither_sloth_nor_a_file_defines_is_a_problem():
    specs = load_slo_paths([SLOTH / "k8s-getting-started.yml"], sloth_period=14 * DAY)
    assert [(p.key, p.message.split(":")[0]) for p in specs.problems] == [
        ("(Sloth SLO period)", "sloth_slo_period 14d")]


@pytest.mark.parametrize("name", pyrra_files())
def test_each_pyrra_example_loads_or_is_refused_for_what_pyrra_refuses(name):
    path = PYRRA / name
    specs = load_slo_paths([path])
    loaded, refused = PYRRA_REFUSED.get(name, (2 if name in PYRRA_TWO else 1, []))
    assert messages(specs) == [f"{path}{problem}" for problem in refused]
    assert len(specs.slos) == loaded
    for slo in specs.slos:
        assert slo.error_query and slo.total_query
        assert "/" not in slo.service  # the namespace, or "" (unowned) without one


def test_pyrra_examples_without_a_service_label_take_the_namespace_or_the_mapping():
    specs = load_slo_paths([PYRRA / "kubernetes"], pyrra_services={"test-mika": "kube-platform"})
    assert specs.problems == []
    assert {slo.service for slo in specs.slos} == {"monitoring", "kube-platform"}
    (caddy,) = load_slo_paths([PYRRA / "caddy-response-latency.yaml"]).slos
    assert caddy.service == ""  # no namespace, no label: kept, owned by no one


def write_config(tmp_path: Path, slos: list[Path], options: str = "") -> Path:
    config = tmp_path / "cockpit.yaml"
    names = ", ".join(f'"{p}"' for p in slos)
    config.write_text(f'sources:\n  - {{kind: catalog, path: "{REPO / "config" / "services.yaml"}"}}\n'
                      f'  - {{kind: prometheus, url: "http://127.0.0.1:9", slos: [{names}]{options}}}\n')
    return config


def test_the_source_options_select_the_sloth_period_and_map_pyrra_namespaces(tmp_path, capsys):
    """sloth_slo_period uses the 7d AlertWindows; pyrra_services gives the
    Pyrra SLOs of a namespace a catalog service, so only Sloth's are unowned."""
    config = write_config(tmp_path, [SLOTH / "k8s-home-wifi.yml", SLOTH / "windows" / "7d.yaml",
                                     PYRRA / "kubernetes" / "slos"],
                          ", sloth_slo_period: 7d, pyrra_services: {monitoring: api-server}")
    assert run_check(str(config)) == 0
    out, _ = capsys.readouterr()
    assert out.splitlines()[-1].endswith("2 unowned SLOs)")
    assert all("'home-wifi'" in line for line in out.splitlines()[:-1])


def test_cockpit_check_passes_the_examples_noting_their_unowned_slos(tmp_path, capsys):
    config = write_config(tmp_path, [PYRRA / "kubernetes", SLOTH / "k8s-home-wifi.yml",
                                     SLOTH / "windows" / "custom-30d.yaml"])
    assert run_check(str(config)) == 0
    out, err = capsys.readouterr()
    notes, summary = out.splitlines()[:-1], out.splitlines()[-1]
    assert len(notes) == 24 and all(": note: SLO of service " in n for n in notes)
    assert f"{SLOTH / 'k8s-home-wifi.yml'}:22: spec.slos[0]: note: SLO of service 'home-wifi', not in the " \
           "catalog: listed as unowned" in notes
    assert summary.endswith("24 unowned SLOs)") and err == ""


def test_cockpit_check_names_file_line_and_key_of_what_is_refused(tmp_path, capsys):
    config = write_config(tmp_path, [PYRRA / "nginx.yaml", PYRRA / "demo-dynamic-burnrate.yaml"])
    assert run_check(str(config)) == 2
    out, _ = capsys.readouterr()
    expected = [f"{PYRRA / 'nginx.yaml'}{p}" for p in PYRRA_REFUSED["nginx.yaml"][1]] + \
        [f"{PYRRA / 'demo-dynamic-burnrate.yaml'}{p}" for p in PYRRA_REFUSED["demo-dynamic-burnrate.yaml"][1]]
    assert [line for line in out.splitlines() if ": note: " not in line] == expected
