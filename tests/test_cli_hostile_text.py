"""Hostile text on the command line and in what the commands write: bytes
that are not UTF-8, and catalog values holding terminal escapes or markup."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cockpit.cli import main

REPO = Path(__file__).resolve().parent.parent
CATALOG = """\
services:
  api-server:
    owner: "\\e]0;owned title\\a\\e]52;c;aGk=\\abackend-team[link=http://evil.example]x[/link]\\u202e"
    primary_contact: "@lead"
    escalation_path: ["@lead"]
"""


def write_config(tmp_path: Path) -> Path:
    (tmp_path / "services.yaml").write_text(CATALOG, encoding="utf-8")
    config = tmp_path / "cockpit.yaml"
    config.write_text(f"user: alice\ndata_dir: {tmp_path / 'data'}\naudit_log: {tmp_path / 'audit.jsonl'}\n"
                      f"postmortems: {tmp_path / 'pm'}\nsources:\n  - {{kind: catalog, path: services.yaml}}\n"
                      f"  - {{kind: incident-log, path: {tmp_path / 'incidents.db'}}}\n", encoding="utf-8")
    return config


def cockpit(*argv: bytes | str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cockpit.cli", *argv], capture_output=True, timeout=60,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"}, cwd=REPO)


def test_a_title_and_a_note_that_are_not_utf8_are_kept_with_replacement_characters(tmp_path):
    config = str(write_config(tmp_path))
    declared = cockpit("incident", "declare", "--title", b"db \xff\xfe down", "--severity", "P1",
                       "--service", "api-server", "--config", config)
    # It was a UnicodeEncodeError traceback from SQLite ("surrogates not allowed").
    assert declared.returncode == 0, declared.stderr
    assert b"Traceback" not in declared.stderr
    incident_id = declared.stdout.decode().strip()
    noted = cockpit("incident", "note", incident_id, b"pool \xc3 gone", "--config", config)
    assert noted.returncode == 0 and b"Traceback" not in noted.stderr
    status = cockpit("status", "--json", "--config", config)
    # JSON keeps the data as it is, escaped: no byte of it is a terminal control.
    assert all(32 <= byte < 127 or byte == 10 for byte in status.stdout)
    [incident] = json.loads(status.stdout)["incidents"]
    assert incident["title"] == "db \ufffd\ufffd down"
    summary = cockpit("status", "--config", config)
    assert summary.returncode == 0 and "db \ufffd\ufffd down" in summary.stdout.decode()


def test_the_draft_holds_no_escape_or_invisible_character_from_the_catalog(tmp_path, capsys):
    config = str(write_config(tmp_path))
    assert main(["incident", "declare", "--title", "\x1b[2JCheckout down", "--severity", "P1",
                 "--service", "api-server", "--config", config]) == 0
    incident_id = capsys.readouterr().out.strip()
    assert main(["postmortem", "new", "--incident", incident_id, "--config", config]) == 0
    draft = Path(capsys.readouterr().out.strip()).read_text(encoding="utf-8")
    # The owner used to go in raw: `cat draft.md` set the terminal title and the clipboard.
    assert "\x1b" not in draft and "\u202e" not in draft and "\x07" not in draft
    assert "api-server (owner: ]0;owned title]52;c;aGk=backend-team[link=http://evil.example]x[/link])" not in draft
    assert "owner: backend-team[link=http://evil.example]x[/link]" in draft
    assert "# Postmortem: Checkout down" in draft
