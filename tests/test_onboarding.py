"""The onboarding checklist follows the seed, and progress survives a restart."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from cockpit.onboarding import CHECKLIST, load_progress, progress_path, save_progress

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc)
SEED = Path("/work/shared/seed/architecture-practices.md")


def test_checklist_is_the_seeds():
    seed = SEED.read_text(encoding="utf-8")
    block = seed[seed.index("## On-Call Onboarding Checklist"):seed.index("## Documentation Meta-Standards")]
    sections = re.findall(r"^### (.+)\n\n((?:- \[ \] .+\n)+)", block, re.M)
    expected = [(title, re.findall(r"- \[ \] (.+)", items)) for title, items in sections]
    assert [(s.title, [i.text for i in s.items]) for s in CHECKLIST] == expected
    ids = [item.id for s in CHECKLIST for item in s.items]
    assert len(ids) == len(set(ids))


def test_progress_round_trip_per_user(tmp_path):
    alice = load_progress(tmp_path, "alice")
    assert alice.done == {} and not alice.problem
    alice = alice.toggled("read-runbooks", NOW).toggled("pair", NOW)
    save_progress(tmp_path, alice)
    again = load_progress(tmp_path, "alice")
    assert again.done == {"read-runbooks": NOW, "pair": NOW}
    assert load_progress(tmp_path, "bob").done == {}
    assert again.count(CHECKLIST[0]) == (1, len(CHECKLIST[0].items))


def test_toggle_twice_unticks(tmp_path):
    progress = load_progress(tmp_path, "alice").toggled("pair", NOW).toggled("pair", NOW)
    save_progress(tmp_path, progress)
    assert load_progress(tmp_path, "alice").done == {}


def test_user_name_cannot_escape_the_data_dir(tmp_path):
    path = progress_path(tmp_path, "../../etc/passwd")
    assert tmp_path / "onboarding" in path.parents


def test_corrupt_file_is_a_problem_not_a_crash(tmp_path):
    path = progress_path(tmp_path, "alice")
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    progress = load_progress(tmp_path, "alice")
    assert progress.done == {} and "cannot read" in progress.problem
    path.write_text('["a list"]', encoding="utf-8")
    assert "not an onboarding progress file" in load_progress(tmp_path, "alice").problem


def test_unknown_items_are_dropped(tmp_path):
    path = progress_path(tmp_path, "alice")
    path.parent.mkdir(parents=True)
    path.write_text('{"done": {"gone-item": "2026-01-01T00:00:00+00:00", "pair": "2026-11-01T00:00:00+00:00"}}')
    assert set(load_progress(tmp_path, "alice").done) == {"pair"}
