"""The catalog source: the seed's ownership format and clear problems for
broken files (Backstage entities: tests/test_backstage.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from cockpit.clock import fixed_clock
from cockpit.sources.base import SourceContext, SourceError, SourceSpec
from cockpit.sources.catalog import CatalogSource, parse_catalog

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "config" / "services.yaml"

# The bundled default's teams, as the house briefing lists them.
TEAMS = {
    "backend-team": {"api-server", "auth-service", "user-service", "notification-service"},
    "data-team": {"scraper-service", "reconciliation-service", "events-pipeline"},
    "payments-team": {"checkout-service", "payments-gateway", "billing-worker"},
    "platform-team": {"ingress-gateway", "postgres-primary", "redis-cache", "message-queue"},
    "search-team": {"search-service", "recommendations"},
    "web-team": {"web-frontend"},
}


def spec_for(path: Path | str, base_dir: Path = REPO) -> SourceSpec:
    return SourceSpec(kind="catalog", name="catalog", refresh=timedelta(seconds=30), timeout=timedelta(seconds=10),
                      options={"path": str(path)}, base_dir=base_dir, config_file="cockpit.yaml", line=3)


def write(folder: Path, text: str, name: str = "services.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[tuple[int, str, str]]:
    return [(p.line, p.key, p.message) for p in parse_catalog(path).problems]


# --- the bundled catalog ------------------------------------------------------

def test_bundled_catalog_has_the_briefed_teams_and_is_clean():
    result = CatalogSource.check(spec_for(BUNDLED))
    assert result.problems == []
    catalog = parse_catalog(BUNDLED)
    teams: dict[str, set[str]] = {}
    for service in catalog.services.values():
        teams.setdefault(service.owner, set()).add(service.name)
    assert teams == TEAMS
    # Every dependency and data domain is defined in the same file.
    assert {ref.service for ref in result.refers} <= set(catalog.services)
    assert {"events", "users", "reconciliation", "payments", "search-index"} == set(catalog.domains)


def test_bundled_catalog_escalation_and_on_call():
    services = parse_catalog(BUNDLED).services
    for service in services.values():
        assert 3 <= len(service.escalation_path) <= 4, service.name
        assert service.escalation_path[-1].contact in ("@cto", "@vp-engineering"), service.name
        assert service.primary_contact.startswith("@") and service.description
    batch = {name for name, s in services.items() if not s.on_call}
    assert batch == {"reconciliation-service", "billing-worker"}
    # The seed's timing for plain contacts; payments-gateway overrides L2.
    api = services["api-server"].escalation_path
    assert [(s.level, s.after) for s in api] == [(1, timedelta(0)), (2, timedelta(minutes=15)), (3, timedelta(hours=1))]
    gateway = services["payments-gateway"].escalation_path
    assert gateway[1].contact == "@payments-lead" and gateway[1].after == timedelta(minutes=10)
    assert [s.critical_only for s in gateway] == [False, False, False, True]


def test_seed_data_domains_keep_their_fields():
    domains = parse_catalog(BUNDLED).domains
    users = domains["users"]
    assert (users.owner, users.schema, users.retention, users.pii, users.gdpr_applies) == (
        "backend-team", "users", "indefinite", True, True)
    assert domains["events"].retention == "2_years" and domains["events"].pii is False


# --- the seed format ------------------------------------------------------------

def test_seed_example_parses(tmp_path):
    path = write(tmp_path, """\
services:
  api-server:
    owner: backend-team
    escalation_path:
      - "@backend-lead"
      - {contact: "@engineering-manager", after: 30m}
      - "@cto"
      - "@ceo"
    on_call: true
    runbooks: ["docs/runbooks/api-server/"]
    depends_on: [db]
  db:
    owner: platform-team
""")
    catalog = parse_catalog(path)
    assert catalog.problems == []
    api = catalog.services["api-server"]
    assert api.primary_contact == "@backend-lead"  # defaults to the first level
    assert [(s.level, s.contact, s.after, s.critical_only) for s in api.escalation_path] == [
        (1, "@backend-lead", timedelta(0), False),
        (2, "@engineering-manager", timedelta(minutes=30), False),
        (3, "@cto", timedelta(hours=1), False),
        (4, "@ceo", timedelta(hours=1), True),
    ]
    assert api.runbooks == ("docs/runbooks/api-server/",) and api.depends_on == ("db",)
    assert catalog.services["db"].on_call is False
    assert catalog.defines == {"api-server": (str(path), 2), "db": (str(path), 12)}


def test_broken_service_entries(tmp_path):
    path = write(tmp_path, """\
services:
  api-server:
    owner: backend-team
    on_call: "yes"
    runbook: docs/
    depends_on: [api-server]
    escalation_path:
      - 42
      - {after: 5m}
  no-owner:
    primary_contact: "@x"
  "bad name":
    owner: x
  list-entry: [a]
teams: {}
""")
    assert problems(path) == [
        (15, "teams", "unknown key (accepted: data_domains, services)"),
        (4, "services.api-server.on_call", "expected true or false, got 'yes'"),
        (5, "services.api-server.runbook",
         "unknown key (accepted: alerts, data_domains, depends_on, description, dr, escalation_path, flags, on_call, "
         "owner, primary_contact, runbooks, tier)"),
        (8, "services.api-server.escalation_path[0]", 'expected a contact ("@lead") or {contact, after, critical_only}'),
        (9, "services.api-server.escalation_path[1].contact", "missing required key (who is paged at this level)"),
        (6, "services.api-server.depends_on", "a service cannot depend on itself"),
        (11, "services.no-owner.owner", "missing required key (the owning team)"),
        (12, "services.bad name", "'bad name' is not a valid name (letters and digits, with - _ . between them, "
                                  "at most 63 characters)"),
        (14, "services.list-entry", "expected a mapping with owner, primary_contact, escalation_path, on_call, runbooks"),
    ]


@pytest.mark.parametrize("text, expected", [
    ("", (1, "(file)", "empty catalog file: expected `services:`")),
    ("services:\n  a: {owner: x\n", (3, "(file)", "YAML syntax error")),
    ("- a\n- b\n", (1, "(file)", "expected a `services:` map or Backstage entities")),
])
def test_unreadable_files(tmp_path, text, expected):
    [(line, key, message)] = problems(write(tmp_path, text))
    assert (line, key) == expected[:2] and message.startswith(expected[2])


def test_folder_of_files_and_duplicates(tmp_path):
    write(tmp_path, "services:\n  a: {owner: x}\n", "one.yaml")
    write(tmp_path, "services:\n  b: {owner: y}\n  a: {owner: z}\n", "two.yml")
    write(tmp_path, "not yaml at all: [", "notes.txt")
    catalog = parse_catalog(tmp_path)
    assert set(catalog.services) == {"a", "b"} and catalog.services["a"].owner == "x"
    assert [(p.file, p.line, p.key, p.message) for p in catalog.problems] == [
        (str(tmp_path / "two.yml"), 3, "services.a", f"service 'a' is already defined at {tmp_path / 'one.yaml'}:2")]


def test_check_reports_unknown_domains_and_missing_runbooks(tmp_path):
    (tmp_path / "runbooks" / "a").mkdir(parents=True)
    write(tmp_path, """\
services:
  a:
    owner: x
    runbooks: [runbooks/a/, runbooks/b.md, "https://wiki.example/a"]
    data_domains: [users, sales]
    depends_on: [elsewhere]
data_domains:
  users: {owner: x, pii: true}
""")
    result = CatalogSource.check(spec_for("services.yaml", base_dir=tmp_path))
    assert [(p.line, p.key, p.message) for p in result.problems] == [
        (5, "services.a.data_domains[1]", "unknown data domain 'sales'"),
        (4, "services.a.runbooks[1]", "runbook not found: 'runbooks/b.md' (paths resolve from this file's folder)"),
    ]
    # depends_on is checked across every source by `cockpit check`, not here.
    assert [(r.service, r.line, r.key, r.what) for r in result.refers] == [
        ("elsewhere", 6, "services.a.depends_on[0]", "depends_on")]


def test_check_missing_path_points_at_the_config(tmp_path):
    result = CatalogSource.check(spec_for("nope.yaml", base_dir=tmp_path))
    [problem] = result.problems
    assert (problem.file, problem.line, problem.key) == ("cockpit.yaml", 3, "sources.catalog.path")
    assert "not found" in problem.message


# --- fetch ------------------------------------------------------------------------

def source(path: Path, base_dir: Path = REPO) -> CatalogSource:
    return CatalogSource(spec_for(path, base_dir), SourceContext(clock=fixed_clock()))


async def test_fetch_returns_services_and_domains():
    data = await source(BUNDLED).fetch()
    assert {s.name for s in data.services} == set().union(*TEAMS.values())
    assert len(data.data_domains) == 5
    assert data.slos == () and data.incidents == ()


async def test_fetch_raises_the_first_problem(tmp_path):
    write(tmp_path, "services:\n  a: {owner: [x]}\n")
    with pytest.raises(SourceError) as info:
        await source(Path("services.yaml"), tmp_path).fetch()
    assert str(info.value) == f"{tmp_path / 'services.yaml'}:2: services.a.owner: expected a string, got ['x']"


async def test_a_catalog_is_parsed_again_only_when_its_files_changed(tmp_path, monkeypatch):
    import cockpit.sources.catalog as catalog_module

    parses = []
    parse = catalog_module.parse_catalog
    monkeypatch.setattr(catalog_module, "parse_catalog", lambda path: (parses.append(path), parse(path))[1])
    write(tmp_path, "services:\n  a: {owner: team-a}\n")
    catalog = source(Path("services.yaml"), tmp_path)
    await catalog.fetch()
    second = await catalog.fetch()  # parsed once more: the files the first read are stamped from now on
    third = await catalog.fetch()
    assert len(parses) == 2 and third.services[0] is second.services[0]  # the same objects: nothing read again
    write(tmp_path, "services:\n  a: {owner: team-a}\n  b: {owner: team-b}\n")
    assert [s.name for s in (await catalog.fetch()).services] == ["a", "b"] and len(parses) == 3


async def test_a_file_added_where_a_location_points_is_read(tmp_path):
    (tmp_path / "svc").mkdir()
    entity = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {}\n" \
             "spec:\n  type: service\n  lifecycle: production\n  owner: team-x\n"
    write(tmp_path / "svc", entity.format("one"), "one.yaml")
    write(tmp_path, "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: all\n"
                    "spec:\n  targets:\n    - ./svc/*.yaml\n", "catalog-info.yaml")
    catalog = source(Path("catalog-info.yaml"), tmp_path)
    assert [s.name for s in (await catalog.fetch()).services] == ["one"]
    assert [s.name for s in (await catalog.fetch()).services] == ["one"]
    write(tmp_path / "svc", entity.format("two"), "two.yaml")  # the folder changes, no file read before does
    assert sorted(s.name for s in (await catalog.fetch()).services) == ["one", "two"]
