"""`cockpit drill SCENARIO` runs a fire drill in a sandbox (cockpit/drills/);
`cockpit drill --list` prints each scenario's name and title, one a line.
Scenarios are drills/*.yaml beside the config (the bundled three otherwise).
The listing and every error are headless; only running one opens the app."""

from __future__ import annotations

import sys

from cockpit.commands import EXIT_CONFIG, EXIT_OK, fail, load_config_or_report
from cockpit.config import resolve_config_path
from cockpit.drills.scenario import ScenarioError, drills_folder, load_scenario, parse_scenario, scenario_file, \
    scenario_files
from cockpit.untrusted import clean


def run_drill_list(config_path: str | None) -> int:
    folder = drills_folder(resolve_config_path(config_path))
    broken = 0
    for path in scenario_files(folder):
        scenario, problems = parse_scenario(path)
        if scenario is None:
            broken += 1
            for problem in problems:
                print(clean(problem, single_line=True), file=sys.stderr)
            continue
        print(f"{scenario.name}\t{clean(scenario.title, single_line=True)}")
    return EXIT_CONFIG if broken else EXIT_OK


def run_drill(config_path: str | None, name: str) -> int:
    config = load_config_or_report(config_path)
    if config is None:
        return EXIT_CONFIG
    folder = drills_folder(config.path)
    path = scenario_file(folder, name)
    if path is None:
        known = ", ".join(p.stem for p in scenario_files(folder)) or "none"
        return fail(f"no drill scenario {name!r} in {folder} (known: {known}; `cockpit drill --list`)", EXIT_CONFIG)
    try:
        scenario = load_scenario(path)
    except ScenarioError as error:
        for problem in error.problems:
            print(clean(problem, single_line=True), file=sys.stderr)
        return EXIT_CONFIG
    from cockpit.ui.drill import run_drill_app

    return run_drill_app(config, scenario)
