"""`cockpit status --json` and the app exit within a second of being asked
to (SIGINT; `q`) while requests to a Prometheus and an Alertmanager hang:
real processes against a loopback server that accepts every request and
never answers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hanging_proxy import hanging_proxy
from pty_app import app_after_q, status_after_sigint

pytestmark = pytest.mark.integration

EXIT_WITHIN_S = 1.0


def write_config(folder: Path, hung_url: str) -> Path:
    (folder / "slos.yaml").write_text(
        'version: "prometheus/v1"\nservice: "api"\nslos:\n  - name: "availability"\n    objective: 99.9\n'
        "    sli:\n      events:\n        error_query: 'sum(rate(errors[{{.window}}]))'\n"
        "        total_query: 'sum(rate(requests[{{.window}}]))'\n")
    config = folder / "cockpit.yaml"
    config.write_text(f"data_dir: {folder / 'data'}\nsources:\n"
                      f"  - {{kind: prometheus, url: '{hung_url}', slos: [slos.yaml], timeout: 60s}}\n"
                      f"  - {{kind: alertmanager, urls: ['{hung_url}'], timeout: 60s}}\n")
    return config


def environment(folder: Path) -> dict[str, str]:
    env = {**os.environ, "HOME": str(folder), "XDG_DATA_HOME": str(folder / "xdg-data"),
           "XDG_CONFIG_HOME": str(folder / "xdg-config"), "XDG_STATE_HOME": str(folder / "xdg-state"),
           "TERM": "xterm-256color"}
    env.pop("COCKPIT_CONFIG", None)
    return env


def both_hung(proxy) -> bool:
    """Requests of both sources are held (the Prometheus one and the Alertmanager one)."""
    paths = set(proxy.hung)
    return any(p.startswith("/api/v1/") for p in paths) and "/api/v2/alerts/groups" in paths


def test_status_json_exits_within_a_second_of_sigint(tmp_path):
    with hanging_proxy("", hang=[""]) as hung:
        took, code, stderr = status_after_sigint(write_config(tmp_path, hung.url), environment(tmp_path), tmp_path,
                                                 lambda: both_hung(hung), "both sources' requests to hang")
    assert took < EXIT_WITHIN_S, f"exited {took:.2f}s after SIGINT"
    assert code == 130 and "Traceback" not in stderr, stderr


def test_the_app_exits_within_a_second_of_q(tmp_path):
    with hanging_proxy("", hang=[""]) as hung:
        took, code, screen = app_after_q(write_config(tmp_path, hung.url), environment(tmp_path), tmp_path,
                                         lambda: both_hung(hung), "both sources' requests to hang")
    assert took < EXIT_WITHIN_S, f"exited {took:.2f}s after q"
    assert code == 0 and b"Traceback" not in screen
