"""`cockpit status --json` and the app, real processes with a Prometheus,
an Alertmanager and a PagerDuty source all at the fault server, exit within
a second of SIGINT / `q` while it drips a byte a second or never answers,
and print no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from fault_world import PD_TOKEN, SLO_FILE
from pty_app import app_in_pty
from test_exit_while_hung import EXIT_WITHIN_S, environment, wait_for

pytestmark = pytest.mark.integration


def write_config(folder, url: str):
    (folder / "slos.yaml").write_text(SLO_FILE)
    config = folder / "cockpit.yaml"
    # Long timeouts: the requests are still in flight when the cockpit is asked to quit.
    config.write_text(f"data_dir: {folder / 'data'}\nsources:\n"
                      f"  - {{kind: prometheus, url: '{url}', slos: [slos.yaml], timeout: 60s}}\n"
                      f"  - {{kind: alertmanager, urls: ['{url}'], timeout: 60s}}\n"
                      f"  - {{kind: pagerduty, token: '${{PD_TOKEN}}', base_url: '{url}', timeout: 60s}}\n")
    return config


def every_kind_held(faults) -> bool:
    return faults.requests[faults.mode] >= 3 and faults.held.is_set()


@pytest.mark.parametrize("fault", ["drip", "hang"])
def test_status_json_exits_within_a_second_of_sigint(fault, faults, tmp_path):
    faults.set(fault)
    process = subprocess.Popen(
        [sys.executable, "-m", "cockpit.cli", "status", "--json", "--config", str(write_config(tmp_path, faults.url))],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**environment(tmp_path), "PD_TOKEN": PD_TOKEN},
        cwd=tmp_path)
    try:
        wait_for(lambda: every_kind_held(faults), f"the sources' requests to {fault}")
        asked = time.monotonic()
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        took = time.monotonic() - asked
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    stderr = process.stderr.read().decode()
    process.stdout.close()
    process.stderr.close()
    assert took < EXIT_WITHIN_S, f"exited {took:.2f}s after SIGINT"
    assert process.returncode == 130 and "Traceback" not in stderr, stderr


@pytest.mark.parametrize("fault", ["drip", "hang"])
def test_the_app_exits_within_a_second_of_q(fault, faults, tmp_path):
    faults.set(fault)
    env = {**environment(tmp_path), "PD_TOKEN": PD_TOKEN}
    with app_in_pty(["--config", str(write_config(tmp_path, faults.url))], env, tmp_path) as (process, screen, master):
        wait_for(lambda: b"Quit" in screen, "the app to draw its key hints")
        wait_for(lambda: every_kind_held(faults), f"the sources' requests to {fault}")
        asked = time.monotonic()
        os.write(master, b"q")
        process.wait(timeout=30)
        took = time.monotonic() - asked
    assert took < EXIT_WITHIN_S, f"exited {took:.2f}s after q"
    assert process.returncode == 0 and b"Traceback" not in screen
