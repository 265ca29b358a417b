"""Drill scenarios (config/drills/*.yaml), `cockpit drill`, the drill source
and the scoring, headless."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from cockpit.bundled import CONFIG as BUNDLED_DIR
from cockpit.cli import main
from cockpit.clock import DEMO_TIME, SimulatedClock
from cockpit.config import BUNDLED_CONFIG, load_config
from cockpit.drills.debrief import answers, score
from cockpit.drills.sandbox import build_sandbox
from cockpit.drills.scenario import drills_folder, load_scenario, parse_scenario, scenario_file, scenario_files
from cockpit.drills.timeline import Done
from cockpit.writes import Action

GUIDE = {"high-error-rate": "High error rate at the API", "database-slowdown": "Database slowdown on postgres-primary",
         "cache-outage": "Cache outage (redis-cache down)"}


def test_the_guides_three_drills_are_bundled_and_valid():
    files = scenario_files(drills_folder(BUNDLED_CONFIG))
    assert {path.stem: load_scenario(path).title for path in files} == GUIDE
    for path in files:
        scenario = load_scenario(path)
        assert scenario.runbook and scenario.expected and all(p.exists() for p in scenario.slo_paths)


def test_drill_list_prints_name_and_title_one_a_line(capsys):
    assert main(["drill", "--list", "--config", str(BUNDLED_CONFIG)]) == 0
    assert capsys.readouterr().out.splitlines() == [f"{name}\t{title}" for name, title in sorted(GUIDE.items())]


def test_an_unknown_scenario_is_a_clear_error_with_exit_2(capsys):
    assert main(["drill", "no-such-drill", "--config", str(BUNDLED_CONFIG)]) == 2
    err = capsys.readouterr().err
    assert "no drill scenario 'no-such-drill'" in err and "high-error-rate" in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [["drill"], ["drill", "high-error-rate", "--list"]])
def test_drill_takes_either_a_scenario_or_list(argv, capsys):
    assert main(argv) == 2
    assert "either SCENARIO or --list" in capsys.readouterr().err


BAD = """title: Broken drill
duration: 10m
runbook: high-error-rate.md
slos: [../slos.yaml]
timeline:
  - {at: 0s, hint: fine}
  - {at: soon, hint: when?}
expect:
  - {do: dance, within: 5m, why: nobody knows}
"""


@pytest.fixture
def config_with_bad_drill(tmp_path) -> Path:
    (tmp_path / "cockpit.yaml").write_text(f"sources:\n  - {{kind: catalog, path: {BUNDLED_DIR / 'services.yaml'}}}\n",
                                           encoding="utf-8")
    (tmp_path / "drills").mkdir()
    shutil.copy(BUNDLED_DIR / "drills" / "cache-outage.yaml", tmp_path / "drills" / "cache-outage.yaml")
    (tmp_path / "drills" / "broken.yaml").write_text(BAD, encoding="utf-8")
    return tmp_path / "cockpit.yaml"


def test_a_bad_scenario_is_reported_by_file_line_and_key(config_with_bad_drill, capsys):
    bad = config_with_bad_drill.parent / "drills" / "broken.yaml"
    assert main(["drill", "broken", "--config", str(config_with_bad_drill)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert f"{bad}:7: timeline[1].at: expected a duration" in err[0]
    assert err[1].startswith(f"{bad}:9: expect[0].do: unknown answer 'dance'")
    assert main(["drill", "--list", "--config", str(config_with_bad_drill)]) == 2  # the good one still listed
    out = capsys.readouterr()
    assert out.out == "cache-outage\tCache outage (redis-cache down)\n" and "broken.yaml:7" in out.err


def test_cockpit_check_covers_the_drills_beside_the_config(config_with_bad_drill, capsys):
    assert main(["check", "--config", str(config_with_bad_drill)]) == 2
    assert "broken.yaml:7: timeline[1].at" in capsys.readouterr().out
    (config_with_bad_drill.parent / "drills" / "broken.yaml").unlink()
    assert main(["check", "--config", str(config_with_bad_drill)]) == 0
    assert "1 drills" in capsys.readouterr().out


def test_an_event_needs_exactly_one_kind(tmp_path):
    path = tmp_path / "two.yaml"
    path.write_text(BAD.replace("{at: soon, hint: when?}", "{at: 1m, hint: a, clear: B}"), encoding="utf-8")
    _, problems = parse_scenario(path)
    assert any(p.line == 7 and p.key == "timeline[1]" and "exactly one of" in p.message for p in problems)


# -- the drill source and the scoring -------------------------------------------

def sandbox(tmp_path, name="database-slowdown"):
    config = replace(load_config(BUNDLED_CONFIG), data_dir=tmp_path, user="trainee")
    clock = SimulatedClock(DEMO_TIME, monotonic=lambda: 0.0)
    return build_sandbox(config, load_scenario(scenario_file(drills_folder(BUNDLED_CONFIG), name)), clock=clock)


def drill_alerts(snapshot) -> dict[str, str]:
    return {i.labels["alertname"]: i.status for i in snapshot.incidents if i.labels.get("drill")}


def test_the_timeline_fires_burns_and_clears_at_the_simulated_time(tmp_path):
    box = sandbox(tmp_path)

    async def at(minutes):
        box.clock.advance(DEMO_TIME + timedelta(minutes=minutes) - box.clock())
        return await box.hub.refresh_all()

    before = asyncio.run(at(1))
    assert drill_alerts(before) == {}
    during = asyncio.run(at(12))  # the 5m window all after the 6m burn
    assert drill_alerts(during) == {"PostgresSlowQueries": "firing", "ApiLatencyHigh": "firing"}
    burn = {s.slo.key: s.burn_rates["5m"] for s in during.slos}
    assert burn["postgres-primary/db_availability"] == pytest.approx(12, rel=0.05)
    assert burn["api-server/api_availability"] < 1
    assert drill_alerts(asyncio.run(at(25))) == {}


def test_a_silence_by_matchers_silences_what_it_selects_and_is_written_down(tmp_path):
    box = sandbox(tmp_path)
    box.clock.advance(timedelta(minutes=3))
    asyncio.run(box.hub.refresh_all())
    result = asyncio.run(box.hub.perform("drill", Action("silence", "", {
        "matchers": 'alertname="ApiLatencyHigh"', "comment": "symptom", "duration": "1h"})))
    assert result.ok
    assert drill_alerts(box.hub.snapshot()) == {"PostgresSlowQueries": "firing", "ApiLatencyHigh": "silenced"}
    [done] = box.timeline.by_person()
    assert (done.what, done.alerts, done.at) == ("silence", ("ApiLatencyHigh",), timedelta(minutes=3))
    refused = asyncio.run(box.hub.perform("drill", Action("silence", "", {"matchers": 'alertname="X"'})))
    assert not refused.ok and not box.timeline.by_person()[-1].ok  # no comment: refused, and written down so


def test_answers_count_only_the_right_write_in_time(tmp_path):
    scenario = sandbox(tmp_path, "high-error-rate").scenario
    done = [
        Done(timedelta(minutes=1), "ack", "ack", alerts=("CronJobFailed",)),  # the wrong alert
        Done(timedelta(minutes=7), "ack", "ack", alerts=("HighErrorRate",)),  # late (5m)
        Done(timedelta(minutes=2), "runbook", "opened", params={"path": "cache-outage.md"}),  # the wrong runbook
        Done(timedelta(minutes=3), "declare", "declare", ok=False, params={"severity": "P1", "services": ["api-server"]}),
        Done(timedelta(minutes=4), "declare", "declare", params={"severity": "P2", "services": ["api-server"]}),
        Done(timedelta(minutes=5), "declare", "declare", params={"severity": "P1", "services": ["api-server"]}),
    ]
    found = answers(scenario, done)
    assert [(a.done.at if a.done else None, a.on_time) for a in found] == [
        (timedelta(minutes=7), False), (None, False), (timedelta(minutes=5), True), (None, False)]
    assert score(found) == 0.25


def test_the_right_silence_hides_the_symptom_not_the_page(tmp_path):
    scenario = sandbox(tmp_path).scenario  # database-slowdown: ack PostgresSlowQueries, silence ApiLatencyHigh
    both = Done(timedelta(minutes=6), "silence", "silence", alerts=("PostgresSlowQueries", "ApiLatencyHigh"))
    symptom = Done(timedelta(minutes=8), "silence", "silence", alerts=("ApiLatencyHigh",))
    [silence] = [a for a in answers(scenario, [both, symptom]) if a.expected.do == "silence"]
    assert silence.done is symptom and silence.on_time
