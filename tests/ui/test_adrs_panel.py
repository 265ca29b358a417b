"""The ADR panel, driven by keys: the list, the viewer, supersede links
followed both ways, the service card's ADR links, glossary lookups from the
viewers and glossary terms in the palette."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from textual.widgets import OptionList

from cockpit.model import ADR, GlossaryTerm
from cockpit.ui.widgets.glossary import GlossaryScreen
from tests.ui.conftest import MALICIOUS, catalog, keys_done, open_panel, settle
from tests.ui.helpers import screen_text

SIZE = (120, 36)

OLD = ADR(2, "0002-event-sourcing.md", "Implement event sourcing", "# ADR-002\n\nStore every Event as a fact.\n",
          status="superseded", date=date(2026, 2, 3), deciders=("Data Team",), tags=("events",),
          services=("postgres-primary",))
NEW = ADR(5, "0005-cdc.md", "Replace event sourcing with CDC", "# ADR-005\n\nEvery Review lands as an event.\n",
          status="accepted", date=date(2026, 6, 30), deciders=("Data Team", "Backend Team"),
          tags=("architecture", "database"), services=("postgres-primary", "api-server"), supersedes=(2,))
# Only the old one writes the link here: N from it and P from the new one must still work.
FIRST = ADR(7, "0007-queues.md", "Use RabbitMQ", "# Queues\n", status="superseded", superseded_by=(8,))
SECOND = ADR(8, "0008-kafka.md", "Use Kafka", "# Kafka\n", status="accepted")
HOSTILE = ADR(9, "0009-evil.md", MALICIOUS, "# Evil\n\ncolour \x1b[31mred\x1b[0m and [bold]markup[/]\n",
              status="proposed")
GLOSSARY = (
    GlossaryTerm("Event", "A ticketed occurrence at a venue", "stubhub_events", related=("Venue",)),
    GlossaryTerm("Review", "Human review of reconciliation match", synonyms=("Manual Review",)),
    GlossaryTerm("Venue", "A physical location where events occur"),
)


def world(*adrs: ADR):
    base = catalog()
    return replace(base, adrs=adrs or (OLD, NEW, FIRST, SECOND, HOSTILE), glossary=GLOSSARY)


async def open_adr(app, pilot, number: int):
    panel = await open_panel(app, pilot, "A", "adrs")
    panel.table.select_key(str(number))
    await pilot.press("enter")
    await keys_done(app, pilot)
    return panel


async def test_the_list_shows_number_title_status_date_deciders_and_tags(app_factory):
    app = app_factory(catalog_data=world())
    async with app.run_test(size=SIZE) as pilot:
        await open_panel(app, pilot, "A", "adrs")
        text = screen_text(app)
        for expected in ("ADR-0002", "Implement event sourcing", "superseded by ADR-0005", "2026-02-03",
                         "Data Team", "events", "ADR-0005", "accepted", "Data Team, Backen", "architecture, d"):
            assert expected in text, expected
        assert "[bold]x[/] red" in text and "\x1b" not in text  # shown as written, never read as markup


async def test_the_viewer_renders_the_adr_and_never_reads_markup(app_factory):
    app = app_factory(catalog_data=world())
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_adr(app, pilot, 9)
        assert panel.mode == "view"
        text = screen_text(app)
        assert "[bold]markup[/]" in text and "\x1b" not in text
        assert "colour red" in text  # the escape sequence removed, the words kept


async def test_supersede_links_are_followed_both_ways_and_esc_walks_back(app_factory):
    app = app_factory(catalog_data=world())
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_adr(app, pilot, 2)
        # ADR-2 says nothing about 5; ADR-5 says it supersedes 2: the old one says by which.
        assert "Superseded by ADR-0005 Replace event sourcing with CDC" in screen_text(app)
        await pilot.press("N")
        await keys_done(app, pilot)
        assert panel.open_number == 5 and "Supersedes ADR-0002 Implement event sourcing" in screen_text(app)
        await pilot.press("P")
        await keys_done(app, pilot)
        assert panel.open_number == 2
        await pilot.press("escape")
        await keys_done(app, pilot)
        assert panel.open_number == 5
        await pilot.press("escape")
        await keys_done(app, pilot)
        assert (panel.mode, panel.open_number) == ("view", 2)
        await pilot.press("escape")
        assert panel.mode == "list"


async def test_a_link_written_only_by_the_old_adr_works_from_the_new_one(app_factory):
    app = app_factory(catalog_data=world())
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_adr(app, pilot, 8)
        assert "Supersedes ADR-0007 Use RabbitMQ" in screen_text(app)
        await pilot.press("P")
        await keys_done(app, pilot)
        assert panel.open_number == 7
        await pilot.press("N")
        await keys_done(app, pilot)
        assert panel.open_number == 8


async def test_supersede_keys_are_not_offered_without_a_link(app_factory):
    app = app_factory(catalog_data=world())
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_adr(app, pilot, 9)
        assert panel.check_action("newer", ()) is None and panel.check_action("older", ()) is None
        told = []
        app.notify = lambda message, **options: told.append(message)
        await pilot.press("N")
        await keys_done(app, pilot)
        assert panel.open_number == 9 and told == ["No ADR supersedes ADR-0009."]


async def test_the_service_card_lists_its_adrs_and_a_link_opens_the_adr(app_factory):
    app = app_factory(catalog_data=world())
    async with app.run_test(size=SIZE) as pilot:
        services = await open_panel(app, pilot, "s", "services")
        services.focus_item("postgres-primary")
        await keys_done(app, pilot)
        text = screen_text(app)
        assert "Decisions (ADRs)" in text
        assert "ADR-0005 Replace event sourcing with CDC" in text
        assert "ADR-0002 Implement event sourcing" in text and "by ADR-0005" in text
        assert "ADR-0008" not in text  # names no service
        links = app.query_one("#card-links")
        target = next(n for n, link in enumerate(links.links) if link.panel == "adrs")
        assert links.links[target].ref == "5"  # newest first
        links.focus()
        links.highlighted = next(i for i, o in enumerate(links._options) if o.id == f"link-{target}")
        await pilot.press("enter")
        await keys_done(app, pilot)
        panel = app.query_one("#adrs")
        assert app.query_one("#panels").current == "adrs" and (panel.mode, panel.open_number) == ("view", 5)
        await pilot.press("escape")  # opened from the card: esc goes back to it
        await keys_done(app, pilot)
        assert app.query_one("#panels").current == "services"


async def test_c_in_the_viewer_opens_the_card_of_a_service_it_decides_about(app_factory):
    app = app_factory(catalog_data=world())
    async with app.run_test(size=SIZE) as pilot:
        await open_adr(app, pilot, 5)
        await pilot.press("c")
        await keys_done(app, pilot)
        assert app.query_one("#panels").current == "services"
        assert app.query_one("#services").shown_service == "postgres-primary"


async def test_l_lists_the_glossary_terms_the_adr_uses_and_shows_a_definition(app_factory):
    app = app_factory(catalog_data=world())
    async with app.run_test(size=SIZE) as pilot:
        await open_adr(app, pilot, 5)
        await pilot.press("l")
        await keys_done(app, pilot)
        assert isinstance(app.screen, GlossaryScreen)
        terms = app.screen.query_one(OptionList)
        assert [str(terms.get_option_at_index(i).prompt) for i in range(terms.option_count)] == ["Review", "Event"]
        assert "Human review of reconciliation match" in screen_text(app)
        await pilot.press("down")
        await pilot.pause()
        assert "A ticketed occurrence at a venue" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, GlossaryScreen) and app.query_one("#adrs").mode == "view"


async def test_l_in_the_runbook_viewer_looks_up_its_terms(app_factory):
    base = world()
    runbook = replace(base.runbooks[0], body="# Steps\n\nCheck each Venue.\n")
    app = app_factory(catalog_data=replace(base, runbooks=(runbook, *base.runbooks[1:])))
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "r", "runbooks")
        panel.open_runbook(runbook.path)
        await keys_done(app, pilot)
        await pilot.press("l")
        await keys_done(app, pilot)
        assert isinstance(app.screen, GlossaryScreen)
        assert "A physical location where events occur" in screen_text(app)


async def test_palette_term_hits_open_the_definition(app_factory):
    app = app_factory(catalog_data=world())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", *"term venue")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "termVenue" in screen_text(app).replace(" ", "")  # the export drops a lone space between highlights
        await pilot.press("enter")
        await keys_done(app, pilot)
        assert isinstance(app.screen, GlossaryScreen)
        terms = app.screen.query_one(OptionList)
        assert str(terms.get_option_at_index(terms.highlighted).prompt) == "Venue"
        assert "A physical location where events occur" in screen_text(app)


async def test_palette_jumps_to_an_adr(app_factory):
    app = app_factory(catalog_data=world())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", *"ADR-0008 kafka")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await keys_done(app, pilot)
        panel = app.query_one("#adrs")
        assert (panel.mode, panel.open_number) == ("view", 8)


def test_a_hostile_term_is_shown_as_written():
    from cockpit.ui.widgets.glossary import definition_text

    text = definition_text(GlossaryTerm(MALICIOUS, MALICIOUS, context=MALICIOUS))
    assert text.plain.count("[bold]x[/] red") == 3 and "\x1b" not in text.plain
    assert not text.spans or all(span.style in ("bold", "dim") for span in text.spans)
