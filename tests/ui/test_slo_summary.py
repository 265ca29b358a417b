"""The SLO detail's summary says what an OpenSLO SLO budgets over: a
calendar period so far, time slices, the service's own description."""

from pathlib import Path

from cockpit.slo import evaluate
from cockpit.slo_specs import load_slo_paths
from cockpit.panels.slos import summary

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "realworld" / "openslo" / "pkg" / "openslo"


def test_a_calendar_timeslice_slo_and_its_service_description(tmp_path):
    (tmp_path / "service.yaml").write_text("apiVersion: openslo/v1\nkind: Service\nmetadata: {name: web}\n"
                                           "spec: {description: The public web site}\n")
    specs = load_slo_paths([FIXTURES / "v1" / "examples" / "slos.yaml", tmp_path / "service.yaml"])
    slo, = specs.slos
    text = summary(evaluate(slo, None, {})).plain
    assert "The public web site" in text
    assert "Objective 99.5% of 1m slices ≥ 95% over this calendar 1w (America/New_York) so far" in text


def test_a_rolling_slo_keeps_its_window():
    slo, = load_slo_paths([FIXTURES.parent / "openslosdk" / "test_data" / "decode" / "v1_slos.yaml"]).slos
    assert "Objective 98% over 30d" in summary(evaluate(slo, None, {})).plain
