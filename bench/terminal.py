"""Benchmarks through a real pty (what a terminal over SSH receives):

1. start-up: process start to the first frame showing data on the bundled
   demo (the demo's burn-rate alerts on the Overview), next to a bare Textual
   app (Header, Static, Footer) started the same way, alternating, median;
   and the import of the app's modules next to importing Textual's.
2. over SSH: bytes written per idle minute (every source refreshing every
   5 s, nothing changing), next to the bare app; bytes per keystroke
   (switching panels).

    .venv/bin/python bench/terminal.py [--quick]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bare_app import MARKER  # noqa: E402
from pty_run import PtyRun  # noqa: E402
from table import Row, alternate, render, timed  # noqa: E402

from cockpit.tour import mark_seen  # noqa: E402

COCKPIT = [sys.executable, "-m", "cockpit.cli", "--config"]
BARE = [sys.executable, str(ROOT / "bench" / "bare_app.py")]
START_LIMIT_S = 30.0
REFRESH_S = 5.0  # the over-SSH runs' refresh interval


def demo_config(root: Path, *, demo: bool = True, refresh: str = "30s") -> Path:
    """The bundled demo's sources over the bundled files, its state under
    ``root``, as a user has it after their first start: the first-run tour
    seen (it shows once; over it, every refresh repaints the screen)."""
    mark_seen(root / "data", "bench", datetime.now(timezone.utc))
    bundled = ROOT / "config"
    sources = [f"  - {{kind: catalog, path: {bundled / 'services.yaml'}}}",
               f"  - {{kind: runbooks, path: {ROOT / 'runbooks'}}}",
               f"  - {{kind: incident-log, path: {root / 'incidents.db'}}}"]
    if demo:
        sources.append(f"  - {{kind: demo, slos: [{bundled / 'slos.yaml'}], rotations: {bundled / 'oncall.yaml'}}}")
    config = root / "cockpit.yaml"
    config.write_text(f"user: bench\nrefresh: {refresh}\ndata_dir: {root / 'data'}\naudit_log: {root / 'audit.jsonl'}\n"
                      f"postmortems: {root / 'pm'}\nsources:\n" + "\n".join(sources) + "\n", "utf-8")
    return config


def time_to_marker(argv: list[str], marker: bytes = MARKER.encode()) -> float:
    with PtyRun(argv) as run:
        if not run.read_until(lambda: run.first_seen(marker) is not None, START_LIMIT_S):
            raise RuntimeError(f"{argv[-1]}: {marker!r} never shown; it wrote {run.output()[-300:]!r}")
        return run.first_seen(marker)


def startup_rows(runs: int) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="cockpit-bench-") as tmp:
        config = demo_config(Path(tmp))
        cockpit, bare = alternate(lambda: time_to_marker([*COCKPIT, str(config)]), lambda: time_to_marker(BARE), runs)
    imports = [sys.executable, "-c", "import cockpit.ui.app, cockpit.hub, cockpit.config"]
    textual = [sys.executable, "-c", "import textual.app, textual.widgets"]
    ours, theirs = alternate(lambda: timed(lambda: subprocess.run(imports, check=True)),
                             lambda: timed(lambda: subprocess.run(textual, check=True)), runs)
    return [Row("start-up", "to first frame with data (demo, pty)", f"{cockpit:.2f} s", f"bare Textual {bare:.2f} s",
                "<= 1.5x", cockpit <= 1.5 * bare),
            Row("start-up", "  ratio", f"{cockpit / bare:.2f}x"),
            Row("start-up", "import the app's modules", f"{ours:.2f} s", f"import Textual {theirs:.2f} s")]


def idle_bytes(argv: list[str], seconds: float, settle: float = 4.0, change=None) -> float:
    """Bytes written per minute after the first frame, over ``seconds``;
    ``change()``, if given, runs once every refresh (5 s) meanwhile."""
    with PtyRun(argv) as run:
        run.read_until(lambda: run.first_seen(b"\x1b[") is not None, START_LIMIT_S)
        run.read_for(settle)  # the first refreshes and the panels behind the one shown
        since = run.chunks[-1][0] if run.chunks else 0.0
        left = seconds
        while left > 0:
            if change is not None:
                change()
            run.read_for(min(REFRESH_S, left))
            left -= REFRESH_S
        return len(run.output(since + 1e-9)) * 60.0 / seconds


def status_toggle(config: Path):
    """An incident in the incident log whose status flips at every call: one
    value on the Overview changing per refresh."""
    cli = [sys.executable, "-m", "cockpit.cli", "incident"]
    declared = subprocess.run([*cli, "declare", "--title", "Checkout errors", "--severity", "P2", "--service", "checkout-service",
                               "--config", str(config)], check=True, capture_output=True, text=True)
    incident = declared.stdout.split()[-1]
    statuses = iter(("identified", "investigating") * 1000)
    return lambda: subprocess.run([*cli, "status", incident, next(statuses), "--config", str(config)],
                                  check=True, capture_output=True)


def keystroke_bytes(config: Path, keys: int) -> float:
    with PtyRun([*COCKPIT, str(config)]) as run:
        run.read_until(lambda: run.first_seen(b"Overview") is not None, START_LIMIT_S)
        run.read_for(3.0)
        written = []
        for key in ("so" * keys)[:keys]:
            before = len(run.output())
            run.type(key.encode())
            run.read_for(0.5)
            written.append(len(run.output()) - before)
        return sorted(written)[len(written) // 2]


def ssh_rows(seconds: float, keys: int, quick: bool) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="cockpit-bench-") as tmp:
        config = demo_config(Path(tmp), demo=False, refresh="5s")
        cockpit, bare = alternate(lambda: idle_bytes([*COCKPIT, str(config)], seconds),
                                  lambda: idle_bytes(BARE, seconds), 1 if quick else 2)
        changing = idle_bytes([*COCKPIT, str(config)], seconds, change=status_toggle(config))
        switch = keystroke_bytes(config, keys)
    return [Row("over SSH", f"idle bytes/min (refresh 5 s, {seconds:.0f} s measured)", f"{cockpit:,.0f} B",
                f"bare Textual {bare:,.0f} B", "<= 2 KB/min", None if quick else cockpit <= 2048),
            Row("over SSH", "bytes/min, one incident's status changing per refresh", f"{changing:,.0f} B"),
            Row("over SSH", "panel switch (s/o), median", f"{switch:,.0f} B")]


def rows(quick: bool = False) -> list[Row]:
    if quick:
        return startup_rows(1) + ssh_rows(2.0, 2, quick)
    return startup_rows(5) + ssh_rows(60.0, 10, quick)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    print(render(rows(parser.parse_args().quick)))
