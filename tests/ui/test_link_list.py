"""LinkList: a refresh that changes some words on its lines (an incident's
status) redraws those lines only, in place; one that changes the lines
themselves rebuilds the list. Either way the screen shows the new words and
the cursor stays on its link."""

from __future__ import annotations

from textual.app import App, ComposeResult

from cockpit.ui.widgets.links import Link, LinkList
from tests.ui.helpers import screen_text


class OneList(App):
    def compose(self) -> ComposeResult:
        yield LinkList(id="links")


def incidents(status: str, *extra: str) -> list[tuple[str, list[Link]]]:
    return [("Open", [Link(f"P2 checkout-service {status}", "incidents", "INC-1"),
                      Link("P3 auth-service investigating", "incidents", "INC-2"),
                      *(Link(f"P3 {name} investigating", "incidents", name) for name in extra)])]


async def test_changed_words_are_redrawn_on_their_line_alone():
    app = OneList()
    async with app.run_test(size=(60, 10)) as pilot:
        links = app.query_one(LinkList)
        links.set_sections(incidents("investigating"))
        await pilot.press("down")  # onto INC-2
        await pilot.pause()
        before = list(links.options)
        redrawn: list = []
        refresh = links.refresh
        links.refresh = lambda *regions, **kw: (redrawn.append(regions), refresh(*regions, **kw))

        links.set_sections(incidents("identified"))
        await pilot.pause()
        assert list(links.options) == before  # the same options, changed in place
        assert [[(region.y, region.height) for region in regions] for regions in redrawn] == [[(1, 1)]]
        assert "identified" in screen_text(app) and "P2 checkout-service investigating" not in screen_text(app)
        assert links.links[links.highlighted - 1].ref == "INC-2"  # the cursor stayed (line 0 is the title)


async def test_new_lines_rebuild_the_list_and_keep_the_cursor_on_its_link():
    app = OneList()
    async with app.run_test(size=(60, 10)) as pilot:
        links = app.query_one(LinkList)
        links.set_sections(incidents("investigating"))
        await pilot.press("down")
        links.set_sections(incidents("investigating", "web-frontend"))
        await pilot.pause()
        assert links.option_count == 4 and "web-frontend" in screen_text(app)
        assert links.links[links.highlighted - 1].ref == "INC-2"
