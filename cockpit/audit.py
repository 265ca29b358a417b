"""Append-only, hash-chained audit log of every write the cockpit attempts.

One JSON object per line: time (ISO UTC), user, action, target, source,
result, prev and hash. ``hash`` is sha256 over the canonical JSON of every
other field (prev included), and ``prev`` is the previous line's hash, so
editing, deleting or reordering a line breaks the chain at that line.
Cutting lines off the end would leave a valid shorter chain, so the log's
head (its line count and last hash) is kept outside it, in <log>.head,
rewritten after every append; verify compares the two.

Only the action's name, target and a short result message are logged, never
its parameters: notes and silences may carry tokens or personal data.
Several cockpit processes may append at once: each append holds an exclusive
flock while it reads the last hash and writes its line with O_APPEND.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from cockpit.atomicfile import write_atomic
from cockpit.private_files import OWNER_ONLY, FileAccess
from cockpit.secrets import redact
from cockpit.untrusted import clean

GENESIS = "0" * 64  # the "previous hash" of the first line
FIELDS = ("time", "user", "action", "target", "source", "result", "prev")
MAX_RESULT = 200  # characters of the result message kept
_TAIL = 64 * 1024  # bytes read from the end to find the last line


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    line: int  # first bad line, 1-based; 0 when ok or the file is unreadable
    message: str


def line_hash(entry: dict) -> str:
    """sha256 of the canonical JSON of ``entry``'s fields other than hash."""
    body = {key: entry.get(key) for key in FIELDS}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def head_path(log: Path) -> Path:
    """Where the head of ``log`` (line count and last hash) is kept."""
    return log.with_name(log.name + ".head")


class AuditLog:
    def __init__(self, path: Path | str, clock: Callable[[], datetime], access: FileAccess = OWNER_ONLY) -> None:
        self.path = Path(path).expanduser()
        self._clock = clock
        self._access = access

    def append(self, *, user: str, action: str, target: str, source: str, result: str) -> dict:
        """Append one line and return it as written. Raises OSError when the
        log cannot be written."""
        entry = {
            "time": _iso_utc(self._clock()),
            "user": user,
            "action": action,
            "target": target,
            "source": source,
            "result": _short(result),
        }
        self._access.create_file(self.path)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            prev, lines, torn = _tail(self.path)
            entry["prev"] = prev
            entry["hash"] = line_hash(entry)
            # After a torn last line (a crash mid-write) start a line of our own,
            # so verify names the torn one instead of finding two glued together.
            line = ("\n" if torn else "") + json.dumps(entry, ensure_ascii=False) + "\n"
            os.write(fd, line.encode("utf-8"))
            _write_head(self.path, lines + 1, entry["hash"], self._access)
        finally:
            os.close(fd)  # closing releases the lock
        return entry


def verify(path: Path | str) -> VerifyResult:
    """Check the whole chain; name the first line that was altered, or that
    follows a missing or moved line."""
    path = Path(path).expanduser()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return VerifyResult(True, 0, f"{path}: no audit log yet (nothing has been written)")
    except OSError as error:
        return VerifyResult(False, 0, f"{path}: cannot read ({error.strerror})")
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    prev = GENESIS
    for number, data in enumerate(lines, start=1):
        where = f"{path}:{number}"
        try:
            entry = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return VerifyResult(False, number, f"{where}: not a JSON audit entry (altered or truncated)")
        if not isinstance(entry, dict) or any(key not in entry for key in (*FIELDS, "hash")):
            return VerifyResult(False, number, f"{where}: fields missing (altered)")
        if entry["hash"] != line_hash(entry):
            return VerifyResult(False, number, f"{where}: altered (its content does not match its hash)")
        if entry["prev"] != prev:
            before = f"line {number - 1}" if number > 1 else "the start of the log"
            return VerifyResult(False, number, f"{where}: chain broken after {before} "
                                "(a line before it is missing or out of order)")
        prev = entry["hash"]
    hashes = [json.loads(data)["hash"] for data in lines]
    problem = _head_problem(path, hashes)
    if problem:
        return VerifyResult(False, problem[0], f"{path}:{problem[0]}: {problem[1]}")
    return VerifyResult(True, 0, f"{path}: {len(lines)} lines, chain intact, head matches")


def _head_problem(path: Path, hashes: list[str]) -> tuple[int, str] | None:
    """(line, message) when the log does not reach the head kept beside it."""
    head = _read_head(path)
    if head is None:
        if not hashes:
            return None
        return len(hashes) + 1, (f"its head {head_path(path).name} is missing or unreadable, so lines cut off "
                                 "the end cannot be ruled out (the next write records a new head)")
    count, last = head
    if count > len(hashes):
        return len(hashes) + 1, (f"truncated: {head_path(path).name} records {count} lines, the log has "
                                 f"{len(hashes)} (lines {len(hashes) + 1}-{count} are missing)")
    if count and hashes[count - 1] != last:
        return count, f"does not match {head_path(path).name} (line {count} was rewritten since)"
    return None  # lines after the head: a writer stopped between its line and the head


def _read_head(path: Path) -> tuple[int, str] | None:
    try:
        head = json.loads(head_path(path).read_text(encoding="utf-8"))
        count, last = head["lines"], head["hash"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(count, int) or isinstance(count, bool) or count < 0 or not isinstance(last, str):
        return None
    return count, last


def _write_head(path: Path, lines: int, last: str, access: FileAccess) -> None:
    write_atomic(head_path(path), json.dumps({"lines": lines, "hash": last}) + "\n", access)


def _tail(path: Path) -> tuple[str, int, bool]:
    """The hash the next line chains to, how many lines the log holds, and
    whether its last line is torn (no newline at the end).

    A last line that is not a valid entry is chained by its raw bytes, so the
    new line still commits to it; verify reports the bad line itself. The
    count comes from the head when it matches the last line (no re-read of
    the whole log per append), else from counting."""
    with open(path, "rb") as f:
        size = f.seek(0, os.SEEK_END)
        f.seek(max(0, size - _TAIL))
        tail = f.read()
        if size > _TAIL and tail.count(b"\n") < 2:
            f.seek(0)  # one enormous line: read it all
            tail = f.read()
    torn = bool(tail) and not tail.endswith(b"\n")
    last = tail.rstrip(b"\n").rsplit(b"\n", 1)[-1]
    if not last:
        return GENESIS, 0, False
    try:
        value = json.loads(last.decode("utf-8"))["hash"]
        prev = value if isinstance(value, str) else hashlib.sha256(last).hexdigest()
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        prev = hashlib.sha256(last).hexdigest()
    head = _read_head(path)
    if head is not None and head[1] == prev and not torn:
        return prev, head[0], torn
    return prev, _count_lines(path), torn


def _count_lines(path: Path) -> int:
    count, ends_open = 0, False
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            count += block.count(b"\n")
            ends_open = not block.endswith(b"\n")
    return count + (1 if ends_open else 0)


def _iso_utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _short(text: str) -> str:
    text = clean(redact(text), single_line=True)  # redacted before the cut: a cut secret is harder to spot
    return text if len(text) <= MAX_RESULT else text[: MAX_RESULT - 1] + "…"
