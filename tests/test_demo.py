"""The demo source: deterministic, lively, and every tier on the bundled default."""

import asyncio
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cockpit.clock import DEMO_TIME, fixed_clock
from cockpit.sources import load_kind
from cockpit.sources.base import SourceContext, SourceError, SourceSpec
from cockpit.sources.demo import DemoSource
from cockpit.yamlfile import load_yaml_file

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "config"


def make_spec(base_dir=CONFIG, **options):
    options.setdefault("slos", ["slos.yaml"])
    return SourceSpec(kind="demo", name="demo", refresh=timedelta(seconds=30), timeout=timedelta(seconds=10),
                      options=options, base_dir=base_dir, config_file=str(base_dir / "cockpit.yaml"), line=3)


def fetch(at=DEMO_TIME, spec=None):
    source = DemoSource(spec or make_spec(rotations="oncall.yaml"), SourceContext(clock=fixed_clock(at)))
    return asyncio.run(source.fetch())


@pytest.fixture(scope="module")
def bundled():
    return fetch()


def test_registered_under_its_kind():
    assert load_kind("demo") is DemoSource
    assert DemoSource.demo is True
    assert DemoSource.provides == {"slos", "incidents", "oncall", "backups", "pages"}


def test_pages_go_to_level_one_of_each_rotation_and_some_shift_is_over_the_guides_five():
    from cockpit.oncall_health import OncallSettings, shift_health

    data = fetch()
    level_one = {o.user for o in data.oncall if o.level == 1}  # this week's
    assert data.pages and all(p.demo and p.at <= DEMO_TIME for p in data.pages)
    assert {p.user for p in data.pages if p.at > DEMO_TIME - timedelta(days=4)} <= level_one
    rows = shift_health(data.pages, (), lambda page: True, DEMO_TIME, OncallSettings())
    assert any(row.over_limit for row in rows) and not all(row.over_limit for row in rows)
    assert fetch().pages == data.pages


def test_same_clock_same_data():
    assert fetch() == fetch()


def test_same_clock_same_data_in_another_process():
    """No per-process randomness (Python's hash() is salted per process)."""
    code = ("import asyncio, sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
            "from test_demo import fetch; d = fetch();"
            "print([(s.slo.key, s.budget_remaining, tuple(s.burn_rates.items()), s.history) for s in d.slos],"
            " [(i.id, i.started_at) for i in d.incidents])")
    outputs = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent)], env=env,
                              capture_output=True, text=True, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_another_clock_other_numbers(bundled):
    later = fetch(DEMO_TIME + timedelta(minutes=10))
    assert [s.slo for s in later.slos] == [s.slo for s in bundled.slos]
    assert [s.burn_rates for s in later.slos] != [s.burn_rates for s in bundled.slos]


def test_drifts_slowly(bundled):
    later = fetch(DEMO_TIME + timedelta(seconds=30))
    for before, after in zip(bundled.slos, later.slos):
        assert before.tier == after.tier
        if before.budget_remaining is not None:
            assert abs(before.budget_remaining - after.budget_remaining) < 0.01


def test_every_tier_on_the_bundled_default(bundled):
    tiers = [s.tier for s in bundled.slos]
    for tier in ("healthy", "warning", "critical", "exhausted"):
        assert tier in tiers
    assert tiers.count("healthy") > len(tiers) / 2  # most are fine
    assert [s.data for s in bundled.slos].count("insufficient_traffic") == 1
    thin = next(s for s in bundled.slos if s.data == "insufficient_traffic")
    assert thin.budget_remaining is None and thin.sli_value is None and not thin.history


@pytest.mark.parametrize("hours", [0, 5, 29, 77, 24 * 9 + 13, 24 * 40])
def test_every_tier_and_a_page_at_any_time(hours):
    data = fetch(DEMO_TIME + timedelta(hours=hours))
    assert {"healthy", "warning", "critical", "exhausted"} <= {s.tier for s in data.slos}
    assert any(a.startswith("page-") for s in data.slos for a in s.alerts_firing)


def test_one_slo_is_burning_at_page_level_now(bundled):
    paging = [s for s in bundled.slos if any(a.startswith("page-") for a in s.alerts_firing)]
    assert paging
    fastest = max(paging, key=lambda s: s.burn_rates["1h"])
    # Burning far above sustainable means the budget runs out within days.
    assert fastest.exhaustion_eta_s is not None and fastest.exhaustion_eta_s < 7 * 86400


def test_statuses_are_labelled_demo(bundled):
    assert all(s.demo and s.source == "demo" for s in bundled.slos)
    assert all(i.demo and i.source == "demo" for i in bundled.incidents)


def test_history_ends_at_the_current_budget(bundled):
    for status in bundled.slos:
        if status.data == "ok":
            assert len(status.history) == 60
            assert status.history[-1] == pytest.approx(status.budget_remaining, abs=1e-9)


def test_history_is_placed_in_time(bundled):
    for status in bundled.slos:
        if status.history:
            assert status.history_end == DEMO_TIME and status.history_step == status.slo.window / 60
        else:  # low traffic: nothing to place
            assert status.history_end is None and status.history_step is None
    assert any(s.history for s in bundled.slos) and any(not s.history for s in bundled.slos)


def test_each_history_point_is_the_budget_a_fetch_at_its_time_reports(bundled):
    """Ten steps back, the history equals what the demo said then. The paging
    SLO is left out: its ongoing outage restarts relative to the clock."""
    earlier: dict = {}
    checked = 0
    for status in bundled.slos:
        if not status.history or any(a.startswith("page-") for a in status.alerts_firing):
            continue
        then = status.history_end - 10 * status.history_step
        if then not in earlier:
            earlier[then] = {s.slo.key: s for s in fetch(at=then).slos}
        assert status.history[-11] == pytest.approx(earlier[then][status.slo.key].budget_remaining, abs=1e-9)
        checked += 1
    assert checked >= 5


def test_policy_comes_from_the_slo_file(bundled):
    assert [t.name for t in bundled.policy] == ["healthy", "warning", "critical", "exhausted"]
    assert "Action: Ship features as usual" in bundled.policy[0].actions


# -- alerts ---------------------------------------------------------------------

def test_firing_alerts(bundled):
    alerts = bundled.incidents
    assert alerts and all(a.kind == "alert" and a.status == "firing" for a in alerts)
    for alert in alerts:
        assert {"alertname", "service", "severity"} <= set(alert.labels)
        assert alert.annotations["summary"] and alert.annotations["runbook"]
        assert alert.started_at <= DEMO_TIME
        assert alert.labels["service"] == alert.service
    assert len({a.id for a in alerts}) == len(alerts)
    burning = {s.slo.key for s in bundled.slos if s.alerts_firing}
    from_slos = {f"{a.service}/{a.labels['slo']}" for a in alerts if "slo" in a.labels}
    assert from_slos == burning
    page = [a for a in alerts if a.labels.get("sloth_severity") == "page"]
    assert page and all(a.severity == "P1" and a.labels["severity"] == "critical" for a in page)


def test_one_alert_is_for_a_service_no_catalog_knows(bundled):
    catalog = set(load_yaml_file(CONFIG / "services.yaml")["services"])
    unowned = [a for a in bundled.incidents if a.service not in catalog]
    assert len(unowned) == 1
    owned = [a for a in bundled.incidents if a.service in catalog]
    assert owned


def test_alert_ids_are_stable_while_it_fires(bundled):
    later = fetch(DEMO_TIME + timedelta(minutes=1))
    assert {a.id for a in later.incidents} & {a.id for a in bundled.incidents}


# -- on-call --------------------------------------------------------------------

def write_rotations(tmp_path, text):
    (tmp_path / "slos.yaml").write_text((CONFIG / "slos.yaml").read_text())
    (tmp_path / "oncall.yaml").write_text(text)
    return make_spec(tmp_path, rotations="oncall.yaml")


def test_rotation_turns_weekly_at_the_monday_handoff(tmp_path):
    spec = write_rotations(tmp_path, "rotations:\n  api-server:\n    - [a, b, c, d]\n    - lead\n")

    def on_call(at):
        return {(o.level, o.user, o.until) for o in fetch(at, spec).oncall}

    # Handoffs are Mondays 09:00 UTC from Monday 2024-01-01. DEMO_TIME,
    # Saturday 2026-11-28 03:00, is 1062 days less 6 hours later: week 151,
    # and 151 % 4 = 3, so the fourth person holds the pager until Monday 30th.
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
    assert on_call(DEMO_TIME) == {(1, "d", monday), (2, "lead", None)}
    assert on_call(monday - timedelta(minutes=1)) == {(1, "d", monday), (2, "lead", None)}
    assert on_call(monday) == {(1, "a", monday + timedelta(weeks=1)), (2, "lead", None)}


def test_bundled_rotations_cover_on_call_services(bundled):
    services = load_yaml_file(CONFIG / "services.yaml")["services"]
    on_call = {name for name, s in services.items() if s.get("on_call")}
    assert {o.service for o in bundled.oncall} == on_call
    assert all({1, 2} <= {o.level for o in bundled.oncall if o.service == s} for s in on_call)


def test_bad_rotations_are_problems_with_lines(tmp_path):
    spec = write_rotations(tmp_path, "rotations:\n  api-server:\n    - [a, 3]\n  web-frontend: nobody\n")
    result = DemoSource.check(spec)
    where = str(tmp_path / "oncall.yaml")
    assert [str(p) for p in result.problems] == [
        f"{where}:3: rotations.api-server[0]: expected a person or a non-empty list of people",
        f"{where}:4: rotations.web-frontend: expected a list of levels, each a person or a list of people",
    ]
    data = fetch(spec=spec)  # the good rotations are used, the bad ones listed
    assert data.warnings == tuple(f"not loaded: {p}" for p in result.problems)
    assert data.oncall == ()  # both rotations are broken


# -- check ------------------------------------------------------------------------

def test_check_of_the_bundled_default():
    result = DemoSource.check(make_spec(rotations="oncall.yaml"))
    assert result.problems == []
    slo_refs = [r for r in result.refers if r.what == "SLO"]
    assert len(slo_refs) == 25 and all(r.line > 0 for r in slo_refs)
    assert {r.what for r in result.refers} == {"SLO", "on-call rotation"}


def test_a_refused_slo_file_is_listed_in_the_warnings_and_the_rest_is_shown(tmp_path):
    (tmp_path / "slos.yaml").write_text("service: a\nslo_definitions:\n  x: {sli: nope, target: 99%}\n")
    (tmp_path / "good.yaml").write_text("version: prometheus/v1\nservice: b\nslos:\n"
                                        "  - {name: availability, objective: 99.9, sli: {raw: {error_ratio_query: q}}}\n")
    spec = make_spec(tmp_path, slos=["slos.yaml", "good.yaml"])
    (problem,) = DemoSource.check(spec).problems
    assert (problem.file, problem.line) == (str(tmp_path / "slos.yaml"), 3)
    data = fetch(spec=spec)
    assert [s.slo.key for s in data.slos] == ["b/availability"]
    [warning] = data.warnings
    assert warning == f"not loaded: {problem}" and "slos.yaml:3" in warning


def test_works_without_rotations_and_with_other_slo_files(tmp_path):
    (tmp_path / "slos.yaml").write_text(
        "version: prometheus/v1\nservice: shop\nslos:\n"
        + "".join(f"  - {{name: s{i}, objective: 99.9, sli: {{raw: {{error_ratio_query: q}}}}}}\n" for i in range(8)))
    data = fetch(spec=make_spec(tmp_path))
    assert data.oncall == ()
    assert {"healthy", "warning", "critical", "exhausted"} <= {s.tier for s in data.slos}
    assert data.incidents  # the unowned one at least


def test_a_profile_keeps_its_waves_and_episodes_packed():
    import sys

    from cockpit.sources.demo.simulation import packed, triples

    numbers = [(1.0, 2.0, 3.0), (4.0, 5.0, float("inf"))]
    assert list(triples(packed(numbers))) == numbers
    assert sys.getsizeof(packed(numbers * 5)) <= 30 * 8 + 200  # 10 tuples of 3 floats: ~1,400 bytes
