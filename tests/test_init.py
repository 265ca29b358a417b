"""`cockpit init [DIR]`: a commented starter config that `cockpit check`
passes as written, and whose commented entries pass once uncommented."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from cockpit.bundled import EXAMPLES
from cockpit.cli import main
from cockpit.commands.check import run_check


def test_init_writes_a_config_that_check_passes(tmp_path, capsys):
    target = tmp_path / "team"
    assert main(["init", str(target)]) == 0
    assert sorted(p.name for p in target.iterdir()) == ["cockpit.yaml", "runbooks", "services.yaml"]
    text = (target / "cockpit.yaml").read_text()
    for kind in ("catalog", "runbooks", "incident-log"):
        assert re.search(rf"^  - \{{kind: {kind}\b", text, re.M), kind  # active entries
    for kind in ("prometheus", "alertmanager", "pagerduty"):
        assert re.search(rf"^  # - kind: {kind}$", text, re.M), kind  # commented ones
    assert "Backstage" in text
    capsys.readouterr()
    assert run_check(str(target / "cockpit.yaml")) == 0, capsys.readouterr()


def test_init_defaults_to_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    assert (tmp_path / "cockpit.yaml").is_file()


def test_the_commented_entries_pass_check_once_uncommented(tmp_path, capsys, monkeypatch):
    assert main(["init", str(tmp_path)]) == 0
    config = tmp_path / "cockpit.yaml"
    lines = config.read_text().splitlines()
    # The commented source entries: "  # - kind: ..." and the "  #   key: ..." lines under them.
    config.write_text("\n".join(re.sub(r"^  # (-|  )", r"  \1", line) for line in lines) + "\n")
    assert config.read_text().count("\n  - kind: ") == 3
    shutil.copytree(EXAMPLES / "slos", tmp_path / "slos")
    for name, value in {"PROMETHEUS_URL": "http://127.0.0.1:9", "PROM_TOKEN": "t",
                        "ALERTMANAGER_URL": "http://127.0.0.1:9", "PAGERDUTY_TOKEN": "t"}.items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    assert run_check(str(config)) == 0, capsys.readouterr()


def test_init_never_overwrites(tmp_path, capsys):
    (tmp_path / "cockpit.yaml").write_text("mine\n")
    assert main(["init", str(tmp_path)]) == 1
    assert "exists already" in capsys.readouterr().err
    assert (tmp_path / "cockpit.yaml").read_text() == "mine\n"


def test_init_keeps_the_users_own_catalog(tmp_path, capsys):
    (tmp_path / "services.yaml").write_text("services: {}\n")
    assert main(["init", str(tmp_path)]) == 0
    assert (tmp_path / "services.yaml").read_text() == "services: {}\n"
    assert "kept" in capsys.readouterr().out


def test_the_demo_config_is_package_data():
    """What a wheel carries: the demo config, its runbooks and the examples,
    under the cockpit package (not a top-level config/ folder)."""
    from cockpit.bundled import DEMO_CONFIG, ROOT

    assert Path(ROOT).parent.name == "cockpit"
    assert (DEMO_CONFIG.parent / "../runbooks/high-error-rate.md").is_file()
    assert (EXAMPLES / "prometheus.yaml").is_file()
