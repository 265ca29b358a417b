"""SLO definitions in the seed's, Sloth's and OpenSLO's formats."""

import re
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from cockpit.promql import group_slos
from cockpit.slo import DEFAULT_POLICY
from cockpit.slo_specs import load_slo_paths
from tests.slo_files import load, messages

REPO = Path(__file__).resolve().parent.parent
SLOTH = Path("/work/shared/fixtures/sloth")
if not SLOTH.is_dir():
    SLOTH = REPO.parent / "shared" / "fixtures" / "sloth"
SEED = SLOTH.parent.parent / "seed" / "architecture-practices.md"
BUNDLED_SERVICES = {
    "api-server", "auth-service", "user-service", "notification-service", "scraper-service",
    "reconciliation-service", "events-pipeline", "checkout-service", "payments-gateway", "billing-worker",
    "ingress-gateway", "postgres-primary", "redis-cache", "message-queue", "search-service",
    "recommendations", "web-frontend",
}
DAY = timedelta(days=1)
needs_fixtures = pytest.mark.skipif(not SLOTH.is_dir(), reason="shared fixtures not present")



# -- Sloth fixtures --------------------------------------------------------------

# SLOs per fixture, counted by reading the files.
FIXTURE_COUNTS = {
    "getting-started.yml": 1, "home-wifi.yml": 2, "kubernetes-apiserver.yml": 2, "multifile.yml": 2,
    "no-alerts.yml": 1, "openslo-getting-started.yml": 1, "openslo-kubernetes-apiserver.yml": 3,
    "raw-home-wifi.yml": 1,
}


@needs_fixtures
def test_every_fixture_is_covered():
    assert sorted(p.name for p in SLOTH.glob("*.yml")) == sorted(FIXTURE_COUNTS)


@needs_fixtures
@pytest.mark.parametrize("name", sorted(FIXTURE_COUNTS))
def test_sloth_fixture_loads_cleanly(name):
    specs = load_slo_paths([SLOTH / name])
    assert specs.problems == []
    assert len(specs.slos) == FIXTURE_COUNTS[name]
    assert len(specs.refers) == FIXTURE_COUNTS[name]
    for slo in specs.slos:
        assert slo.window == 30 * DAY
        assert 0 < slo.objective < 1
        assert slo.origin.startswith(f"{SLOTH / name}:")


@needs_fixtures
@pytest.mark.parametrize("name", sorted(FIXTURE_COUNTS))
def test_names_match_the_rules_sloth_generated(name):
    """The _gen/ rules carry sloth_service / sloth_slo labels: our keys must be
    the same, so recorded series can be matched to SLOs."""
    generated = (SLOTH / "_gen" / name).read_text()
    expected = set(re.findall(r"sloth_service: (\S+)\n\s+sloth_slo: (\S+)", generated))
    assert {(s.service, s.name) for s in load_slo_paths([SLOTH / name]).slos} == expected


@needs_fixtures
def test_the_whole_folder_loads_and_skips_generated_rules():
    specs = load_slo_paths([SLOTH])
    assert specs.problems == []  # multifile.yml repeats getting-started.yml's SLO identically
    assert len(specs.slos) == 12


@needs_fixtures
def test_sloth_details():
    slos = {s.key: s for s in load_slo_paths([SLOTH / "kubernetes-apiserver.yml"]).slos}
    latency = slos["k8s-apiserver/requests-latency"]
    assert latency.objective == 0.99
    assert latency.target_text == "99%"
    assert latency.sli == "latency"  # the SLO's category label
    assert dict(latency.labels) == {"cluster": "valhalla", "component": "kubernetes", "category": "latency"}
    assert "{{.window}}" in latency.error_query and "{{.window}}" in latency.total_query
    assert latency.origin.endswith(":48")  # "- name: requests-latency" is on line 48


@needs_fixtures
def test_sloth_raw_sli_keeps_the_ratio_query():
    (slo,) = load_slo_paths([SLOTH / "raw-home-wifi.yml"]).slos
    assert slo.error_ratio_query.strip().startswith("1 - (")
    assert slo.error_query == slo.total_query == ""
    assert slo.objective == 0.95


@needs_fixtures
def test_openslo_good_total_becomes_error_and_total():
    slos = {s.name: s for s in load_slo_paths([SLOTH / "openslo-kubernetes-apiserver.yml"]).slos}
    second = slos["requests-latency-openslo-1"]
    assert second.service == "k8s-apiserver"
    assert second.objective == 0.999
    total = 'sum(rate(apiserver_request_duration_seconds_count{verb!="WATCH"}[{{.window}}]))'
    good = 'sum(rate(apiserver_request_duration_seconds_bucket{le="5",verb!="WATCH"}[{{.window}}]))'
    assert second.total_query == total
    assert second.error_query == f"({total}) - ({good})"


def test_openslo_bad_total_and_time_window(tmp_path):
    specs = load(tmp_path, """
        apiVersion: openslo/v1alpha
        kind: SLO
        metadata: {name: checkout}
        spec:
          service: checkout-service
          budgetingMethod: Occurrences
          objectives:
            - ratioMetrics:
                bad: {source: prometheus, queryType: promql, query: "sum(rate(errors[{{.window}}]))"}
                total: {source: prometheus, queryType: promql, query: "sum(rate(requests[{{.window}}]))"}
              target: 0.995
          timeWindows: [{count: 7, unit: Day}]
        ---
        apiVersion: openslo/v1alpha
        kind: Service
        metadata: {name: checkout-service}
        """)
    assert specs.problems == []
    (slo,) = specs.slos
    assert (slo.key, slo.window, slo.objective) == ("checkout-service/checkout-0", 7 * DAY, 0.995)
    assert slo.error_query == "sum(rate(errors[{{.window}}]))"


def test_sloth_plugin_sli_keeps_its_name(tmp_path):
    specs = load(tmp_path, """
        version: prometheus/v1
        service: ingress-gateway
        slos:
          - name: availability
            objective: 99.95
            sli:
              plugin:
                id: sloth-common/kubernetes/apiserver/availability
        """)
    assert specs.problems == []
    (slo,) = specs.slos
    assert slo.sli == "sloth-common/kubernetes/apiserver/availability"
    assert slo.error_query == slo.total_query == slo.error_ratio_query == ""
    assert slo.objective == 0.9995


def test_sloth_kubernetes_resource(tmp_path):
    specs = load(tmp_path, """
        apiVersion: sloth.slok.dev/v1
        kind: PrometheusServiceLevel
        metadata: {name: api}
        spec:
          service: api-server
          slos:
            - name: availability
              objective: 99.9
              sli: {events: {errorQuery: "e[{{.window}}]", totalQuery: "t[{{.window}}]"}}
            - name: ratio
              objective: 99
              sli: {raw: {errorRatioQuery: "r[{{.window}}]"}}
        """)
    assert specs.problems == []
    slos = {s.key: s for s in specs.slos}
    assert list(slos) == ["api-server/availability", "api-server/ratio"]
    assert (slos["api-server/availability"].error_query, slos["api-server/availability"].total_query) == \
        ("e[{{.window}}]", "t[{{.window}}]")
    assert slos["api-server/ratio"].error_ratio_query == "r[{{.window}}]"


def test_each_sloth_format_names_the_other_spelling(tmp_path):
    """The resource is camelCase (its CRD schema), the file spec snake_case:
    the other spelling would be dropped by Sloth, so it is a Problem naming the right one."""
    resource = load(tmp_path, """\
        apiVersion: sloth.slok.dev/v1
        kind: PrometheusServiceLevel
        metadata: {name: api}
        spec:
          service: api-server
          slos:
            - name: availability
              objective: 99.9
              sli: {events: {error_query: "e[{{.window}}]", totalQuery: "t[{{.window}}]"}}
        """)
    assert messages(resource) == [f"{tmp_path / 'slos.yaml'}:9: spec.slos[0].sli.events.error_query: Sloth's "
                                  "PrometheusServiceLevel resource spells it errorQuery (camelCase, as its CRD schema)"]
    spec = load(tmp_path, """\
        version: prometheus/v1
        service: api-server
        slos:
          - name: ratio
            objective: 99
            sli: {raw: {errorRatioQuery: "r[{{.window}}]"}}
        """)
    assert messages(spec) == [f"{tmp_path / 'slos.yaml'}:6: slos[0].sli.raw.errorRatioQuery: Sloth's "
                              "prometheus/v1 spec spells it error_ratio_query (snake_case)"]


# -- the seed's format -----------------------------------------------------------

def seed_blocks() -> str:
    """The seed's own sli_definitions and slo_definitions YAML blocks."""
    text = SEED.read_text()
    blocks = re.findall(r"```yaml\n((?:sli|slo)_definitions:.*?)```", text, re.S)
    assert len(blocks) == 2
    return "\n".join(blocks)


@pytest.mark.skipif(not SEED.is_file(), reason="seed not present")
def test_the_seeds_own_definitions_load(tmp_path):
    path = tmp_path / "seed.yaml"
    path.write_text("service: api-server\n" + seed_blocks())
    specs = load_slo_paths([path])
    assert specs.problems == []
    slos = {s.name: s for s in specs.slos}
    assert set(slos) == {"api_availability", "api_latency", "scraper_freshness", "data_correctness"}
    assert (slos["api_availability"].objective, slos["api_availability"].window) == (0.999, 30 * DAY)
    assert slos["api_latency"].objective == 0.999  # from error_budget: 0.1%
    assert slos["api_latency"].target_text == "p99 < 500ms"
    assert (slos["scraper_freshness"].objective, slos["scraper_freshness"].window) == (0.99, 7 * DAY)
    assert slos["data_correctness"].objective == 0.995  # "> 99.5%"
    assert slos["api_availability"].sli == "availability"
    assert "successful_requests / total_requests" in slos["api_availability"].description
    assert specs.policy == DEFAULT_POLICY  # none given


def test_three_ways_to_name_the_service(tmp_path):
    specs = load(tmp_path, """
        service: api-server
        sli_definitions:
          availability: {description: ok requests}
        slo_definitions:
          top: {sli: availability, target: 99.9%}
          own: {sli: availability, target: 99%, service: user-service}
        services:
          search-service:
            slo_definitions:
              mapped: {sli: availability, target: "99.5%", window: 7d}
        """)
    assert specs.problems == []
    assert sorted(s.key for s in specs.slos) == ["api-server/top", "search-service/mapped", "user-service/own"]
    mapped = next(s for s in specs.slos if s.name == "mapped")
    assert (mapped.objective, mapped.window) == (0.995, 7 * DAY)
    assert sorted((r.service, r.line) for r in specs.refers) == [
        ("api-server", 6), ("search-service", 11), ("user-service", 7)]


def test_queries_from_sli_or_slo_with_service_template(tmp_path):
    specs = load(tmp_path, """
        sli_definitions:
          availability:
            error_query: sum(rate(errors{service="{{.service}}"}[{{.window}}]))
            total_query: sum(rate(requests{service="{{.service}}"}[{{.window}}]))
        services:
          api-server:
            slo_definitions:
              shared: {sli: availability, target: 99.9%}
              own:
                sli: availability
                target: 99%
                good_query: sum(rate(fast[{{.window}}]))
                total_query: sum(rate(all[{{.window}}]))
        """)
    assert specs.problems == []
    slos = {s.name: s for s in specs.slos}
    assert slos["shared"].error_query == 'sum(rate(errors{service="api-server"}[{{.window}}]))'
    assert slos["own"].error_query == "(sum(rate(all[{{.window}}]))) - (sum(rate(fast[{{.window}}])))"
    assert slos["own"].total_query == "sum(rate(all[{{.window}}]))"


def test_policy_from_the_file(tmp_path):
    specs = load(tmp_path, """
        error_budget_policy:
          fine: {budget_consumed: 0-40%, action: ship}
          freeze:
            budget_consumed: 40-100%
            actions: [Freeze releases, Call the VP]
            focus: stability
          gone: {budget_consumed: 100%}
        """)
    assert specs.problems == []
    assert [(t.name, t.min_consumed, t.max_consumed) for t in specs.policy] == [
        ("fine", 0.0, 0.4), ("freeze", 0.4, 1.0), ("gone", 1.0, None)]
    assert specs.policy[1].actions == ("Freeze releases", "Call the VP", "Focus: stability")


def test_bundled_slos_file():
    specs = load_slo_paths([REPO / "config" / "slos.yaml"])
    assert specs.problems == []
    services = {s.service for s in specs.slos}
    assert services == BUNDLED_SERVICES
    slos = {s.key: s for s in specs.slos}
    assert slos["api-server/api_availability"].objective == 0.999
    assert slos["api-server/api_latency"].target_text == "p99 < 500ms"
    assert slos["scraper-service/scraper_freshness"].window == 7 * DAY
    assert slos["reconciliation-service/data_correctness"].objective == 0.995
    assert all(0.99 <= s.objective <= 0.9999 for s in specs.slos)
    assert {s.window.days for s in specs.slos} == {7, 28, 30}
    assert sum(bool(s.error_query and s.total_query) for s in specs.slos) >= 3
    assert [t.name for t in specs.policy] == ["healthy", "warning", "critical", "exhausted"]
    assert "Action: Freeze feature releases" in specs.policy[2].actions


# -- problems -------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("version: prometheus/v1\nservice: a\nslos: x\n  bad: 1\n", ":4: (file): YAML syntax error"),
        ("foo: 1\n", ":1: (document): unknown SLO format"),
        ("- a\n- b\n", ":1: [0]: expected a mapping (one SLO document), got a string"),
        ("version: prometheus/v2\nservice: a\nslos: []\n", ":1: version: unsupported Sloth version"),
        ("apiVersion: openslo/v2alpha\nkind: SLO\n", ":1: apiVersion: unsupported apiVersion"),
        ("version: prometheus/v1\nservice: a\nslos:\n  - name: x\n    sli: {raw: {error_ratio_query: q}}\n",
         ":4: slos[0].objective: expected the objective as a percentage number"),
        ("version: prometheus/v1\nservice: a\nslos:\n  - name: x\n    objective: 100\n"
         "    sli: {raw: {error_ratio_query: q}}\n", ":4: slos[0]: objective 100% must be between"),
        ("version: prometheus/v1\nservice: a\nslos:\n  - name: x\n    objective: 99\n    sli: {}\n",
         ":6: slos[0].sli: expected exactly one of events, raw or plugin"),
        ("version: prometheus/v1\nservice: a\nslos:\n  - name: x\n    objective: 99\n"
         "    sli:\n      events:\n        error_query: e\n", ":8: slos[0].sli.events.total_query: missing"),
        ("version: prometheus/v1\nslos:\n  - name: x\n    objective: 99\n    sli: {raw: {error_ratio_query: q}}\n",
         ":1: service: missing (required)"),
        ("service: a\nsli_definitions: {av: {}}\nslo_definitions:\n  x:\n    sli: nope\n    target: 99%\n",
         ":5: slo_definitions.x.sli: unknown SLI 'nope' (known: av)"),
        ("sli_definitions: {av: {}}\nslo_definitions:\n  x: {sli: av, target: 99%}\n",
         ":3: slo_definitions.x: no service"),
        ("service: a\nsli_definitions: {av: {}}\nslo_definitions:\n  x:\n    sli: av\n    target: 99.9%\n"
         "    error_budget: 1%\n", ":7: slo_definitions.x.error_budget: error budget 1% does not match target 99.9%"),
        ("service: a\nsli_definitions: {lat: {}}\nslo_definitions:\n  x:\n    sli: lat\n    target: p99 < 1s\n",
         ":6: slo_definitions.x.target: target 'p99 < 1s' is not a percentage: add error_budget"),
        ("service: a\nsli_definitions: {av: {}}\nslo_definitions:\n  x:\n    sli: av\n    target: 99%\n"
         "    window: a month\n", ":7: slo_definitions.x.window: not a duration"),
        ("service: a\nsli_definitions: {av: {}}\nslo_definitions:\n  x:\n    sli: av\n    target: 99%\n"
         "    tagret: 1\n", ":7: slo_definitions.x.tagret: unknown key"),
        ("service: a\nsli_definitions:\n  av:\n    error_query: e\n    good_query: g\n    total_query: t\n",
         ":5: sli_definitions.av.good_query: give error_query or good_query, not both"),
        ("service: a\nsli_definitions:\n  av:\n    error_query: e\n", ":4: sli_definitions.av.error_query: needs total_query"),
        ("error_budget_policy:\n  a: {budget_consumed: 0-60%}\n  b: {budget_consumed: 50-100%}\n",
         ":3: error_budget_policy.b: overlaps tier 'a'"),
        ("error_budget_policy:\n  a: {budget_consumed: half}\n", ":2: error_budget_policy.a.budget_consumed: not a range"),
        ("apiVersion: openslo/v1alpha\nkind: SLO\nmetadata: {name: x}\nspec:\n  service: a\n"
         "  budgetingMethod: Weekly\n  objectives: []\n", ":6: spec.budgetingMethod: unknown budgetingMethod"),
        ("apiVersion: openslo/v1alpha\nkind: SLO\nmetadata: {name: x}\nspec:\n  service: a\n  objectives:\n"
         "    - target: 0.99\n      thresholdMetric: {}\n", ":7: spec.objectives[0]: no indicator"),
        ("apiVersion: openslo/v1alpha\nkind: SLO\nmetadata: {name: x}\nspec:\n  service: a\n  objectives:\n"
         "    - target: 0.99\n      ratioMetrics:\n        good: {source: datadog, query: q}\n"
         "        total: {query: t}\n", ":9: spec.objectives[0].ratioMetrics.good.source: metric source 'datadog' cannot be queried"),
        ("apiVersion: openslo/v1alpha\nkind: SLO\nmetadata: {name: x}\nspec:\n  service: a\n"
         "  timeWindows: [{count: 0, unit: Month}]\n  objectives: []\n", ":6: spec.timeWindows[0]: expected duration"),
    ],
)
def test_bad_specs_name_file_line_and_key(tmp_path, text, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    specs = load_slo_paths([path])
    assert any(m.startswith(str(path) + expected) for m in messages(specs)), messages(specs)


def test_a_bad_slo_does_not_hide_the_good_ones(tmp_path):
    specs = load(tmp_path, """
        version: prometheus/v1
        service: a
        slos:
          - name: broken
            objective: high
            sli: {raw: {error_ratio_query: q}}
          - name: fine
            objective: 99
            sli: {raw: {error_ratio_query: q}}
        """)
    assert len(specs.problems) == 1
    assert [s.name for s in specs.slos] == ["fine"]


def test_conflicting_duplicate_is_a_problem(tmp_path):
    one = "version: prometheus/v1\nservice: a\nslos:\n  - name: x\n    objective: 99\n    sli: {raw: {error_ratio_query: q}}\n"
    (tmp_path / "one.yml").write_text(one)
    (tmp_path / "two.yml").write_text(one.replace("99", "99.9"))
    specs = load_slo_paths([tmp_path])
    assert messages(specs) == [f"{tmp_path / 'two.yml'}:4: slos[0]: duplicate SLO a/x (first defined at {tmp_path / 'one.yml'}:4)"]
    assert [s.objective for s in specs.slos] == [0.99]


def test_two_policies_are_a_problem(tmp_path):
    policy = "error_budget_policy:\n  all: {budget_consumed: 0-100%}\n"
    (tmp_path / "a.yaml").write_text(policy)
    (tmp_path / "b.yaml").write_text(policy)
    assert messages(load_slo_paths([tmp_path])) == [
        f"{tmp_path / 'b.yaml'}:1: error_budget_policy: error budget policy already defined at {tmp_path / 'a.yaml'}:1"]


def test_paths_that_are_not_there(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "blank.yaml").write_text("# nothing\n")
    specs = load_slo_paths([tmp_path / "missing.yaml", tmp_path / "empty", tmp_path / "blank.yaml"])
    assert messages(specs) == [
        f"{tmp_path / 'missing.yaml'}:0: (file): file not found",
        f"{tmp_path / 'empty'}:0: (folder): no *.yml or *.yaml files in this folder",
        f"{tmp_path / 'blank.yaml'}:0: (file): empty file: no SLO definitions",
    ]
    assert specs.slos == () and specs.policy == DEFAULT_POLICY


@needs_fixtures
def test_a_rules_file_named_directly_is_a_problem():
    specs = load_slo_paths([SLOTH / "_gen" / "getting-started.yml"])
    assert len(specs.problems) == 1
    assert "a Prometheus rules file, not an SLO definition" in specs.problems[0].message


def test_folders_are_searched_recursively(tmp_path):
    nested = tmp_path / "team" / "api"
    nested.mkdir(parents=True)
    (nested / "slo.yaml").write_text(
        "version: prometheus/v1\nservice: a\nslos:\n  - {name: x, objective: 99, sli: {raw: {error_ratio_query: q}}}\n")
    (nested / "notes.txt").write_text("not yaml: [")
    specs = load_slo_paths([tmp_path])
    assert specs.problems == [] and [s.key for s in specs.slos] == ["a/x"]


def test_escape_sequences_in_keys_are_not_passed_on(tmp_path):
    specs = load(tmp_path, 'service: a\nslo_definitions:\n  "\\e]0;pwned\\a x": {sli: av, target: 99%}\n')
    assert specs.problems and all("\x1b" not in str(p) and "\x07" not in str(p) for p in specs.problems)


@pytest.mark.parametrize("source", [REPO / "config" / "slos.yaml", *sorted(SLOTH.glob("*.yml"))],
                         ids=lambda p: p.name)
def test_never_raises_on_damaged_files(tmp_path, source):
    """Each line in turn replaced by junk: problems, never an exception."""
    lines = source.read_text().splitlines()
    if source.name == "slos.yaml":  # keep it quick: the shared SLIs, two services and the policy
        cut = lines.index("  user-service:")
        lines = lines[:cut] + lines[lines.index("error_budget_policy:"):]
    path = tmp_path / "damaged.yaml"
    damaged = 0
    for i, line in enumerate(lines):
        junk = line.split(":")[0] + ": [x, {y: 1}]" if ":" in line else "- ["
        path.write_text("\n".join(lines[:i] + [junk] + lines[i + 1:]))
        damaged += bool(load_slo_paths([path]).problems)
    assert damaged > len(lines) // 3  # the damage was noticed, not just survived


def test_the_prometheus_example_passes_cockpit_check_and_groups_its_raw_slis():
    examples = REPO / "config" / "examples"
    specs = load_slo_paths([examples / "slos"])
    assert specs.problems == []
    raw = [s for s in specs.slos if s.error_ratio_query]
    assert len(raw) == 2
    [group] = [g for g in group_slos(specs.slos) if g.ratio]  # both raw SLIs in one query per window
    assert group.label == "service" and len(group.slos) == 2
    cockpit = Path(sys.executable).with_name("cockpit")
    command = [str(cockpit)] if cockpit.exists() else [sys.executable, "-m", "cockpit.cli"]
    done = subprocess.run([*command, "check", "--config", str(examples / "prometheus.yaml")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
