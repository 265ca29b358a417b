"""`cockpit status --json` and the app, real processes with a Prometheus,
an Alertmanager and a PagerDuty source all at the fault server, exit within
a second of SIGINT / `q` while it drips a byte a second or never answers,
and print no traceback."""

from __future__ import annotations

import pytest

from fault_world import PD_TOKEN, SLO_FILE
from pty_app import app_after_q, status_after_sigint
from test_exit_while_hung import EXIT_WITHIN_S, environment as exit_environment

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


def environment(folder):
    return {**exit_environment(folder), "PD_TOKEN": PD_TOKEN}


def every_kind_held(faults) -> bool:
    return faults.requests[faults.mode] >= 3 and faults.held.is_set()


@pytest.mark.parametrize("fault", ["drip", "hang"])
def test_status_json_exits_within_a_second_of_sigint(fault, faults, tmp_path):
    faults.set(fault)
    took, code, stderr = status_after_sigint(write_config(tmp_path, faults.url), environment(tmp_path), tmp_path,
                                             lambda: every_kind_held(faults), f"the sources' requests to {fault}")
    assert took < EXIT_WITHIN_S, f"exited {took:.2f}s after SIGINT"
    assert code == 130 and "Traceback" not in stderr, stderr


@pytest.mark.parametrize("fault", ["drip", "hang"])
def test_the_app_exits_within_a_second_of_q(fault, faults, tmp_path):
    faults.set(fault)
    took, code, screen = app_after_q(write_config(tmp_path, faults.url), environment(tmp_path), tmp_path,
                                     lambda: every_kind_held(faults), f"the sources' requests to {fault}")
    assert took < EXIT_WITHIN_S, f"exited {took:.2f}s after q"
    assert code == 0 and b"Traceback" not in screen
