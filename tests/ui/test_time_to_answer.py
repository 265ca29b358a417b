"""The time-to-answer benchmark's paths, run once as tests: the alerting
service's owner, on-call and runbook in at most 3 keys from launch, and a
draft from a resolved incident in at most 2 (bench/time_to_answer.py prints
the seconds; here only the keys, and that the answer is on screen)."""

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "time_to_answer.py"
spec = importlib.util.spec_from_file_location("time_to_answer", BENCH)
time_to_answer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(time_to_answer)


async def test_owner_oncall_and_runbook_in_at_most_three_keys(tmp_path):
    keys, _ = await time_to_answer.owner_oncall_runbook(tmp_path)
    assert keys <= 3


async def test_a_draft_from_a_resolved_incident_in_at_most_two_keys(tmp_path):
    keys, _ = await time_to_answer.draft_from_resolved(tmp_path)
    assert keys <= 2
