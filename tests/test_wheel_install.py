"""The cockpit installed as a tool: the wheel built from this checkout, in a
fresh venv outside it, runs the bundled demo (no config/ or runbooks/ folder
next to it). Slow (a build and a pip install), so every check is one test:
the build runs once per test session, on one worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.wheel

REPO = Path(__file__).resolve().parent.parent

# The TUI, headless, on the demo: the overview shows, a key switches panels.
HEADLESS_TUI = textwrap.dedent("""
    import asyncio, json
    from cockpit.ui.app import make_app

    async def main():
        app = make_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            shown = [app.query_one("#panels").current]
            await pilot.press("2")
            await pilot.pause()
            shown.append(app.query_one("#panels").current)
            print(json.dumps({"shown": shown, "services": len(app.snapshot.services),
                              "runbooks": len(app.snapshot.runbooks)}))
            await pilot.press("q")

    asyncio.run(main())
""")


def _run(args: list[str], cwd: Path, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def test_the_wheel_installs_and_runs_the_demo_outside_a_checkout(tmp_path_factory):
    started = time.monotonic()
    outside = tmp_path_factory.mktemp("outside")
    assert REPO not in outside.parents
    home = outside / "home"
    home.mkdir()
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
           "XDG_DATA_HOME": str(home / ".local/share"), "XDG_STATE_HOME": str(home / ".local/state"),
           "COCKPIT_LOG_FILE": str(outside / "cockpit.log"), "LANG": "C.UTF-8"}
    env.update({k: v for k, v in os.environ.items() if k.startswith("PIP_")})  # the machine's registries

    dist = outside / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)], cwd=outside, env=env)
    wheel, = dist.glob("cockpit-*.whl")
    venv = outside / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=outside, env=env)
    _run([str(venv / "bin/pip"), "install", "-q", str(wheel)], cwd=outside, env=env, timeout=600)
    cockpit = str(venv / "bin/cockpit")

    where = _run([str(venv / "bin/python"), "-c", "import cockpit, sys; print(cockpit.__file__)"], outside, env)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout
    assert _run([cockpit, "--version"], outside, env).stdout.startswith("cockpit ")
    check = _run([cockpit, "check"], outside, env)
    assert "site-packages/cockpit/bundled/config/cockpit.yaml: OK" in check.stdout, check.stdout
    status = json.loads(_run([cockpit, "status", "--json"], outside, env).stdout)
    states = {s["name"]: s["state"] for s in status["sources"]}
    assert states["runbooks"] == "ok" and states["flags"] == "ok", status["sources"]  # flagd's schema ships too
    assert any(f["kill_switch"] for f in status["flags"]), status["flags"]
    assert status["services"] and status["slos"], sorted(status)

    tui = _run([str(venv / "bin/python"), "-c", HEADLESS_TUI], outside, env, timeout=120)
    seen = json.loads(tui.stdout.strip().splitlines()[-1])
    assert seen["shown"] == ["overview", "services"], tui.stdout
    assert seen["services"] > 10 and seen["runbooks"] > 10, tui.stdout
    print(f"wheel build + install + checks: {time.monotonic() - started:.1f}s")

