"""Every benchmark under bench/ runs in its quick mode (a smoke test, not
timed), so none rots unseen: bench/slo_refresh.py once broke on an import
and nothing said so."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from run import BENCHMARKS  # noqa: E402


def test_every_benchmark_file_is_in_the_table():
    scripts = {p.stem for p in (ROOT / "bench").glob("*.py")}
    helpers = {"run", "table", "pty_run", "bare_app", "scale_world"}
    assert scripts - helpers == set(BENCHMARKS)


@pytest.mark.integration
@pytest.mark.parametrize("name", BENCHMARKS)
def test_the_benchmark_runs_in_quick_mode_and_prints_its_rows(name):
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick", name], capture_output=True,
                         text=True, timeout=600, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = run.stdout.splitlines()
    assert lines[0].startswith("Machine: ") and "CPUs" in lines[0]
    body = [line for line in lines[3:] if line.startswith("| ")]
    assert body, run.stdout
    assert not any("skipped" in line for line in body), run.stdout  # the servers are installed here
    assert not any("| nan" in line or "nan " in line for line in body), run.stdout
