"""The hash-chained audit log: appends, verification, concurrent writers."""

from __future__ import annotations

import json
import multiprocessing
from datetime import datetime, timedelta, timezone

from cockpit.audit import GENESIS, AuditLog, line_hash, verify

T0 = datetime(2026, 11, 28, 3, 0, 0, tzinfo=timezone.utc)


def ticking_clock(start=T0):
    moments = iter(start + timedelta(seconds=n) for n in range(10_000))
    return lambda: next(moments)


def write_log(path, n=4):
    log = AuditLog(path, ticking_clock())
    for i in range(n):
        log.append(user="alice", action="note", target=f"INC-{i}", source="incident-log", result="ok")
    return path.read_text().splitlines()


def rewrite(path, lines):
    path.write_text("".join(line + "\n" for line in lines))


def test_append_writes_chained_lines_with_every_field(tmp_path):
    path = tmp_path / "deep" / "dir" / "audit.jsonl"  # parent dirs are created
    lines = write_log(path, 3)
    entries = [json.loads(line) for line in lines]
    assert entries[0]["prev"] == GENESIS
    assert [e["prev"] for e in entries[1:]] == [e["hash"] for e in entries[:-1]]
    assert entries[0]["time"] == "2026-11-28T03:00:00.000Z"
    assert set(entries[0]) == {"time", "user", "action", "target", "source", "result", "prev", "hash"}
    assert all(e["hash"] == line_hash(e) for e in entries)
    assert verify(path).ok


def test_result_is_short_single_line_and_free_of_escapes(tmp_path):
    log = AuditLog(tmp_path / "a.jsonl", ticking_clock())
    entry = log.append(user="u", action="silence", target="fp1", source="am",
                       result="failed:\x1b[31m boom\n" + "x" * 500)
    assert "\x1b" not in entry["result"] and "\n" not in entry["result"]
    assert len(entry["result"]) <= 200


def test_edited_line_is_named(tmp_path):
    path = tmp_path / "audit.jsonl"
    lines = write_log(path)
    edited = json.loads(lines[2])
    edited["user"] = "mallory"
    lines[2] = json.dumps(edited)
    rewrite(path, lines)
    result = verify(path)
    assert not result.ok and result.line == 3
    assert "altered" in result.message


def test_edit_that_recomputes_its_own_hash_breaks_the_next_line(tmp_path):
    path = tmp_path / "audit.jsonl"
    lines = write_log(path)
    edited = json.loads(lines[1])
    edited["result"] = "ok (nothing happened)"
    edited["hash"] = line_hash(edited)
    lines[1] = json.dumps(edited)
    rewrite(path, lines)
    result = verify(path)
    assert not result.ok and result.line == 3


def test_deleted_line_is_named(tmp_path):
    path = tmp_path / "audit.jsonl"
    lines = write_log(path)
    del lines[1]
    rewrite(path, lines)
    result = verify(path)
    assert not result.ok and result.line == 2
    assert "missing or out of order" in result.message


def test_reordered_lines_are_named(tmp_path):
    path = tmp_path / "audit.jsonl"
    lines = write_log(path)
    lines[1], lines[2] = lines[2], lines[1]
    rewrite(path, lines)
    result = verify(path)
    assert not result.ok and result.line == 2


def test_garbage_line_is_named(tmp_path):
    path = tmp_path / "audit.jsonl"
    lines = write_log(path)
    lines.insert(2, "not json")
    rewrite(path, lines)
    result = verify(path)
    assert not result.ok and result.line == 3


def test_missing_log_is_not_an_error_but_says_so(tmp_path):
    result = verify(tmp_path / "none.jsonl")
    assert result.ok and "no audit log" in result.message


def test_append_after_a_corrupt_last_line_still_chains_to_it(tmp_path):
    path = tmp_path / "audit.jsonl"
    lines = write_log(path, 2)
    rewrite(path, lines + ["garbage"])
    AuditLog(path, ticking_clock()).append(user="u", action="a", target="t", source="s", result="ok")
    result = verify(path)
    assert not result.ok and result.line == 3  # the garbage is reported, not hidden


def _append_many(path: str, who: str, count: int) -> None:
    log = AuditLog(path, lambda: datetime.now(timezone.utc))
    for i in range(count):
        log.append(user=who, action="note", target=str(i), source="incident-log", result="ok")


def test_two_processes_appending_keep_one_intact_chain(tmp_path):
    path = tmp_path / "audit.jsonl"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_append_many, args=(str(path), who, 200)) for who in ("a", "b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    lines = path.read_text().splitlines()
    assert len(lines) == 400
    assert verify(path).ok, verify(path).message


def test_run_verify_exit_codes(tmp_path, capsys):
    from cockpit.audit import run_verify

    path = tmp_path / "audit.jsonl"
    lines = write_log(path)
    assert run_verify(None, str(path)) == 0
    assert "chain intact" in capsys.readouterr().out
    del lines[2]
    rewrite(path, lines)
    assert run_verify(None, str(path)) == 1
    assert f"{path}:3:" in capsys.readouterr().err


def test_run_verify_finds_the_log_through_the_config(tmp_path, capsys):
    from cockpit.audit import run_verify

    config = tmp_path / "cockpit.yaml"
    config.write_text("audit_log: logs/audit.jsonl\nsources: []\n")
    lines = write_log(tmp_path / "logs" / "audit.jsonl")
    rewrite(tmp_path / "logs" / "audit.jsonl", lines[1:])
    assert run_verify(str(config), None) == 1
    assert "audit.jsonl:1:" in capsys.readouterr().err
    config.write_text("audit_log: [not, a, path]\n")
    assert run_verify(str(config), None) == 2
