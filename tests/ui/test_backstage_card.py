"""The service card shows what a Backstage catalog adds: the system and its
domain, the owning team's members, and API links leading to the service at
the other end; all of it untrusted text, shown literally."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from cockpit.clock import fixed_clock
from cockpit.service_index import Index
from cockpit.model import ApiLink, Service, Snapshot
from cockpit.sources.base import SourceContext
from cockpit.sources.catalog import CatalogSource, parse_catalog
from cockpit.ui.widgets.links import LinkList
from cockpit.panels.services import card_links, card_summary
from tests.test_backstage import spec_for
from tests.ui.conftest import settle
from tests.ui.helpers import screen_text

EXAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "realworld" / "backstage" / "examples"
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def index_of(*services: Service) -> Index:
    return Index.build(Snapshot(taken_at=NOW, services=services))


def test_card_of_a_backstage_service():
    services = parse_catalog(EXAMPLES).services
    index = index_of(*services.values())
    summary = card_summary(services["wayback-search"], index, NOW).plain
    assert "System" not in summary  # wayback-search names no system
    assert "Team members     Guest User <guest@example.com>\n                 Janelle Dawe" in summary
    lookup = card_summary(services["artist-lookup"], index, NOW).plain
    assert "System           artist-engagement-portal  domain artists" in lookup
    sections = dict(card_links(services["wayback-search"], index, NOW))
    assert [(link.label.plain, link.ref) for link in sections["Consumes APIs"]] == [
        ("wayback-archive  openapi  Archive API for the wayback machine  from wayback-archive", "wayback-archive")]
    assert [(link.label.plain, link.ref) for link in sections["Provides APIs"]] == [
        ("wayback-search  openapi  Search API for the wayback machine  no consumer in the catalog", "wayback-search")]
    petstore = dict(card_links(services["petstore"], index, NOW))
    assert len(petstore["Provides APIs"]) == 3 and "Consumes APIs" in petstore


def test_seed_services_get_no_backstage_sections():
    service = Service(name="api", owner="team")
    assert [title for title, _ in card_links(service, index_of(service), NOW)] == [
        "Open incidents", "SLOs", "Runbooks", "Depends on", "Depended on by"]
    assert "System" not in card_summary(service, index_of(service), NOW).plain


def test_backstage_text_is_shown_literally():
    evil = "\x1b]52;c;ZXZpbA==\x07[bold]x[/bold]\x1b[31m"
    service = Service(name="api", owner="team", system=evil, members=(evil,),
                      consumes_apis=(ApiLink(name="pay", description=evil),))
    summary = card_summary(service, index_of(service), NOW)
    links = dict(card_links(service, index_of(service), NOW))
    for text in (summary, links["Consumes APIs"][0].label):
        assert "\x1b" not in text.plain and "\x07" not in text.plain
        assert "[bold]x[/bold]" in text.plain  # markup stays text


async def test_the_app_on_backstage_examples_drills_from_an_api_to_its_provider(app_factory):
    data = await CatalogSource(spec_for(EXAMPLES), SourceContext(clock=fixed_clock())).fetch()
    app = app_factory(catalog_data=data)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        assert app.query_one("#services").focus_item("wayback-search")
        await pilot.pause()
        text = screen_text(app)
        assert "Team members" in text and "Consumes APIs" in text and "from wayback-archive" in text
        links = app.query_one("#card-links", LinkList)
        target = next(i for i, link in enumerate(links.links) if link.ref == "wayback-archive")
        for _ in range(target):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        assert app.query_one("#services").card_stack[-1] == "wayback-archive"
