"""The flags source: flagd's own published flag files read as flagd reads
them, schema errors and flag problems with file, line and key, and the
kill-switch flip (only defaultVariant changes, checked by the published
schema, written atomically, refused read-only, audited)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

import cockpit.atomicfile as atomicfile
from cockpit.audit import AuditLog
from cockpit.clock import fixed_clock
from cockpit.commands.check import check_config
from cockpit.hub import READ_ONLY_REFUSAL, Hub
from cockpit.sources.base import SourceContext, SourceError, SourceSpec
from cockpit.sources.flags.files import _validator, read_flag_file
from cockpit.sources.flags.kill_switch import flip
from cockpit.sources.flags.source import FlagsSource
from cockpit.writes import Action

REALWORLD = Path(__file__).parent / "fixtures" / "realworld" / "flagd"
BUNDLED_FLAGS = Path(__file__).parent.parent / "config" / "flags" / "checkout.flagd.json"

KILL_SWITCH_FILE = """{
  "$schema": "https://flagd.dev/schema/v0/flags.json",
  "flags": {
    "express-pay": {
      "state": "ENABLED",
      "variants": { "on": true, "off": false },
      "defaultVariant": "on",
      "metadata": { "service": "checkout-service", "killSwitch": true }
    },
    "pricing": {
      "state": "ENABLED",
      "variants": { "v1": "v1", "v2": "v2" },
      "defaultVariant": "v1",
      "targeting": { "fractional": [["v1", 90], ["v2", 10]] },
      "metadata": { "service": "checkout-service" }
    }
  },
  "$evaluators": { "internal": { "in": ["@example.com", { "var": "email" }] } }
}
"""


def flags_source(path: Path, name: str = "flags") -> FlagsSource:
    spec = SourceSpec(kind="flags", name=name, refresh=timedelta(seconds=30), timeout=timedelta(seconds=5),
                      options={"path": str(path)}, base_dir=path.parent)
    return FlagsSource(spec, SourceContext(clock=fixed_clock()))


def schema_errors(path: Path) -> list:
    return list(_validator().iter_errors(json.loads(path.read_text())))


# --- reading -----------------------------------------------------------------------

def test_flagds_own_sample_reads_as_flagd_serves_it():
    found = read_flag_file(REALWORLD / "example_flags.flagd.json", "flags")
    assert found.problems == []
    flags = {f.key: f for f in found.flags}
    assert list(flags) == ["myBoolFlag", "myStringFlag", "myFloatFlag", "myIntFlag", "myObjectFlag", "isColorYellow",
                           "fibAlgo", "headerColor", "targetedFlag"]
    assert flags["myBoolFlag"].value is True and not flags["myBoolFlag"].targeted
    assert flags["myFloatFlag"].value == 1.23 and flags["myIntFlag"].value == 1
    assert flags["myObjectFlag"].value == {"key": "val"}
    assert flags["isColorYellow"].value is False and flags["isColorYellow"].targeted
    assert flags["myStringFlag"].line == 12 and flags["myStringFlag"].file.endswith("example_flags.flagd.json")
    assert not any(f.kill_switch or f.service for f in found.flags)  # nothing maps them to a service


def test_flag_set_metadata_is_read_with_the_flags():
    found = read_flag_file(REALWORLD / "with-metadata.json")
    assert found.problems == [] and [f.key for f in found.flags] == ["headerColor"]


@pytest.mark.parametrize("name, problem", [
    ("state-set-incorrectly.json",
     "state-set-incorrectly.json:5: flags.myBoolFlag.state: flagd schema: 'WILL-FAIL' is not one of "
     "['ENABLED', 'DISABLED']"),
    ("malformed-flag.json", "malformed-flag.json:12: flags.not-a-flag: flagd schema: 'state' is a required property"),
    ("with-invalid-flag-metadata.json",
     "with-invalid-flag-metadata.json:12: flags.myBoolFlag.metadata.invalid: flagd schema: {'key': 'value'} is not "
     "of type 'string', 'number', 'boolean'"),
])
def test_the_schemas_own_negative_examples_are_refused_at_their_key(name, problem):
    found = read_flag_file(REALWORLD / name)
    assert [str(p).rsplit("/", 1)[1] for p in found.problems] == [problem]
    assert "not-a-flag" not in [f.key for f in found.flags]


def test_what_flagd_refuses_beyond_the_schema_and_what_a_kill_switch_needs(tmp_path):
    path = tmp_path / "bad.flagd.json"
    path.write_text(json.dumps({"flags": {
        "typo": {"state": "ENABLED", "variants": {"on": True, "off": False}, "defaultVariant": "of"},
        "not-boolean": {"state": "ENABLED", "variants": {"a": "a", "b": "b"}, "defaultVariant": "a",
                        "metadata": {"killSwitch": True}},
        "fine": {"state": "DISABLED", "variants": {"on": True, "off": False}, "defaultVariant": "off"},
    }}, indent=2))
    found = read_flag_file(path)
    assert [(p.line, p.key, p.message) for p in found.problems] == [
        (9, "flags.typo.defaultVariant", "'of' is not one of its variants"),
        (19, "flags.not-boolean.metadata.killSwitch", "a kill switch needs a true and a false variant to flip between"),
    ]
    assert [f.key for f in found.flags] == ["fine"]


def test_a_file_that_is_not_json_is_one_problem_with_its_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "flags": {\n    "x": \n  }\n}\n')
    found = read_flag_file(path)
    assert len(found.problems) == 1 and found.problems[0].line == 4 and "not JSON" in found.problems[0].message


def test_yaml_flag_files_are_read_too(tmp_path):
    path = tmp_path / "flags.yaml"
    path.write_text("flags:\n  k:\n    state: ENABLED\n    variants: {'on': true, 'off': false}\n"
                    "    defaultVariant: 'off'\n    metadata: {service: api-server, killSwitch: true}\n")
    (flag,) = read_flag_file(path).flags
    assert flag.kill_switch and flag.service == "api-server" and flag.value is False


# --- cockpit check -----------------------------------------------------------------

def test_check_names_schema_errors_and_flags_of_unknown_services(tmp_path):
    (tmp_path / "flags").mkdir()
    shutil.copy(REALWORLD / "state-set-incorrectly.json", tmp_path / "flags")
    (tmp_path / "flags" / "checkout.flagd.json").write_text(KILL_SWITCH_FILE.replace("checkout-service", "checkout"))
    (tmp_path / "services.yaml").write_text("services:\n  checkout-service: {owner: payments-team}\n")
    config = tmp_path / "cockpit.yaml"
    config.write_text("sources:\n  - {kind: catalog, path: services.yaml}\n  - {kind: flags, path: flags}\n")
    problems = [str(p).replace(str(tmp_path) + "/", "") for p in check_config(config, env={}).problems]
    assert problems == [  # each file's own problems first, then references across sources
        "flags/state-set-incorrectly.json:5: flags.myBoolFlag.state: flagd schema: 'WILL-FAIL' is not one of "
        "['ENABLED', 'DISABLED']",
        "flags/checkout.flagd.json:8: flags.express-pay.metadata.service: flag: unknown service 'checkout'",
        "flags/checkout.flagd.json:15: flags.pricing.metadata.service: flag: unknown service 'checkout'",
    ]


def test_check_names_a_catalog_flag_key_no_flags_source_defines(tmp_path):
    (tmp_path / "flags").mkdir()
    (tmp_path / "flags" / "checkout.flagd.json").write_text(KILL_SWITCH_FILE)
    shutil.copy(REALWORLD / "state-set-incorrectly.json", tmp_path / "flags")  # its flag has a problem: still defined
    (tmp_path / "services.yaml").write_text("services:\n  checkout-service:\n    owner: payments-team\n"
                                            "    flags:\n      - express-pay\n      - myBoolFlag\n"
                                            "      - express-checkout\n")
    config = tmp_path / "cockpit.yaml"
    config.write_text("sources:\n  - {kind: catalog, path: services.yaml}\n  - {kind: flags, path: flags}\n")
    problems = [str(p).replace(str(tmp_path) + "/", "") for p in check_config(config, env={}).problems]
    assert problems[-1:] == ["services.yaml:7: services.checkout-service.flags[2]: unknown flag key "
                             "'express-checkout': no flags source defines it"]
    assert not any("express-pay" in p or "myBoolFlag'" in p for p in problems)

    config.write_text("sources:\n  - {kind: catalog, path: services.yaml}\n")  # no flags source: nothing to check against
    assert check_config(config, env={}).problems == []


def test_the_bundled_flag_file_passes_the_published_schema():
    assert schema_errors(BUNDLED_FLAGS) == []
    assert read_flag_file(BUNDLED_FLAGS).problems == []


# --- the flip ----------------------------------------------------------------------

@pytest.fixture
def flag_file(tmp_path) -> Path:
    path = tmp_path / "checkout.flagd.json"
    path.write_text(KILL_SWITCH_FILE)
    path.chmod(0o644)
    return path


def test_a_flip_changes_only_the_default_variant_and_stays_valid(flag_file):
    before = flag_file.read_text()
    assert flip(flag_file, "express-pay", "on") == ("off", False)
    after = flag_file.read_text()
    assert after == before.replace('"defaultVariant": "on"', '"defaultVariant": "off"', 1)
    assert schema_errors(flag_file) == []
    assert flip(flag_file, "express-pay", "off") == ("on", True)
    assert flag_file.read_text() == before


def test_a_flip_keeps_the_files_mode_and_replaces_it_atomically(flag_file):
    inode = os.stat(flag_file).st_ino
    flip(flag_file, "express-pay", "on")
    assert os.stat(flag_file).st_mode & 0o777 == 0o644  # flagd may run as another user
    assert os.stat(flag_file).st_ino != inode  # a new file renamed over the old: never half written
    assert sorted(p.name for p in flag_file.parent.iterdir()) == ["checkout.flagd.json"]  # no temp file left


def test_a_crash_while_writing_leaves_the_old_file(flag_file, monkeypatch):
    before = flag_file.read_text()

    def crash(src, dst):
        raise OSError("disk gone")
    monkeypatch.setattr(atomicfile.os, "replace", crash)
    with pytest.raises(OSError):
        flip(flag_file, "express-pay", "on")
    assert flag_file.read_text() == before
    assert sorted(p.name for p in flag_file.parent.iterdir()) == ["checkout.flagd.json"]


def test_a_flip_is_refused_when_someone_flipped_it_meanwhile(flag_file):
    before = flag_file.read_text()
    with pytest.raises(SourceError, match="changed meanwhile"):
        flip(flag_file, "express-pay", "off")
    with pytest.raises(SourceError, match="not a kill switch"):
        flip(flag_file, "pricing", "v1")
    with pytest.raises(SourceError, match="no flag"):
        flip(flag_file, "gone", "on")
    assert flag_file.read_text() == before


def test_a_minified_file_is_written_again_whole_with_the_same_content(tmp_path):
    path = tmp_path / "min.json"
    data = json.loads(KILL_SWITCH_FILE)
    path.write_text(json.dumps(data, separators=(",", ":")))
    flip(path, "express-pay", "on")
    data["flags"]["express-pay"]["defaultVariant"] = "off"
    assert json.loads(path.read_text()) == data


def test_a_yaml_file_keeps_its_comments(tmp_path):
    path = tmp_path / "flags.yaml"
    text = ("# owned by payments\nflags:\n  k:\n    state: ENABLED  # never DISABLED\n"
            "    variants: {'on': true, 'off': false}\n    defaultVariant: 'on'  # flipped by on-call\n"
            "    metadata: {killSwitch: true}\n")
    path.write_text(text)
    flip(path, "k", "on")
    assert path.read_text() == text.replace("defaultVariant: 'on'", 'defaultVariant: "off"')


def run(coro):
    return asyncio.run(coro)


def test_the_hub_flips_audits_and_shows_the_new_state(flag_file, tmp_path):
    audit = AuditLog(tmp_path / "audit.jsonl", fixed_clock())
    hub = Hub([flags_source(flag_file)], clock=fixed_clock(), audit=audit, user="ann")

    async def go():
        await hub.refresh_all()
        result = await hub.perform("flags", Action("kill_switch", "express-pay",
                                                   {"file": str(flag_file), "from": "on"}))
        return result, hub.snapshot()
    result, snapshot = run(go())
    assert result.ok and "express-pay now serves off (false)" in result.message
    assert {f.key: f.value for f in snapshot.flags} == {"express-pay": False, "pricing": "v1"}
    (entry,) = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert (entry["user"], entry["action"], entry["target"], entry["source"]) == ("ann", "kill_switch", "express-pay",
                                                                                 "flags")
    assert entry["result"].startswith("ok")


def test_read_only_refuses_the_flip_and_audits_the_refusal(flag_file, tmp_path):
    before = flag_file.read_text()
    audit = AuditLog(tmp_path / "audit.jsonl", fixed_clock())
    hub = Hub([flags_source(flag_file)], clock=fixed_clock(), audit=audit, read_only=True)
    result = run(hub.perform("flags", Action("kill_switch", "express-pay", {"file": str(flag_file), "from": "on"})))
    assert not result.ok and result.message == READ_ONLY_REFUSAL
    assert flag_file.read_text() == before
    (entry,) = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert entry["result"] == f"failed: {READ_ONLY_REFUSAL}"


def test_only_the_sources_own_files_are_written(flag_file, tmp_path):
    other = tmp_path / "elsewhere"
    other.mkdir()
    stray = other / "stray.json"
    stray.write_text(KILL_SWITCH_FILE)
    source = flags_source(other / "nothing-here.json")
    with pytest.raises(SourceError, match="not one of"):
        run(source.perform(Action("kill_switch", "express-pay", {"file": str(stray), "from": "on"})))
    assert stray.read_text() == KILL_SWITCH_FILE
