"""Backstage catalogs as teams have them: Backstage's own public examples
(tests/fixtures/realworld/backstage/, copied unchanged) read through their
Location files or as a folder, unknown kinds skipped and counted, an invalid
entity one problem with its file and line while every other entity loads,
at check time and at run time."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from cockpit.commands.check import run_check
from cockpit.clock import fixed_clock
from cockpit.sources.base import SourceContext, SourceError, SourceSpec
from cockpit.sources.catalog import CatalogSource, parse_catalog
from cockpit.commands.status import run_status

REAL = Path(__file__).resolve().parent / "fixtures" / "realworld" / "backstage"
EXAMPLES = REAL / "examples"
INVALID = EXAMPLES / "components" / "invalid-component.yaml"
TEAM_A = ("Guest User <guest@example.com>", "Janelle Dawe <janelle-dawe@example.com>",
          "Nigel Manning <nigel-manning@example.com>", "breanna.davison <breanna-davison@example.com>")
# Every Component and Resource that examples/all.yaml leads to.
ALL_YAML_SERVICES = {
    "artist-lookup", "petstore", "playback-order", "podcast-api", "queue-proxy", "searcher", "playback-sdk",
    "www-artist", "shuffle-api", "wayback-archive", "wayback-archive-ingestion", "wayback-archive-storage",
    "wayback-search", "artists-db"}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def location(path: Path, *targets: str, extra: str = "") -> Path:
    lines = "".join(f"    - {t}\n" for t in targets)
    return write(path, f"apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: {path.stem}\n"
                       f"spec:\n{extra}  targets:\n{lines}")


def component(name: str, extra: str = "") -> str:
    return (f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n"
            f"spec:\n  type: service\n  lifecycle: production\n  owner: team-x\n{extra}")


@pytest.fixture
def app_locations(tmp_path) -> Path:
    """What Backstage's own app-config loads: the examples' all.yaml plus the
    acme org (groups and users), here as one Location file with absolute targets."""
    return location(tmp_path / "locations.yaml", str(EXAMPLES / "all.yaml"), str(EXAMPLES / "acme" / "org.yaml"))


def spec_for(path: Path) -> SourceSpec:
    return SourceSpec(kind="catalog", name="catalog", refresh=timedelta(seconds=30), timeout=timedelta(seconds=10),
                      options={"path": str(path)}, base_dir=path.parent, config_file="cockpit.yaml", line=3)


# --- Backstage's public examples ----------------------------------------------

def test_all_yaml_locations_are_followed_and_every_entity_loads(app_locations):
    catalog = parse_catalog(app_locations)
    assert catalog.problems == []
    assert set(catalog.services) == ALL_YAML_SERVICES
    # 1 + all.yaml + its 6 Location files + 34 entity files + org.yaml + 7 group files
    assert catalog.files_read == 50
    assert catalog.notes == ["skipped 3 Backstage entities of kinds the cockpit does not read (AiResource 3)"]


def test_owners_contacts_systems_and_members(app_locations):
    services = parse_catalog(app_locations).services
    lookup = services["artist-lookup"]
    assert (lookup.owner, lookup.primary_contact, lookup.system, lookup.domain) == (
        "team-a", "team-a@example.com", "artist-engagement-portal", "artists")
    assert lookup.members == TEAM_A  # Users' memberOf, the guest of two namespaces once
    assert lookup.depends_on == ("artists-db",) and lookup.on_call is False  # lifecycle: experimental
    # Owned by a User (`owner: user:guest`): the user is the contact.
    order = services["playback-order"]
    assert (order.owner, order.primary_contact, order.members, order.system, order.domain) == (
        "guest", "guest@example.com", ("Guest User <guest@example.com>",), "audio-playback", "playback")
    assert order.on_call is True
    # team-c has no profile email; its members still show.
    sdk = services["playback-sdk"]
    assert (sdk.owner, sdk.primary_contact, len(sdk.members)) == ("team-c", "", 5)
    assert services["podcast-api"].system == "podcast" and services["podcast-api"].domain == "playback"


def test_api_links(app_locations):
    services = parse_catalog(app_locations).services
    assert [(a.name, a.type, a.description, a.in_catalog) for a in services["petstore"].provides_apis] == [
        ("petstore", "openapi", "The petstore API", True),
        ("streetlights", "asyncapi", "The Smartylighting Streetlights API allows you to remotely manage "
                                     "the city lights.", True),
        ("hello-world", "grpc", "Hello World example for gRPC", True)]
    search = services["wayback-search"]
    assert [(a.name, a.type) for a in search.provides_apis] == [("wayback-search", "openapi")]
    assert [(a.name, a.type) for a in search.consumes_apis] == [("wayback-archive", "openapi")]
    # www-artist names a Component in consumesApis; the link says what it is.
    assert [(a.name, a.type) for a in services["www-artist"].consumes_apis] == [("artist-lookup", "component")]


def test_annotations_are_kept_as_written(app_locations):
    lookup = parse_catalog(app_locations).services["artist-lookup"]
    assert dict(lookup.annotations) == {
        "backstage.io/source-template": "template:default/springboot-template",
        "backstage.io/linguist": "https://github.com/backstage/backstage/tree/master/plugins/playlist"}


def test_the_examples_folder_read_recursively(tmp_path):
    catalog = parse_catalog(EXAMPLES)
    # The deliberately invalid component is one problem; every other entity loads.
    assert [(p.file, p.line, p.key) for p in catalog.problems] == [(str(INVALID), 4, "metadata.name")]
    assert "'invalid component' is not a valid name" in catalog.problems[0].message
    assert set(catalog.services) == ALL_YAML_SERVICES | {"different-namespace"}
    assert catalog.services["different-namespace"].owner == "team-a"  # default/team-a from namespace alternative
    assert catalog.notes == [
        f"{EXAMPLES / 'acme-corp.yaml'}:9: spec.targets[0]: not followed: https://github.com/spotify/backstage/blob/"
        "master/packages/catalog-model/examples/acme/org.yaml (URL targets are not fetched; copy the file next to "
        "this one)",
        "skipped 6 Backstage entities of kinds the cockpit does not read (AiResource 4, Environment 2)"]
    # petstore-webhook.oas.yaml is the `$text` definition of an API, not a catalog file.
    assert catalog.files_read == 57


def test_backstage_demo_repository():
    catalog = parse_catalog(REAL / "demo")
    assert catalog.problems == []
    demo = catalog.services["backstage-demo"]
    assert (demo.owner, [(a.name, a.type) for a in demo.consumes_apis]) == ("maintainers", [("demo-graphql", "graphql")])
    assert catalog.notes == ["skipped 6 Backstage entities of kinds the cockpit does not read (AiResource 6)"]


# --- Location rules ---------------------------------------------------------------

def test_relative_targets_globs_and_presence(tmp_path):
    write(tmp_path / "components" / "a.yaml", component("a"))
    write(tmp_path / "components" / "deep" / "b.yaml", component("b"))
    write(tmp_path / "other" / "c.yaml", component("c"))
    root = location(tmp_path / "catalog-info.yaml", "./components/**/*.yaml", "other/c.yaml", "./missing.yaml",
                    "./nothing/*.yaml")
    catalog = parse_catalog(root)
    assert set(catalog.services) == {"a", "b", "c"}
    assert [(p.line, p.key, p.message.split(" (")[0]) for p in catalog.problems] == [
        (9, "spec.targets[2]", "file not found: './missing.yaml'"),
        (10, "spec.targets[3]", "no file matches './nothing/*.yaml'")]
    optional = location(tmp_path / "optional.yaml", "./missing.yaml", extra="  presence: optional\n")
    assert parse_catalog(optional).problems == []


def test_a_cycle_is_reported_and_a_file_is_read_once(tmp_path):
    write(tmp_path / "shared.yaml", component("shared"))
    location(tmp_path / "a.yaml", "./b.yaml", "./shared.yaml")
    location(tmp_path / "b.yaml", "./a.yaml", "./shared.yaml")
    catalog = parse_catalog(tmp_path / "a.yaml")
    assert set(catalog.services) == {"shared"}  # twice named, once read: no duplicate
    [problem] = catalog.problems
    assert (problem.file, problem.line, problem.key) == (str(tmp_path / "b.yaml"), 7, "spec.targets[0]")
    assert problem.message == "Location cycle: a.yaml -> b.yaml -> a.yaml (not followed again)"


def test_invalid_entities_are_problems_and_the_rest_loads(tmp_path):
    path = write(tmp_path / "entities.yaml", "---\n".join([
        component("good", "  dependsOn: ['resource:db']\n  system: shop\n"),
        component("no-owner").replace("  owner: team-x\n", ""),
        component("bad-namespace").replace("  name: bad-namespace\n", "  name: bad-namespace\n  namespace: a/b\n"),
        component("bad-deps", "  dependsOn: resource:db\n"),
        "apiVersion: backstage.io/v1alpha1\nkind: Widget\nmetadata: {name: w}\n",
        "apiVersion: backstage.io/v1alpha1\nmetadata: {name: kindless}\n",
        component("good"),
    ]))
    catalog = parse_catalog(path)
    assert set(catalog.services) == {"good"} and catalog.services["good"].system == "shop"
    assert [(p.line, p.key, p.message) for p in catalog.problems] == [
        (16, "spec.owner", "missing owner (a group or user reference)"),
        (24, "metadata.namespace", "'a/b' is not a valid namespace (letters and digits, with - between them)"),
        (38, "spec.dependsOn", "expected a list of entity references ([kind:][namespace/]name)"),
        (44, "kind", "missing entity kind (Component, Group, Location ...)"),
        (50, "metadata.name", f"Component 'good' is already defined at {path}:4"),
    ]
    assert catalog.notes == ["skipped 1 Backstage entity of kinds the cockpit does not read (Widget 1)"]
    assert [(r.service, r.line) for r in catalog.refers] == [("db", 9)]


# --- check and run time ---------------------------------------------------------------

def test_check_notes_skipped_kinds_and_exits_0(app_locations, tmp_path, capsys):
    config = write(tmp_path / "cockpit.yaml", f"data_dir: {tmp_path / 'data'}\n"
                                              "sources:\n  - {kind: catalog, path: locations.yaml}\n")
    assert run_check(str(config)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["note: catalog: skipped 3 Backstage entities of kinds the cockpit does not read (AiResource 3)",
                   f"{config}: OK (1 sources, 14 services, 1 references)"]


def test_check_reports_the_invalid_entity_with_file_and_line(tmp_path, capsys):
    config = write(tmp_path / "cockpit.yaml", f"sources:\n  - {{kind: catalog, path: {EXAMPLES}}}\n")
    assert run_check(str(config)) == 2
    out = capsys.readouterr().out
    assert f"{INVALID}:4: metadata.name: 'invalid component' is not a valid name" in out
    assert "note: catalog: skipped 6 Backstage entities" in out


async def test_fetch_gives_every_other_service_and_a_warning():
    source = CatalogSource(spec_for(EXAMPLES), SourceContext(clock=fixed_clock()))
    data = await source.fetch()
    assert {s.name for s in data.services} == ALL_YAML_SERVICES | {"different-namespace"}
    assert data.warnings == (f"{INVALID}:4: metadata.name: 'invalid component' is not a valid name (letters and "
                             "digits, with - _ . between them, at most 63 characters)",)


async def test_fetch_without_any_service_still_fails(tmp_path):
    write(tmp_path / "c.yaml", component("x").replace("  owner: team-x\n", ""))
    with pytest.raises(SourceError, match="spec.owner: missing owner"):
        await CatalogSource(spec_for(tmp_path / "c.yaml"), SourceContext(clock=fixed_clock())).fetch()


def test_status_json_lists_the_services_despite_the_invalid_entity(tmp_path, capsys):
    config = write(tmp_path / "cockpit.yaml", f"data_dir: {tmp_path / 'data'}\n"
                                              f"sources:\n  - {{kind: catalog, path: {EXAMPLES}}}\n")
    assert run_status(str(config), as_json=True) == 0
    document = json.loads(capsys.readouterr().out)
    assert {s["name"] for s in document["services"]} == ALL_YAML_SERVICES | {"different-namespace"}
    [catalog] = document["sources"]
    # What was not loaded is said: degraded, the invalid entity among the warnings.
    assert (catalog["state"], catalog["ok"], catalog["error"]) == ("degraded", False, "")
    assert any("invalid-component.yaml:4" in warning for warning in catalog["warnings"])


def test_the_example_config_checks_clean_and_reads_its_catalog():
    example = Path(__file__).resolve().parent.parent / "config" / "examples"
    assert run_check(str(example / "backstage.yaml")) == 0
    services = parse_catalog(example / "backstage" / "catalog-info.yaml").services
    checkout = services["checkout-service"]
    assert (checkout.owner, checkout.primary_contact, checkout.system, checkout.domain, checkout.members) == (
        "payments-team", "payments@example.com", "checkout", "commerce", ("Dana Reyes <dana@example.com>",))
    assert [a.name for a in checkout.consumes_apis] == [a.name for a in services["payments-gateway"].provides_apis]
    assert checkout.depends_on == ("payments-gateway",)
    assert checkout.annotations["backstage.io/kubernetes-namespace"] == "payments"
