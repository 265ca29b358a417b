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
    from cockpit.commands.audit import run_verify

    path = tmp_path / "audit.jsonl"
    lines = write_log(path)
    assert run_verify(None, str(path)) == 0
    assert "chain intact" in capsys.readouterr().out
    del lines[2]
    rewrite(path, lines)
    assert run_verify(None, str(path)) == 1
    assert f"{path}:3:" in capsys.readouterr().err


def test_run_verify_finds_the_log_through_the_config(tmp_path, capsys):
    from cockpit.commands.audit import run_verify

    config = tmp_path / "cockpit.yaml"
    config.write_text("audit_log: logs/audit.jsonl\nsources: []\n")
    lines = write_log(tmp_path / "logs" / "audit.jsonl")
    rewrite(tmp_path / "logs" / "audit.jsonl", lines[1:])
    assert run_verify(str(config), None) == 1
    assert "audit.jsonl:1:" in capsys.readouterr().err
    config.write_text("audit_log: [not, a, path]\n")
    assert run_verify(str(config), None) == 2


def test_lines_cut_off_the_end_are_detected_through_the_head(tmp_path):
    path = tmp_path / "audit.jsonl"
    lines = write_log(path, 5)
    rewrite(path, lines[:3])  # a valid, shorter chain
    result = verify(path)
    assert not result.ok and result.line == 4
    assert "truncated" in result.message and "records 5 lines, the log has 3" in result.message


def test_whole_log_emptied_is_detected(tmp_path):
    path = tmp_path / "audit.jsonl"
    write_log(path, 2)
    path.write_text("")
    result = verify(path)
    assert not result.ok and "truncated" in result.message


def test_cut_and_regrown_log_does_not_match_its_head(tmp_path):
    path = tmp_path / "audit.jsonl"
    lines = write_log(path, 4)
    head = (tmp_path / "audit.jsonl.head").read_text()
    rewrite(path, lines[:2])
    AuditLog(path, ticking_clock(T0 + timedelta(hours=1))).append(
        user="mallory", action="note", target="x", source="s", result="ok")
    AuditLog(path, ticking_clock(T0 + timedelta(hours=2))).append(
        user="mallory", action="note", target="y", source="s", result="ok")
    (tmp_path / "audit.jsonl.head").write_text(head)  # the old head put back: 4 lines
    result = verify(path)
    assert not result.ok and result.line == 4 and "does not match" in result.message


def test_missing_head_is_reported_and_the_next_write_makes_one(tmp_path):
    path = tmp_path / "audit.jsonl"
    write_log(path, 2)
    (tmp_path / "audit.jsonl.head").unlink()
    result = verify(path)
    assert not result.ok and "missing" in result.message
    AuditLog(path, ticking_clock(T0 + timedelta(hours=1))).append(
        user="u", action="a", target="t", source="s", result="ok")
    assert json.loads((tmp_path / "audit.jsonl.head").read_text())["lines"] == 3
    assert verify(path).ok


def test_append_after_a_torn_last_line_starts_its_own_line(tmp_path):
    path = tmp_path / "audit.jsonl"
    lines = write_log(path, 2)
    with open(path, "a") as f:
        f.write(lines[1][: len(lines[1]) // 2])  # a crash in the middle of a third line
    AuditLog(path, ticking_clock(T0 + timedelta(hours=1))).append(
        user="u", action="a", target="t", source="s", result="ok")
    written = path.read_text().splitlines()
    assert len(written) == 4 and json.loads(written[3])["action"] == "a"
    result = verify(path)
    assert not result.ok and result.line == 3 and "truncated" in result.message


def test_log_and_head_are_owner_only(tmp_path):
    path = tmp_path / "state" / "audit.jsonl"
    write_log(path, 1)
    assert path.stat().st_mode & 0o777 == 0o600
    assert (path.parent / "audit.jsonl.head").stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_a_known_secret_in_a_result_is_redacted_before_the_cut(tmp_path):
    from cockpit import secrets

    token = "Zt0k3n-abcdefghijklmnop"
    secrets.add(token)
    log = AuditLog(tmp_path / "a.jsonl", ticking_clock())
    # The token straddles the 200-character cut: redacting after it would leave its first half.
    entry = log.append(user="u", action="ack", target="PD1", source="pd",
                       result="failed: " + "x" * 180 + token + " echoed")
    assert token[:6] not in entry["result"] and "[redacted]" in (tmp_path / "a.jsonl").read_text()
