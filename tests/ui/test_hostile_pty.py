"""The real app in a real pty, fed hostile strings through the catalog, the
runbooks, the demo source's SLO file and the incident log: every byte it
writes is read, and none of the escape sequences or characters in it came
from the data. The sequences the app itself writes are learned from a run
over harmless data of the same shape."""

from __future__ import annotations

import fcntl
import hashlib
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from cockpit.commands.incident import run_declare, run_note
from tests.hostile import PIECES, hostile_text, unsafe_characters

COLUMNS, LINES = 120, 36
# Keys that visit every panel, open a detail in each, the card from an
# incident, a runbook, the palette with a search, help; then quit.
KEYS = ["s", "\r", "\x1b", "b", "\r", "\x1b", "i", "\r", "c", "\x1b", "i", "u", "\x1b", "r", "\r", "\x1b",
        "p", "w", "o", "\x10", "a", "b", "\x1b", "?", "\x1b", "\x1b"]
QUIET_S, ESC_QUIET_S, KEY_WAIT_S, START_WAIT_S = 0.1, 0.4, 1.5, 20.0

# CSI: ESC [ params intermediates final; OSC: ESC ] ... BEL or ST; else ESC + one byte.
_SEQUENCE = re.compile(r"\x1b\[([0-?]*)([ -/]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[\x20-\x7e]?")


def shapes(output: str) -> tuple[set[str], str]:
    """The escape sequences in ``output`` (CSI by private marks, intermediates
    and final byte: their numbers are positions and colours; any other
    sequence exactly), and the text left between them."""
    found: set[str] = set()

    def shape(match: re.Match) -> str:
        if match.group(3):
            found.add("CSI " + re.sub(r"[0-9;:]", "", match.group(1)) + match.group(2) + match.group(3))
        else:
            found.add(repr(match.group(0)))
        return ""

    return found, _SEQUENCE.sub(shape, output)


def write_world(root: Path, texts: list[str]) -> Path:
    """A config whose catalog, runbooks, SLO file and incident log hold ``texts``."""
    t = (texts * 12)[:12]
    (root / "runbooks").mkdir()
    services = {
        "api-server": {"owner": t[0], "primary_contact": t[1], "escalation_path": [t[2], "@lead"],
                       "description": t[3], "depends_on": [t[4]], "data_domains": [t[5]], "on_call": True},
        t[4] or "x": {"owner": t[6], "escalation_path": [t[7]]},
    }
    (root / "services.yaml").write_text(yaml.safe_dump({"services": services}, allow_unicode=False), "utf-8")
    front = yaml.safe_dump({"title": t[8], "owner": t[9], "services": ["api-server"], "last_validated": "2026-11-01"},
                           allow_unicode=False)
    (root / "runbooks" / "r.md").write_text(f"---\n{front}---\n# {t[10]}\n\n- [ ] {t[11]}\n\n{t[0]}\n", "utf-8")
    slos = {"services": {"api-server": {"slo_definitions": {
        "availability": {"sli": "availability", "target": "99.9%", "window": "30 days", "description": t[1]}}}}}
    (root / "slos.yaml").write_text(yaml.safe_dump(slos, allow_unicode=False), "utf-8")
    config = root / "cockpit.yaml"
    config.write_text(
        f"user: tester\ndata_dir: {root / 'data'}\naudit_log: {root / 'audit.jsonl'}\npostmortems: {root / 'pm'}\n"
        "sources:\n  - {kind: catalog, path: services.yaml}\n  - {kind: runbooks, path: runbooks}\n"
        f"  - {{kind: incident-log, path: {root / 'incidents.db'}}}\n  - {{kind: demo, slos: [slos.yaml]}}\n",
        "utf-8")
    devnull = open(os.devnull, "w")
    saved = sys.stdout
    sys.stdout = devnull  # run_declare prints the new id
    try:
        assert run_declare(str(config), title=t[2], severity="P1", services=["api-server"], commander=t[3]) == 0
        assert run_note(str(config), "INC-0001", t[5]) == 0
    finally:
        sys.stdout = saved
        devnull.close()
    return config


def _read_until_quiet(fd: int, quiet: float, limit: float, *, first: bool = False) -> bytes:
    """What the app writes until it has been quiet for ``quiet`` seconds (at
    start, ``first``: once it wrote something), at most ``limit`` seconds."""
    chunks, deadline, last = [], time.monotonic() + limit, time.monotonic()
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # the child closed the pty
                break
            if not data:
                break
            chunks.append(data)
            last = time.monotonic()
        elif (chunks or not first) and time.monotonic() - last >= quiet:
            break
    return b"".join(chunks)


def run_in_pty(config: Path) -> tuple[bytes, int | None, bool]:
    """Run `cockpit --config CONFIG` in a pty, type KEYS, then q. Returns
    (every byte written, exit code, whether it was still running before q)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(LINES)}
    env.pop("TEXTUAL", None)
    process = subprocess.Popen([sys.executable, "-m", "cockpit.cli", "--config", str(config)], stdin=slave,
                               stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True)
    os.close(slave)
    output = [_read_until_quiet(master, 1.0, START_WAIT_S, first=True)]
    try:
        for key in KEYS:
            os.write(master, key.encode())
            # A lone ESC is the escape key only when nothing follows it at once (else alt+key).
            output.append(_read_until_quiet(master, ESC_QUIET_S if key == "\x1b" else QUIET_S, KEY_WAIT_S))
        alive = process.poll() is None
        os.write(master, b"q")
        output.append(_read_until_quiet(master, 2.0, 15.0))
        try:
            code = process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            code = None
    finally:
        os.close(master)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return b"".join(output), code, alive


def incident_log_digest(root: Path) -> str:
    return hashlib.sha256((root / "incidents.db").read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> tuple[set[str], set[str]]:
    """The sequences and control characters the app writes over harmless data."""
    root = tmp_path_factory.mktemp("harmless")
    output, code, alive = run_in_pty(write_world(root, ["plain text", "@someone", "team-a", "a b c"]))
    assert alive and code == 0, output[-2000:]
    sequences, text = shapes(output.decode("utf-8"))
    return sequences, {c for c in text if ord(c) < 32}


# Each example is a 15 s run of the real app: every hostile piece at once,
# then one generated mix; no shrinking (dozens more runs): a failure shows
# the strings as generated.
EVERY_PIECE = ["".join(PIECES[n::6]) for n in range(6)]


@example(texts=EVERY_PIECE)
@settings(max_examples=1, deadline=None, database=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(texts=st.lists(hostile_text, min_size=4, max_size=8))
def test_no_escape_or_control_from_the_data_reaches_the_terminal(tmp_path_factory, baseline, texts):
    allowed_sequences, allowed_controls = baseline
    root = tmp_path_factory.mktemp("hostile")
    config = write_world(root, texts)
    before = incident_log_digest(root)
    output, code, alive = run_in_pty(config)
    decoded = output.decode("utf-8")  # strict: every byte written is UTF-8
    assert alive, decoded[-3000:]  # nothing in the data quit or crashed the app
    assert code == 0, decoded[-3000:]
    assert "Traceback" not in decoded
    sequences, text = shapes(decoded)
    assert sequences <= allowed_sequences, sequences - allowed_sequences
    assert "OWNED" not in decoded  # no title, clipboard or OSC payload from the data, even as text
    stray = [c for c in unsafe_characters(text) if c not in allowed_controls]
    assert stray == [], sorted(set(stray))
    assert incident_log_digest(root) == before  # looking wrote nothing
