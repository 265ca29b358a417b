"""`cockpit runbooks [--stale]`: stale runbooks listed with owner and dates,
exit 1 only with --stale and only when some are stale (a CI gate)."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cockpit.clock import DEMO_TIME, fixed_clock
from cockpit.cli import main
from cockpit.commands.runbooks import run_runbooks


def runbook(folder: Path, name: str, owner: str, last_validated: str | None, review_every: str = "7d") -> None:
    front = [f"owner: \"{owner}\"", f"review_every: {review_every}"]
    if last_validated:
        front.append(f"last_validated: {last_validated}")
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n" + "\n".join(front) + f"\n---\n# {name}\n\n1. Do the thing.\n", encoding="utf-8")


def write_config(tmp_path: Path, folder: str = "runbooks", *, runbooks: bool = True) -> Path:
    sources = [f"  - {{kind: incident-log, path: {tmp_path / 'incidents.db'}}}"]
    if runbooks:
        sources.append(f"  - {{kind: runbooks, path: {folder}}}")
    config = tmp_path / "cockpit.yaml"
    config.write_text(f"data_dir: {tmp_path / 'data'}\naudit_log: {tmp_path / 'audit.jsonl'}\nsources:\n"
                      + "\n".join(sources) + "\n", encoding="utf-8")
    return config


def mixed_folder(tmp_path: Path) -> Path:
    """On DEMO_TIME (2026-11-28): one fresh, one past review, one never validated."""
    folder = tmp_path / "runbooks"
    runbook(folder, "fresh.md", "@web-team", "2026-11-25")  # next review 2026-12-02
    runbook(folder, "db/slow.md", "@platform-team", "2026-11-01", "weekly")  # 2026-11-08: stale
    runbook(folder, "never.md", "@data-team", None)  # no last_validated: stale
    return folder


def test_stale_lists_only_stale_runbooks_and_exits_1(tmp_path, capsys):
    mixed_folder(tmp_path)
    assert run_runbooks(str(write_config(tmp_path)), stale_only=True, clock=fixed_clock()) == 1
    captured = capsys.readouterr()
    rows = captured.out.splitlines()
    assert rows[0].split() == ["PATH", "OWNER", "LAST", "VALIDATED", "NEXT", "REVIEW"]
    assert [row.split() for row in rows[1:]] == [
        ["db/slow.md", "@platform-team", "2026-11-01", "2026-11-08", "STALE"],
        ["never.md", "@data-team", "never", "-", "STALE"],
    ]
    assert "2 of 3 runbooks stale on 2026-11-28" in captured.err


def test_without_stale_lists_all_with_a_marker_and_exits_0(tmp_path, capsys):
    mixed_folder(tmp_path)
    assert run_runbooks(str(write_config(tmp_path)), clock=fixed_clock()) == 0
    rows = {row.split()[0]: row.split() for row in capsys.readouterr().out.splitlines()[1:]}
    assert set(rows) == {"fresh.md", "db/slow.md", "never.md"}
    assert rows["fresh.md"][-1] == "2026-12-02"  # no marker
    assert rows["db/slow.md"][-1] == rows["never.md"][-1] == "STALE"


def test_no_stale_runbooks_exits_0(tmp_path, capsys):
    runbook(tmp_path / "runbooks", "fresh.md", "@web-team", "2026-11-25")
    assert run_runbooks(str(write_config(tmp_path)), stale_only=True, clock=fixed_clock()) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "0 of 1 runbooks stale" in captured.err


def test_the_clock_decides_the_day(tmp_path, capsys):
    # Due on 2026-12-02: still fine that day, stale the day after.
    runbook(tmp_path / "runbooks", "fresh.md", "@web-team", "2026-11-25")
    config = str(write_config(tmp_path))
    due = datetime(2026, 12, 2, 23, 59, tzinfo=timezone.utc)
    assert run_runbooks(config, stale_only=True, clock=fixed_clock(due)) == 0
    assert run_runbooks(config, stale_only=True, clock=fixed_clock(due + timedelta(minutes=1))) == 1
    assert "fresh.md" in capsys.readouterr().out


def test_config_review_every_is_the_default_cadence(tmp_path, capsys):
    folder = tmp_path / "runbooks"
    folder.mkdir()
    (folder / "plain.md").write_text("---\nowner: '@web-team'\nlast_validated: 2026-11-01\n---\n# Plain\n")
    config = write_config(tmp_path)
    assert run_runbooks(str(config), stale_only=True, clock=fixed_clock()) == 1  # default 7d
    config.write_text("review_every: 30d\n" + config.read_text())
    assert run_runbooks(str(config), stale_only=True, clock=fixed_clock()) == 0
    capsys.readouterr()


def test_untrusted_owner_is_printed_without_escapes(tmp_path, capsys):
    folder = tmp_path / "runbooks"
    folder.mkdir()
    (folder / "evil.md").write_text('---\nowner: "@x\\e]52;c;ZXZpbA==\\a\\e[31mred"\nlast_validated: 2020-01-01\n---\n')
    assert run_runbooks(str(write_config(tmp_path)), stale_only=True, clock=fixed_clock()) == 1
    out = capsys.readouterr().out
    assert "evil.md" in out and "@xred" in out
    assert "\x1b" not in out and "\x07" not in out


def test_no_runbooks_source_exits_2(tmp_path, capsys):
    assert run_runbooks(str(write_config(tmp_path, runbooks=False)), stale_only=True, clock=fixed_clock()) == 2
    assert "no runbooks source" in capsys.readouterr().err


def test_missing_folder_exits_2_naming_it(tmp_path, capsys):
    assert run_runbooks(str(write_config(tmp_path, "nowhere")), stale_only=True, clock=fixed_clock()) == 2
    err = capsys.readouterr().err
    assert "runbooks source runbooks" in err and "nowhere" in err


def test_broken_config_exits_2(tmp_path, capsys):
    config = tmp_path / "cockpit.yaml"
    config.write_text("sources: 3\n")
    assert main(["runbooks", "--stale", "--config", str(config)]) == 2
    assert f"{config}:1:" in capsys.readouterr().err


def test_ci_gate_in_a_real_process(tmp_path):
    """The real clock: dates far in the past / future keep this deterministic."""
    folder = tmp_path / "runbooks"
    runbook(folder, "future.md", "@web-team", "2999-01-01")
    config = write_config(tmp_path)

    def gate() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "cockpit.cli", "runbooks", "--stale", "--config", str(config)],
                              capture_output=True, text=True, timeout=60)

    assert gate().returncode == 0
    runbook(folder, "ancient.md", "@platform-team", "2001-01-01")
    result = gate()
    assert result.returncode == 1
    assert "ancient.md" in result.stdout and "future.md" not in result.stdout
    assert "Traceback" not in result.stderr


def test_bundled_runbooks_on_the_demo_date(tmp_path, capsys):
    """The bundled runbooks are written with four of them stale on the demo date."""
    config = write_config(tmp_path, str(Path(__file__).resolve().parent.parent / "runbooks"))
    assert run_runbooks(str(config), stale_only=True, clock=fixed_clock(DEMO_TIME)) == 1
    assert len(capsys.readouterr().out.splitlines()) - 1 == 4


def test_a_closed_pipe_ends_the_command_quietly():
    """`cockpit runbooks | head`: the reader is gone before the listing is
    written; no BrokenPipeError traceback, the shell's SIGPIPE status."""
    import os

    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, "-m", "cockpit.cli", "runbooks"], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(write_end)
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr
    assert done.returncode == 141
