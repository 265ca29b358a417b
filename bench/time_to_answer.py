"""Benchmark: how many keys and seconds the first answers of a page take at
80x24, from launch, on the bundled demo (a throw-away data dir):

(a) the alerting service's owner, who is on call now and its runbook, from
    the Overview the app opens on;
(b) a postmortem draft from a resolved incident, from the Incidents panel
    with that incident highlighted.

Keys are counted as pressed; seconds run from the app's start to the
answer on screen (each condition polled every 10 ms).

    .venv/bin/python bench/time_to_answer.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cockpit.config import BUNDLED_CONFIG, load_config  # noqa: E402
from cockpit.ui.app import make_app  # noqa: E402
from cockpit.writes import Action  # noqa: E402
from tests.ui.helpers import screen_text  # noqa: E402

SIZE = (80, 24)
WAIT_S = 30.0


async def _until(pilot, condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"no {what} after {WAIT_S:g}s")
        await pilot.pause(0.01)


def _app(data: Path):
    config = replace(load_config(BUNDLED_CONFIG), data_dir=data, audit_log=data / "audit.jsonl",
                     postmortems=data / "postmortems", keymap={})
    return make_app(config, read_only=False)


async def owner_oncall_runbook(data: Path) -> tuple[int, float]:
    """(keys, seconds from launch) to the top alert's owner, on-call and runbook."""
    started = time.monotonic()
    app = _app(data)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.snapshot is not None and any(i.is_open for i in app.snapshot.incidents),
                     "open incident")
        keys = ("i", "enter")
        await pilot.press(*keys)
        await _until(pilot, lambda: all(word in screen_text(app) for word in ("(owner ", "on call: ", "Runbook ")),
                     "owner, on-call and runbook on screen")
        return len(keys), time.monotonic() - started


async def draft_from_resolved(data: Path) -> tuple[int, float]:
    """(keys, seconds from the key) to a draft of a resolved incident, open."""
    app = _app(data)
    async with app.run_test(size=SIZE) as pilot:
        log = next(s.name for s in app.hub.sources if "declare" in s.actions)
        declared = await app.hub.perform(log, Action("declare", params={"title": "Checkout down", "severity": "P1"}))
        await app.hub.perform(log, Action("resolve", declared.target))
        await app.hub.refresh_all()
        await pilot.press("i", "h")  # to the incidents, resolved ones shown: not counted
        await pilot.pause()
        panel = app.query_one("#incidents")
        panel.table.select_key(f"{log}/{declared.target}")
        await pilot.pause()
        started = time.monotonic()
        keys = ("m",)
        await pilot.press(*keys)
        await _until(pilot, lambda: app.query_one("#postmortems").mode == "view"
                     and declared.target in screen_text(app), "the draft open")
        return len(keys), time.monotonic() - started


def _measure(measure, runs: int) -> tuple[set[int], list[float]]:
    results = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="cockpit-tta-") as tmp:
            results.append(asyncio.run(measure(Path(tmp))))
    return {k for k, _ in results}, [s for _, s in results]


MEASURES = (("owner, on call now, runbook from launch", owner_oncall_runbook, 3),
            ("postmortem draft from a resolved incident", draft_from_resolved, 2))


def rows(quick: bool = False) -> list:
    """bench/run.py's table rows: keys against the issue's bound, with the seconds."""
    sys.path.insert(0, str(ROOT / "bench"))
    from table import Row

    table = []
    for name, measure, most_keys in MEASURES:
        keys, seconds = _measure(measure, 1 if quick else 5)
        table.append(Row("time to answer (80x24)", name,
                         f"{max(keys)} keys, {statistics.median(seconds):.2f} s", "", f"<= {most_keys} keys",
                         max(keys) <= most_keys))
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for name, measure, _ in MEASURES:
        keys, seconds = _measure(measure, args.runs)
        print(f"{name}: {'/'.join(map(str, sorted(keys)))} keys, "
              f"median {statistics.median(seconds):.2f} s (min {min(seconds):.2f}, max {max(seconds):.2f}) "
              f"over {args.runs} runs at {SIZE[0]}x{SIZE[1]}")


if __name__ == "__main__":
    main()
