"""The options the fault work added, as `cockpit check` sees them:
max_response_bytes on every HTTP source, PagerDuty's token_file."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from fault_world import KINDS, options_for
from cockpit import secrets
from cockpit.config import parse_config
from cockpit.sources import load_kind
from cockpit.sources.base import SourceSpec
from cockpit.sources.pagerduty import read_token


def config_with(tmp_path: Path, kind: str, extra: str) -> Path:
    options = options_for(kind, "http://127.0.0.1:9", tmp_path)
    options.pop("token", None)
    written = ", ".join(f"{k}: {v!r}" if not isinstance(v, list) else f"{k}: {v}" for k, v in options.items())
    config = tmp_path / "cockpit.yaml"
    config.write_text(f"sources:\n  - {{kind: {kind}, {written}, {extra}}}\n")
    return config


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("value, size", [("16MiB", 16 * 2**20), ("512KiB", 512 * 1024), ("1048576", 2**20),
                                         ("2MB", 2_000_000)])
def test_max_response_bytes_takes_bytes_or_a_unit(kind, value, size, tmp_path):
    token = ", token_file: pd-token" if kind == "pagerduty" else ""
    (tmp_path / "pd-token").write_text("k3y-from-file-9981\n")
    config, problems = parse_config(config_with(tmp_path, kind, f"max_response_bytes: {value}{token}"))
    assert problems == [] and config.sources[0].options["max_response_bytes"] == size


@pytest.mark.parametrize("value", ["0", "-5", "lots", "16 parsecs", "true"])
def test_cockpit_check_refuses_a_bad_max_response_bytes(value, tmp_path):
    config = config_with(tmp_path, "alertmanager", f"max_response_bytes: {value}")
    done = subprocess.run([sys.executable, "-m", "cockpit.cli", "check", "--config", str(config)],
                          capture_output=True, text=True, env={**os.environ, "HOME": str(tmp_path)}, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{config}:2: sources[0].max_response_bytes: expected a size above 0" in done.stdout + done.stderr


def pd_spec(tmp_path: Path, **options) -> SourceSpec:
    return SourceSpec(kind="pagerduty", name="pd", refresh=timedelta(seconds=60), timeout=timedelta(seconds=5),
                      options=options, base_dir=tmp_path, config_file="cockpit.yaml", line=3)


def test_token_file_is_read_registered_as_a_secret_and_checked(tmp_path):
    (tmp_path / "pd-token").write_text("k3y-from-file-9981\nignored second line\n")
    spec = pd_spec(tmp_path, token_file="pd-token")
    assert load_kind("pagerduty").check(spec).problems == []
    assert read_token(spec) == "k3y-from-file-9981"
    assert secrets.redact("echoed k3y-from-file-9981 back") == f"echoed {secrets.MASK} back"


@pytest.mark.parametrize("content, message", [(None, "cannot read"), ("\n", "is empty")])
def test_a_missing_or_empty_token_file_is_a_problem(content, message, tmp_path):
    if content is not None:
        (tmp_path / "pd-token").write_text(content)
    [problem] = load_kind("pagerduty").check(pd_spec(tmp_path, token_file="pd-token")).problems
    assert problem.key == "pd.token_file" and message in problem.message and str(tmp_path / "pd-token") in problem.message


def test_token_and_token_file_together_are_a_problem(tmp_path):
    (tmp_path / "pd-token").write_text("k3y-from-file-9981")
    [problem] = load_kind("pagerduty").check(pd_spec(tmp_path, token="x", token_file="pd-token")).problems
    assert "not both" in problem.message
