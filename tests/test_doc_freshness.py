"""Documentation freshness: the one staleness rule, each kind's collector,
the registry, the config's `docs:` section and the bundled demo's data."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from cockpit import doc_freshness
from cockpit.clock import DEMO_TIME
from cockpit.config import BUNDLED_CONFIG, ConfigError, load_config
from cockpit.doc_settings import DocSettings
from cockpit.doc_freshness import (KIND_NAMES, DocInputs, DocKind, OwnedDocument, collect,
                                   review_day, stale_reason)
from cockpit.model import ADR, Incident, Runbook, Snapshot
from cockpit.postmortems.draft import draft_from_incident

TODAY = date(2026, 11, 28)
SNAPSHOT = Snapshot(taken_at=DEMO_TIME, runbooks=(
    Runbook("fresh.md", "Fresh", "", "@web-team", last_validated=date(2026, 11, 25), source="rb"),
    Runbook("old.md", "Old", "", "@db-team", last_validated=date(2026, 11, 1), source="rb"),
    Runbook("never.md", "Never", "", "", source="rb"),
))


def by_ref(documents: list[OwnedDocument]) -> dict[str, OwnedDocument]:
    return {d.ref: d for d in documents}


def test_the_rule_is_the_runbooks_rule_with_a_reason():
    assert stale_reason(date(2026, 11, 20), date(2026, 11, 28), TODAY) == ""  # due today: still fresh
    assert stale_reason(date(2026, 11, 20), date(2026, 11, 27), TODAY) == "1 day overdue"
    assert stale_reason(None, None, TODAY) == "never validated"
    assert stale_reason(None, date(2026, 11, 18), TODAY) == "never validated, 10 days overdue"
    for runbook in SNAPSHOT.runbooks:  # the runbooks' own staleness and the documents' agree
        assert runbook.is_stale(TODAY) == bool(stale_reason(runbook.last_validated, runbook.next_review, TODAY))


def test_review_day_is_the_utc_date():
    late_in_berlin = datetime(2026, 11, 28, 0, 30, tzinfo=timezone(timedelta(hours=2)))
    assert review_day(late_in_berlin) == date(2026, 11, 27)


def test_runbooks_become_documents_with_their_dates():
    docs = by_ref(collect(DocInputs(SNAPSHOT, TODAY), ["runbooks"]))
    assert docs["fresh.md"] == OwnedDocument("runbooks", "Fresh", "fresh.md", "@web-team", date(2026, 11, 25),
                                             date(2026, 12, 2), "", "rb")
    assert docs["old.md"].stale_reason == "20 days overdue"
    assert docs["never.md"].stale_reason == "never validated" and docs["never.md"].owner == ""


def write_postmortem(folder: Path, name: str, front: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"---\n{front}\n---\n# Postmortem: {name}\n", encoding="utf-8")
    return path


def test_postmortems_are_due_a_cadence_after_written_or_validated(tmp_path):
    folder = tmp_path / "drafts"
    write_postmortem(folder, "new.md", "title: New\nstatus: draft\ncreated: 2026-11-20T10:00:00+00:00\nowner: '@ann'")
    write_postmortem(folder, "forgotten.md", "title: Forgotten\nstatus: draft\ncreated: 2026-10-01T10:00:00+00:00")
    write_postmortem(folder, "done.md", "title: Done\nstatus: reviewed\ncreated: 2026-09-01T10:00:00+00:00\n"
                                        "last_validated: 2026-11-10\nowner: '@bob'")
    (folder / "broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    docs = {Path(d.ref).name: d for d in collect(DocInputs(SNAPSHOT, TODAY, drafts_folder=folder), ["postmortems"])}
    assert docs["new.md"].owner == "@ann" and docs["new.md"].next_review == date(2026, 12, 20)
    assert not docs["new.md"].stale and docs["new.md"].last_validated is None
    assert docs["forgotten.md"].stale_reason == "never validated, 28 days overdue"
    assert docs["done.md"].last_validated == date(2026, 11, 10) and docs["done.md"].next_review == date(2026, 12, 10)
    assert not docs["done.md"].stale
    assert docs["broken.md"].stale_reason == "front matter unreadable"
    # The configured cadence counts instead of the guide's monthly.
    weekly = DocSettings(review_every={"postmortems": timedelta(days=7)})
    docs = by_ref(collect(DocInputs(SNAPSHOT, TODAY, weekly, folder), ["postmortems"]))
    assert docs[str(folder / "new.md")].next_review == date(2026, 11, 27) and docs[str(folder / "new.md")].stale


def test_no_drafts_folder_no_postmortems(tmp_path):
    assert collect(DocInputs(SNAPSHOT, TODAY, drafts_folder=None), ["postmortems"]) == []
    assert collect(DocInputs(SNAPSHOT, TODAY, drafts_folder=tmp_path / "none"), ["postmortems"]) == []


def test_a_drafted_postmortem_is_owned_by_the_commander():
    incident = Incident("INC-7", "API down", "P1", "resolved", "api-server", DEMO_TIME, "log", commander="@ann")
    assert "\nowner: '@ann'\n" in draft_from_incident(incident, services={}, now=DEMO_TIME)
    assert "owner:" not in draft_from_incident(replace(incident, commander=""), services={}, now=DEMO_TIME)


def test_onboarding_checklist_is_one_document_from_the_config():
    [unset] = collect(DocInputs(SNAPSHOT, TODAY), ["onboarding"])
    assert (unset.title, unset.owner, unset.stale_reason) == ("On-call onboarding checklist", "", "never validated")
    settings = DocSettings(onboarding_owner="@sre-team", onboarding_last_validated=date(2026, 11, 1))
    [checked] = collect(DocInputs(SNAPSHOT, TODAY, settings), ["onboarding"])
    assert checked.owner == "@sre-team" and checked.next_review == date(2026, 12, 1) and not checked.stale


def test_a_new_kind_is_one_collector_in_the_registry(monkeypatch):
    def api_docs(inputs: DocInputs):
        yield OwnedDocument("api-docs", "Payments API", "payments.yaml", "@payments", None, None, "never validated")

    monkeypatch.setattr(doc_freshness, "KINDS", (*doc_freshness.KINDS, DocKind("api-docs", api_docs)))
    monkeypatch.setattr(doc_freshness, "_BY_NAME", {k.name: k for k in doc_freshness.KINDS})
    kinds = [d.kind for d in collect(DocInputs(SNAPSHOT, TODAY), [*KIND_NAMES, "api-docs"])]
    assert kinds == ["runbooks"] * 3 + ["onboarding", "api-docs"]  # registry order; no drafts folder, no ADRs


def test_adrs_in_force_are_due_a_quarter_after_validated_or_dated_and_history_is_not_reviewed():
    adrs = (ADR(1, "0001-postgres.md", "Use PostgreSQL", "", status="accepted", owner="@db",
                last_validated=date(2026, 9, 1), source="adr"),
            ADR(2, "0002-mongo.md", "Use MongoDB", "", status="accepted", date=date(2026, 1, 5)),  # replaced by 3
            ADR(3, "0003-no-mongo.md", "Drop MongoDB", "", status="accepted", date=date(2026, 8, 1), supersedes=(2,)),
            ADR(4, "0004-rejected.md", "Use Cassandra", "", status="rejected", date=date(2025, 1, 1)))
    docs = by_ref(collect(DocInputs(replace(SNAPSHOT, adrs=adrs), TODAY), ["adrs"]))
    assert sorted(docs) == ["0001-postgres.md", "0003-no-mongo.md"]
    assert docs["0001-postgres.md"] == OwnedDocument("adrs", "ADR-0001 Use PostgreSQL", "0001-postgres.md", "@db",
                                                     date(2026, 9, 1), date(2026, 12, 1), "", "adr")
    assert docs["0003-no-mongo.md"].stale_reason == "never validated, 28 days overdue"  # 2026-08-01 + 91 days


def write_config(tmp_path: Path, docs: str) -> Path:
    path = tmp_path / "cockpit.yaml"
    path.write_text(f"data_dir: {tmp_path}\nsources: []\n{docs}", encoding="utf-8")
    return path


def test_config_docs_section(tmp_path):
    config = load_config(write_config(tmp_path, "docs:\n  postmortems: {review_every: weekly}\n"
                                                "  onboarding: {owner: '@sre', last_validated: 2026-11-01,"
                                                " review_every: quarterly}\n"))
    assert config.docs == DocSettings({"postmortems": timedelta(days=7), "onboarding": timedelta(days=91)},
                                      "@sre", date(2026, 11, 1))
    assert load_config(write_config(tmp_path, "")).docs == DocSettings()


@pytest.mark.parametrize("docs, problem", [
    ("docs: {adr: {}}", ":3: docs.adr: unknown key (accepted: adrs, onboarding, postmortems)"),
    ("docs: {postmortems: {review_every: 0s}}", ":3: docs.postmortems.review_every: must be longer than 0s"),
    ("docs: {onboarding: {last_validated: soon}}",
     ":3: docs.onboarding.last_validated: expected a date written YYYY-MM-DD, got 'soon'"),
    ("docs: {onboarding: {owner: x, since: 1}}", ":3: docs.onboarding.since: unknown key"),
    ("docs: [onboarding]", ":3: docs: expected a mapping"),
])
def test_config_docs_problems_name_file_line_and_key(tmp_path, docs, problem):
    path = write_config(tmp_path, docs + "\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert any(str(p).startswith(f"{path}{problem}") for p in error.value.problems), error.value.problems


def test_bundled_demo_has_stale_documents_of_two_kinds():
    from cockpit.sources.runbooks import load_runbooks

    config = load_config(BUNDLED_CONFIG)
    runbooks = load_runbooks(BUNDLED_CONFIG.parent.parent / "runbooks", config.review_every).runbooks
    snapshot = Snapshot(taken_at=DEMO_TIME, runbooks=tuple(runbooks))
    stale = {d.kind for d in collect(DocInputs(snapshot, review_day(DEMO_TIME), config.docs)) if d.stale}
    assert {"runbooks", "onboarding"} <= stale
