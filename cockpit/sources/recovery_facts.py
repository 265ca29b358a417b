"""Disaster-recovery facts as catalogs write them: the seed format's `dr:`
mapping, or Backstage annotations (``cockpit.dev/rpo`` ...), both checked
by the one option validator so a bad duration or date is a problem at its
file, line and key."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Mapping

from cockpit.config_schema import validate_mapping
from cockpit.model import RESTORE_TEST_EVERY, RecoveryFacts
from cockpit.problems import Problem
from cockpit.sources.base import OptionSpec
from cockpit.yamlfile import LineDict, line_of

# The guide's backup strategy (RPO/RTO per kind of data) and testing schedule.
DR_KEYS = {
    "rpo": OptionSpec(timedelta, help="the most data that may be lost, e.g. 15m"),
    "rto": OptionSpec(timedelta, help="the longest recovery may take, e.g. 1h"),
    "backup_frequency": OptionSpec(timedelta),
    "backup_location": OptionSpec(str),
    "last_restore_test": OptionSpec(date),
    "restore_test_every": OptionSpec(timedelta, help="default quarterly, as the guide's full restore"),
}
ANNOTATION_PREFIX = "cockpit.dev/"  # cockpit.dev/rpo, cockpit.dev/last-restore-test ...


def recovery_facts(raw: Mapping, file: str, key: str, problems: list[Problem]) -> RecoveryFacts:
    """The facts in ``raw`` (DR_KEYS); every bad one is added to ``problems``."""
    facts, found = validate_mapping(raw, DR_KEYS, file=file, key=key)
    problems += found
    return RecoveryFacts(rpo=facts.get("rpo"), rto=facts.get("rto"), backup_frequency=facts.get("backup_frequency"),
                         backup_location=facts.get("backup_location", ""),
                         last_restore_test=facts.get("last_restore_test"),
                         restore_test_every=facts.get("restore_test_every", RESTORE_TEST_EVERY))


def recovery_from_annotations(annotations: Mapping, file: str, key: str,
                              problems: list[Problem]) -> RecoveryFacts | None:
    """A Backstage entity's ``cockpit.dev/<key>`` annotations (dashes for
    underscores, values strings as Backstage keeps them); None without any,
    or with a bad one (the entity still loads: only its facts are refused)."""
    raw = LineDict()
    raw.line, raw.key_lines = line_of(annotations, None), {}
    for name, value in annotations.items():
        field = str(name).removeprefix(ANNOTATION_PREFIX).replace("-", "_")
        if str(name).startswith(ANNOTATION_PREFIX) and field in DR_KEYS:
            raw[field], raw.key_lines[field] = value, line_of(annotations, name)
    if not raw:
        return None
    found: list[Problem] = []
    facts = recovery_facts(raw, file, key, found)
    # Name the annotation as written, not the dr: key it stands for.
    problems += [Problem(p.file, p.line, f"{key}.{ANNOTATION_PREFIX}{p.key.rsplit('.', 1)[1].replace('_', '-')}",
                         p.message) for p in found]
    return None if found else facts
