"""Pyrra ServiceLevelObjective resources as SLO definitions: the mapping onto
the cockpit's SLO, and a Problem (FILE:LINE: key: message) for every fault.

The fixtures under tests/fixtures/pyrra/ are written for these tests in the
shape Pyrra's CRD (kubernetes/api/v1alpha1) defines."""

import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from cockpit.commands.check import check_config
from cockpit.promql import group_slos, per_second, render
from cockpit.slo_specs import load_slo_paths
from tests.slo_files import load
from tests.slo_files import messages as problems

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "pyrra"
DAY = timedelta(days=1)


def resource(spec: str, labels: str = "pyrra.dev/service: api-server", name: str = "errors") -> str:
    """One resource with ``spec`` (indented 2) and ``labels`` (indented 4)."""
    return (f"apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\nmetadata:\n  name: {name}\n"
            f"  labels:\n    {labels}\nspec:\n" + textwrap.indent(textwrap.dedent(spec), "  "))


RATIO = """\
target: "99.9"
window: 4w
indicator:
  ratio:
    errors: {metric: 'http_requests_total{service="api-server",code=~"5.."}'}
    total: {metric: 'http_requests_total{service="api-server"}'}
"""

BOOL_GAUGE = """\
target: "99"
window: 4w
indicator:
  bool_gauge:
    metric: 'probe_success{job="blackbox"}'
"""


# -- the mapping ----------------------------------------------------------------

def test_ratio_slo_maps_to_an_event_ratio():
    specs = load_slo_paths([FIXTURES / "ratio-grouping.yaml"])
    assert specs.problems == []
    slos = {s.key: s for s in specs.slos}
    assert sorted(slos) == ["checkout-service/checkout-errors", "payments-gateway/gateway-errors"]
    checkout = slos["checkout-service/checkout-errors"]
    assert checkout.objective == 0.995 and checkout.target_text == "99.5%"
    assert checkout.window == 28 * DAY and slos["payments-gateway/gateway-errors"].window == 14 * DAY
    assert checkout.sli == "ratio" and checkout.error_ratio_query == ""
    assert checkout.origin.endswith("ratio-grouping.yaml:6")  # metadata.name
    # Pyrra's errors / total over the window, as per-second rates the source scales to counts.
    assert render(checkout.error_query, DAY) == \
        'sum(rate(http_requests_total{service="checkout-service",code=~"5.."}[1d]))'
    assert render(checkout.total_query, DAY) == 'sum(rate(http_requests_total{service="checkout-service"}[1d]))'
    assert per_second(checkout.error_query) and per_second(checkout.total_query)
    assert checkout.labels["pyrra.dev/team"] == "payments-team" and checkout.labels["namespace"] == "payments"


def test_grouping_is_measured_over_all_values_and_says_so():
    specs = load_slo_paths([FIXTURES / "ratio-grouping.yaml"])
    slos = {s.key: s for s in specs.slos}
    grouped, plain = slos["checkout-service/checkout-errors"], slos["payments-gateway/gateway-errors"]
    assert grouped.description.startswith("Checkout requests that do not fail with a 5xx.")
    assert "all handler values together" in grouped.description
    assert "handler" not in grouped.error_query  # summed over every handler
    assert plain.description == ""


def test_the_service_comes_from_the_pyrra_label_else_a_plain_service_label(tmp_path):
    specs = load(tmp_path, resource(RATIO, "pyrra.dev/service: auth-service\n    service: ignored") + "---\n"
                 + resource(RATIO, "service: user-service", name="other"))
    assert specs.problems == []
    assert sorted(s.key for s in specs.slos) == ["auth-service/errors", "user-service/other"]
    refs = {r.service: (r.line, r.key) for r in specs.refers}
    assert refs == {"auth-service": (6, "metadata.labels.pyrra.dev/service"),
                    "user-service": (21, "metadata.labels.service")}


def test_without_a_service_label_the_mapping_then_the_namespace_names_the_service(tmp_path):
    """Pyrra needs no service label (none of its examples has one): the
    source's pyrra_services mapping (NAMESPACE/NAME, then NAMESPACE) decides,
    else the namespace; with neither the SLO is kept, owned by no service."""
    def slo(name: str, namespace: str | None) -> str:
        where = f"\n  namespace: {namespace}" if namespace else ""
        return (f"apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\nmetadata:\n  name: {name}{where}\n"
                "spec:\n" + textwrap.indent(RATIO, "  "))
    path = tmp_path / "slos.yaml"
    path.write_text("---\n".join([slo("mapped-one", "monitoring"), slo("mapped-namespace", "monitoring"),
                                  slo("by-namespace", "payments"), slo("nowhere", None)]))
    specs = load_slo_paths([path], pyrra_services={"monitoring/mapped-one": "prometheus-k8s",
                                                   "monitoring": "observability"})
    assert specs.problems == []
    assert [s.key for s in specs.slos] == ["prometheus-k8s/mapped-one", "observability/mapped-namespace",
                                           "payments/by-namespace", "/nowhere"]
    assert [(r.service, r.line, r.key) for r in specs.refers] == [
        ("prometheus-k8s", 5, "metadata.namespace"), ("observability", 18, "metadata.namespace"),
        ("payments", 31, "metadata.namespace"), ("", 43, "metadata.name")]


def test_an_offset_is_dropped_as_pyrra_drops_it_and_the_description_says_so(tmp_path):
    specs = load(tmp_path, resource(RATIO.replace("\"}'}", "\"} offset 1m'}")))
    assert specs.problems == []
    (slo,) = specs.slos
    assert "offset" not in slo.error_query + slo.total_query
    assert slo.description == "Pyrra ignores the metrics' offset 1m; so does the cockpit."


def test_latency_slo_counts_requests_slower_than_the_bucket_as_errors():
    specs = load_slo_paths([FIXTURES / "latency.yaml"])
    assert specs.problems == []
    [slo] = specs.slos
    assert slo.key == "search-service/search-latency" and slo.objective == 0.99 and slo.window == 7 * DAY
    assert slo.sli == "latency" and slo.target_text == "99% within 0.25s"
    assert slo.description == "Search requests answered within 250 ms."
    total = 'sum(rate(http_request_duration_seconds_count{service="search-service"}[5m]))'
    assert render(slo.total_query, timedelta(minutes=5)) == total
    assert render(slo.error_query, timedelta(minutes=5)) == (
        f'{total} - sum(rate(http_request_duration_seconds_bucket{{service="search-service",le="0.25"}}[5m]))')


def test_slos_differing_only_in_service_share_one_query_group_with_sloth_specs(tmp_path):
    sloth = ('version: prometheus/v1\nservice: web-frontend\nslos:\n  - name: availability\n    objective: 99.9\n'
             '    sli:\n      events:\n'
             '        error_query: sum(rate(http_requests_total{service="web-frontend",code=~"5.."}[{{.window}}]))\n'
             '        total_query: sum(rate(http_requests_total{service="web-frontend"}[{{.window}}]))\n')
    (tmp_path / "sloth.yaml").write_text(sloth)
    specs = load_slo_paths([FIXTURES / "ratio-grouping.yaml", tmp_path / "sloth.yaml"])
    [group] = group_slos(specs.slos)
    assert group.label == "service" and len(group.slos) == 3
    assert 'service=~"checkout-service|payments-gateway|web-frontend"' in group.total_query(DAY)


def test_bool_gauge_counts_the_probe_samples_that_are_zero_as_errors():
    specs = load_slo_paths([FIXTURES / "bool-gauge.yaml"])
    assert specs.problems == []
    slos = {s.key: s for s in specs.slos}
    assert sorted(slos) == ["ingress-gateway/probe-success", "web-frontend/probe-success"]
    probe = slos["ingress-gateway/probe-success"]
    assert probe.sli == "bool_gauge" and probe.objective == 0.99 and probe.window == 28 * DAY
    assert probe.target_text == "99% of samples"
    selector = 'probe_success{job="blackbox",service="ingress-gateway"}'
    # Pyrra's bool_gauge: all samples, minus the sum of the 0/1 values (the 1s), are the 0s.
    assert render(probe.total_query, DAY) == f"sum(count_over_time({selector}[1d]))"
    assert render(probe.error_query, DAY) == \
        f"sum(count_over_time({selector}[1d])) - sum(sum_over_time({selector}[1d]))"
    # Sample counts, not per-second rates: the source must not scale them by the window.
    assert not per_second(probe.error_query) and not per_second(probe.total_query)
    assert probe.labels["namespace"] == "monitoring" and probe.origin.endswith("bool-gauge.yaml:6")


def test_bool_gauge_says_its_events_are_probe_samples_and_how_it_groups():
    slos = {s.key: s for s in load_slo_paths([FIXTURES / "bool-gauge.yaml"]).slos}
    grouped, plain = slos["ingress-gateway/probe-success"], slos["web-frontend/probe-success"]
    assert grouped.description.startswith("The shop's front page answers the blackbox probe. Events are probe samples")
    assert "insufficient traffic means too few samples in a window" in plain.description
    assert "all instance values together" in grouped.description and "instance" not in grouped.error_query
    assert "values together" not in plain.description
    # Differing only in the service label, the two share one query per window.
    [group] = group_slos(list(slos.values()))
    assert group.label == "service" and len(group.slos) == 2
    assert group.error_query(DAY) == (
        'sum by (service) (count_over_time(probe_success{job="blackbox",service=~"ingress-gateway|web-frontend"}'
        '[1d])) - sum by (service) (sum_over_time(probe_success{job="blackbox",'
        'service=~"ingress-gateway|web-frontend"}[1d]))')


def test_latency_native_reads_the_native_histogram_as_pyrra_does():
    """1 - histogram_fraction(0, latency, sum(rate(total))) is the error ratio,
    histogram_count of the same sum the events."""
    specs = load_slo_paths([FIXTURES / "latency-native.yaml"])
    assert specs.problems == []
    slos = {s.key: s for s in specs.slos}
    assert list(slos) == ["ingress-gateway/request-latency", "ingress-gateway/ingress-errors"]
    native = slos["ingress-gateway/request-latency"]
    histogram = "sum(rate(nginx_ingress_controller_request_duration_seconds[1h]))"
    assert render(native.total_query, timedelta(hours=1)) == f"histogram_count({histogram})"
    assert render(native.error_query, timedelta(hours=1)) == \
        f"histogram_count({histogram}) * (1 - histogram_fraction(0, 0.5, {histogram}))"
    assert per_second(native.error_query) and per_second(native.total_query)
    assert (native.sli, native.target_text) == ("latencyNative", "99% within 0.5s")
    assert "histogram_fraction's estimate" in native.description


def test_latency_native_needs_a_duration(tmp_path):
    specs = load(tmp_path, resource("""\
        target: "99"
        window: 28d
        indicator:
          latencyNative:
            latency: fast
            total: {metric: 'http_request_duration_seconds{service="api-server"}'}
        """))
    assert specs.slos == ()
    [problem] = specs.problems
    assert (problem.line, problem.key) == (12, "spec.indicator.latencyNative.latency")
    assert problem.message == "expected the latency as a Prometheus duration such as 200ms or 1s, got 'fast'"


def test_the_example_config_loads_and_passes_cockpit_check():
    specs = load_slo_paths([REPO / "config" / "examples" / "slos" / "pyrra.yaml"])
    assert specs.problems == []
    assert sorted(s.key for s in specs.slos) == ["auth-service/availability", "auth-service/latency",
                                                 "ingress-gateway/probe-success", "user-service/availability"]
    assert check_config(REPO / "config" / "examples" / "prometheus.yaml", env={}).problems == []


# -- problems -------------------------------------------------------------------

BROKEN = {
    "broken-missing-target.yaml": [
        ':8: spec.target: missing (required): the objective as a quoted percentage, e.g. "99.5"'],
    "broken-target-range.yaml": [
        ":8: spec.target: target 100.5 is out of range: a percentage above 0 and below 100",
        ":24: spec.target: target 0 is out of range: a percentage above 0 and below 100"],
    "broken-window-unit.yaml": [
        ":9: spec.window: not a Prometheus duration: '1mo' (write e.g. 28d, 4w or 2w; units ms, s, m, h, d, w, y)"],
    "broken-types.yaml": [
        ':10: spec.target: expected a quoted percentage such as "99.5" (Pyrra\'s target is text), got a number',
        ":11: spec.window: not a Prometheus duration: ['4w'] (write e.g. 28d, 4w or 2w; units ms, s, m, h, d, w, y)",
        ':15: spec.indicator.ratio.errors.metric: expected one metric selector such as name{label="value"} '
        '(Pyrra adds rate() itself), got \'sum(rate(http_requests_total{service="user-service",code=~"5.."}[5m]))\'',
        ":18: spec.indicator.ratio.grouping: expected a list of label names",
        ':32: spec.indicator.latency.success.metric: expected an le matcher: the histogram bucket of the latency '
        'target, e.g. le="0.5"'],
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_fixture_problems(name):
    path = FIXTURES / name
    specs = load_slo_paths([path])
    assert specs.slos == ()
    assert problems(specs) == [f"{path}{message}" for message in BROKEN[name]]


def test_every_fixture_is_covered():
    covered = set(BROKEN) | {"ratio-grouping.yaml", "latency.yaml", "bool-gauge.yaml", "latency-native.yaml"}
    assert {p.name for p in FIXTURES.glob("*.yaml")} == covered


@pytest.mark.parametrize("spec, expected", [
    (RATIO.replace('"99.9"', '"high"'), ":8: spec.target: not a number: 'high'"),
    (RATIO.replace('"99.9"', '"nan"'), ":8: spec.target: not a number: 'nan'"),
    (RATIO.replace('"99.9"', '"0.995"'),
     ':8: spec.target: target 0.995 is a percentage: 0.995 means 0.995 %; for 99.5 % write "99.5"'),
    (RATIO.replace("4w", "0s"), ":9: spec.window: the window must be longer than 0"),
    (RATIO.replace("4w", "30 days"), ":9: spec.window: not a Prometheus duration: '30 days'"),
    (RATIO.replace("window: 4w", "windw: 4w"), ":9: spec.windw: unknown key"),
    (RATIO.replace("indicator:", "indicators:"), ":10: spec.indicators: unknown key"),
    (RATIO.replace("    errors:", "    error:"), ":12: spec.indicator.ratio.error: unknown key"),
    (RATIO.replace("    errors:", "    error:"), ":12: spec.indicator.ratio.errors: missing (required)"),
    (RATIO.replace("errors: {metric:", "errors: {query:"), ":12: spec.indicator.ratio.errors.query: unknown key"),
    (RATIO.replace("  ratio:", "  ratio: 5\n  bogus:"), ":12: spec.indicator.bogus: unknown key"),
    (RATIO.replace("  ratio:", "  ratio: 5\n  bogus:"), ":11: spec.indicator.ratio: expected a mapping, got a number"),
    (RATIO + "  latency: {}\n", ":10: spec.indicator: expected exactly one of ratio, latency, latencyNative, "
                                "bool_gauge; got ratio, latency"),
    ('target: "99"\nwindow: 4w\nindicator: {}\n', ":10: spec.indicator: expected exactly one of ratio, latency"),
    ('target: "99"\nwindow: 4w\n', ":8: spec.indicator: missing (required)"),
    (RATIO.replace('total: {metric: \'http_requests_total{service="api-server"}\'}', "total: {metric: 'rate(x[5m])'}"),
     ":13: spec.indicator.ratio.total.metric: expected one metric selector"),
])
def test_problems_name_file_line_and_key(tmp_path, spec, expected):
    specs = load(tmp_path, resource(spec))
    assert specs.slos == ()
    assert any(p.startswith(f"{tmp_path / 'slos.yaml'}{expected}") for p in problems(specs)), problems(specs)


@pytest.mark.parametrize("text, expected", [
    ("apiVersion: pyrra.dev/v1alpha1\nkind: PrometheusRule\n",
     ":2: kind: unsupported Pyrra resource 'pyrra.dev/v1alpha1' 'PrometheusRule'"),
    ("apiVersion: pyrra.dev/v1beta1\nkind: ServiceLevelObjective\n", ":1: apiVersion: unsupported Pyrra resource"),
    ("apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\nspec: {}\n", ":1: metadata: missing (required)"),
    ("apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\nmetadata: {name: x, labels: a}\nspec: {}\n",
     ":3: metadata.labels: expected a mapping, got a string"),
    ("apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\nmetadata:\n  name: x\n  labels:\n"
     "    pyrra.dev/service: {a: b}\nspec: {}\n", ":6: metadata.labels.pyrra.dev/service: expected the service's "
                                                 "name as text"),
])
def test_resource_level_problems(tmp_path, text, expected):
    specs = load(tmp_path, text)
    assert specs.slos == ()
    assert any(p.startswith(f"{tmp_path / 'slos.yaml'}{expected}") for p in problems(specs)), problems(specs)


def test_same_name_in_two_namespaces_for_one_service_is_a_duplicate(tmp_path):
    first = resource(RATIO).replace("  name: errors\n", "  name: errors\n  namespace: a\n")
    second = resource(RATIO.replace("99.9", "99.5")).replace("  name: errors\n", "  name: errors\n  namespace: b\n")
    specs = load(tmp_path, first + "---\n" + second)
    assert [s.labels["namespace"] for s in specs.slos] == ["a"]
    [problem] = problems(specs)
    assert f"slos.yaml:22: metadata.labels.pyrra.dev/service: duplicate SLO api-server/errors (first defined at " \
           f"{tmp_path / 'slos.yaml'}:4)" in problem


@pytest.mark.parametrize("name", ["ratio-grouping.yaml", "latency.yaml", "bool-gauge.yaml"])
def test_never_raises_on_damaged_files(tmp_path, name):
    """Each line in turn replaced by junk: problems, never an exception."""
    lines = (FIXTURES / name).read_text().splitlines()
    path = tmp_path / "damaged.yaml"
    damaged = 0
    for i, line in enumerate(lines):
        junk = line.split(":")[0] + ": [x, {y: 1}]" if ":" in line else "- ["
        path.write_text("\n".join(lines[:i] + [junk] + lines[i + 1:]))
        damaged += bool(load_slo_paths([path]).problems)
    assert damaged > len(lines) // 2


def test_a_kubectl_list_of_resources_loads_each_item(tmp_path):
    """`kubectl get slo -A -o yaml` writes one List whose items are the resources."""
    first = textwrap.indent(resource(RATIO, name="errors"), "  ")
    second = textwrap.indent(resource(RATIO.replace('"99.9"', '"0.5"'), name="typo"), "  ")
    listing = "apiVersion: v1\nkind: List\nitems:\n- " + first.lstrip() + "- " + second.lstrip()
    specs = load(tmp_path, listing)
    assert [slo.name for slo in specs.slos] == ["errors"]
    line = listing.splitlines().index('    target: "0.5"') + 1
    assert problems(specs) == [f"{tmp_path / 'slos.yaml'}:{line}: spec.target: target 0.5 is a percentage: "
                               '0.5 means 0.5 %; for 50 % write "50"']
    broken = load(tmp_path, "apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjectiveList\nitems: 3\n")
    assert problems(broken) == [f"{tmp_path / 'slos.yaml'}:3: items: expected a list of resources, got a number"]
