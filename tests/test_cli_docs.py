"""`cockpit docs [--stale]`: every owned document across kinds; with --stale
exit 1 when any is stale (the CI gate), 2 when the config or a source feeding
documents is broken; and `status --json`'s `docs` key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cockpit.cli import main
from cockpit.clock import fixed_clock
from cockpit.commands.docs import run_docs
from tests.test_cli_runbooks import runbook

FRESH_ONBOARDING = "docs:\n  onboarding: {owner: '@sre-team', last_validated: 2026-11-20}\n"


def write_config(tmp_path: Path, extra: str = FRESH_ONBOARDING, *, runbooks: str | None = "runbooks") -> Path:
    sources = [f"  - {{kind: incident-log, path: {tmp_path / 'incidents.db'}}}"]
    if runbooks is not None:
        sources.append(f"  - {{kind: runbooks, path: {runbooks}}}")
    config = tmp_path / "cockpit.yaml"
    config.write_text(f"data_dir: {tmp_path / 'data'}\naudit_log: {tmp_path / 'audit.jsonl'}\n"
                      f"postmortems: {tmp_path / 'drafts'}\n{extra}sources:\n" + "\n".join(sources) + "\n",
                      encoding="utf-8")
    return config


def draft(tmp_path: Path, name: str, created: str, status: str = "draft") -> None:
    folder = tmp_path / "drafts"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(f"---\ntitle: {name}\nstatus: {status}\ncreated: {created}\nowner: '@ann'\n---\n"
                               f"# Postmortem: {name}\n", encoding="utf-8")


def fresh_world(tmp_path: Path) -> Path:
    runbook(tmp_path / "runbooks", "fresh.md", "@web-team", "2026-11-25")
    draft(tmp_path, "recent.md", "2026-11-20T10:00:00+00:00")
    return write_config(tmp_path)


def test_all_fresh_lists_every_kind_and_exits_0_even_with_stale(tmp_path, capsys):
    config = str(fresh_world(tmp_path))
    assert run_docs(config, stale_only=True, clock=fixed_clock()) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "0 of 3 documents stale on 2026-11-28" in captured.err
    assert run_docs(config, clock=fixed_clock()) == 0
    rows = [row.split() for row in capsys.readouterr().out.splitlines()]
    assert rows[0] == ["KIND", "DOCUMENT", "OWNER", "LAST", "VALIDATED", "NEXT", "REVIEW"]
    assert [row[0] for row in rows[1:]] == ["runbooks", "postmortems", "onboarding"]
    assert rows[1][1:] == ["fresh.md", "@web-team", "2026-11-25", "2026-12-02"]
    assert rows[2][1:] == [str(tmp_path / "drafts" / "recent.md"), "@ann", "never", "2026-12-20"]


def test_stale_of_any_kind_exits_1_listing_only_those_with_the_reason(tmp_path, capsys):
    fresh_world(tmp_path)
    draft(tmp_path, "forgotten.md", "2026-09-01T10:00:00+00:00")
    config = write_config(tmp_path, "")  # the onboarding checklist never validated
    assert run_docs(str(config), stale_only=True, clock=fixed_clock()) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()[1:]
    assert len(lines) == 2
    assert lines[0].startswith("postmortems") and "forgotten.md" in lines[0]
    assert lines[0].endswith("STALE: never validated, 58 days overdue")
    assert lines[1].startswith("onboarding") and "(no owner)" in lines[1]
    assert lines[1].endswith("STALE: never validated")
    assert "2 of 4 documents stale on 2026-11-28" in captured.err
    assert run_docs(str(config), clock=fixed_clock()) == 0  # without --stale, a listing
    capsys.readouterr()


def test_a_stale_runbook_fails_docs_and_runbooks_alike(tmp_path, capsys):
    from cockpit.commands.runbooks import run_runbooks

    fresh_world(tmp_path)
    runbook(tmp_path / "runbooks", "old.md", "@db-team", "2026-11-01")
    config = str(write_config(tmp_path))
    assert run_docs(config, stale_only=True, clock=fixed_clock()) == 1
    assert "old.md" in capsys.readouterr().out
    assert run_runbooks(config, stale_only=True, clock=fixed_clock()) == 1
    assert "old.md" in capsys.readouterr().out


def test_no_runbooks_source_lists_the_other_kinds(tmp_path, capsys):
    draft(tmp_path, "recent.md", "2026-11-20T10:00:00+00:00")
    assert run_docs(str(write_config(tmp_path, runbooks=None)), stale_only=True, clock=fixed_clock()) == 0
    assert "0 of 2 documents stale" in capsys.readouterr().err


def test_a_failing_runbooks_source_exits_2_naming_it(tmp_path, capsys):
    assert run_docs(str(write_config(tmp_path, runbooks="nowhere")), stale_only=True, clock=fixed_clock()) == 2
    err = capsys.readouterr().err
    assert "runbooks source runbooks" in err and "nowhere" in err


def test_broken_config_exits_2(tmp_path, capsys):
    config = write_config(tmp_path, "docs: {onboarding: {last_validated: soon}}\n")
    assert main(["docs", "--stale", "--config", str(config)]) == 2
    assert f"{config}:4: docs.onboarding.last_validated" in capsys.readouterr().err


def test_untrusted_titles_and_owners_are_printed_without_escapes(tmp_path, capsys):
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "evil.md").write_text('---\nowner: "@x\\e]52;c;ZXZpbA==\\a\\e[31mred"\n---\n')
    assert run_docs(str(write_config(tmp_path, runbooks=None)), clock=fixed_clock()) == 0
    out = capsys.readouterr().out
    assert "@xred" in out and "\x1b" not in out and "\x07" not in out


def test_a_closed_pipe_ends_the_command_quietly(tmp_path):
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, "-m", "cockpit.cli", "docs", "--config", str(fresh_world(tmp_path))],
                              stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(write_end)
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr
    assert done.returncode == 141


def test_status_json_has_the_docs(tmp_path, capsys):
    fresh_world(tmp_path)
    assert main(["status", "--json", "--config", str(write_config(tmp_path, ""))]) == 0
    docs = json.loads(capsys.readouterr().out)["docs"]
    assert [d["kind"] for d in docs] == ["runbooks", "postmortems", "onboarding"]
    assert docs[2] == {"kind": "onboarding", "title": "On-call onboarding checklist", "ref": "", "owner": "",
                       "last_validated": None, "next_review": None, "stale": True,
                       "stale_reason": "never validated"}
    assert docs[0]["ref"] == "fresh.md" and docs[0]["last_validated"] == "2026-11-25"
