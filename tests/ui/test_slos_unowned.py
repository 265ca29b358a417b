"""An SLO whose service the catalog lacks (a Pyrra SLO keyed by its
namespace, say) is listed, marked unowned, as alerts are: never dropped, and
its detail offers no service card to open."""

from __future__ import annotations

from cockpit.model import SourceData
from tests.ui.conftest import CannedSource, catalog, demo_data, open_panel, slo_status
from tests.ui.test_incidents_panel import SIZE, app_with


async def test_an_slo_of_a_service_not_in_the_catalog_is_listed_as_unowned(config):
    data = demo_data()
    unowned = (slo_status("monitoring", "apiserver-read-response-errors", 0.0002, {}, demo=False),
               slo_status("", "caddy-response-latency", 0.0001, {}, demo=False))
    app = app_with(config, CannedSource("catalog", catalog()),
                   CannedSource("demo", SourceData(slos=data.slos + unowned, incidents=data.incidents), demo=True))
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(app, pilot, "b", "slos")
        table = panel.query_one("#slos-table")
        assert "monitoring/apiserver-read-response-errors" in table.shown_keys
        cells = {key: table.table.get_row(key)[0].plain for key in table.shown_keys}
        assert cells["monitoring/apiserver-read-response-errors"] == "monitoring unowned"
        assert cells["/caddy-response-latency"] == "unowned"
        assert cells["api-server/availability"] == "api-server"
        # The filter finds them by the word.
        await pilot.press("slash", *"unowned", "enter")
        await pilot.pause()
        assert sorted(table.shown_keys) == ["/caddy-response-latency", "monitoring/apiserver-read-response-errors"]
        assert panel.open_detail("monitoring/apiserver-read-response-errors")
        await pilot.pause()
        links = [link.panel for link in panel.query_one("#slo-links")._links]
        assert "services" not in links
