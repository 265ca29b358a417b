"""The log file: JSON lines in the guide's shape, source named, secrets and
escapes removed, owner-only, and nothing printed to the terminal."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

from cockpit import logs, secrets


def read(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_lines_carry_the_guides_fields_and_the_source(tmp_path):
    path = logs.configure("info", tmp_path / "state" / "cockpit.log")
    logging.getLogger("cockpit.hub").warning("fetch failed: %s", "timed out", extra={"source": "am", "instance": "am-2"})
    logging.getLogger("cockpit.hub").debug("not at info level")
    [entry] = read(path)
    assert entry["level"] == "WARN" and entry["service"] == "cockpit" and entry["trace_id"] == logs.RUN_ID
    assert (entry["message"], entry["source"], entry["instance"]) == ("fetch failed: timed out", "am", "am-2")
    assert entry["timestamp"].endswith("Z")
    assert path.stat().st_mode & 0o777 == 0o600


def test_secrets_and_escapes_never_reach_the_file(tmp_path):
    secrets.add("tok-9f8e7d6c5b4a")
    path = logs.configure("info", tmp_path / "cockpit.log")
    try:
        raise ValueError("echoed tok-9f8e7d6c5b4a")
    except ValueError:
        logging.getLogger("cockpit").exception("boom \x1b]0;title\x07 tok-9f8e7d6c5b4a")
    text = path.read_text()
    assert "tok-9f8e7d6c5b4a" not in text and "\x1b" not in text and "\\u001b" not in text
    assert "ValueError" in read(path)[0]["error"]


def test_a_failing_source_is_logged_to_the_file_not_the_terminal(tmp_path):
    config = tmp_path / "cockpit.yaml"
    config.write_text("sources:\n  - {kind: alertmanager, urls: ['http://127.0.0.1:9'], timeout: 2s}\n")
    log_file = tmp_path / "cockpit.log"
    done = subprocess.run([sys.executable, "-m", "cockpit.cli", "--log-level", "debug", "status", "--config",
                           str(config)], capture_output=True, text=True, timeout=60,
                          env={"COCKPIT_LOG_FILE": str(log_file), "PATH": "/usr/bin:/bin"})
    assert "fetch failed" not in done.stderr and "Traceback" not in done.stderr
    failures = [e for e in read(log_file) if e["message"].startswith("fetch failed")]
    assert failures and failures[0]["source"] == "alertmanager" and failures[0]["level"] == "WARN"
