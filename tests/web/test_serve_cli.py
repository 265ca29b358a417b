"""`cockpit serve`'s address rule: loopback by default; any other address
warns that there is no authentication and needs --public."""

from __future__ import annotations

import pytest

from cockpit.cli import main
from cockpit.commands.serve import is_loopback


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "ops.example.com"])
def test_another_host_warns_and_needs_public(host, capsys):
    assert main(["serve", "--host", host]) == 1
    err = capsys.readouterr().err
    assert "no authentication" in err and "--public" in err


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True),
                                            ("localhost", True), ("0.0.0.0", False), ("ops", False)])
def test_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_a_broken_config_exits_2_before_serving(tmp_path, capsys):
    config = tmp_path / "cockpit.yaml"
    config.write_text("sources: 3\n")
    assert main(["serve", "--config", str(config)]) == 2
    assert "cockpit.yaml" in capsys.readouterr().err
