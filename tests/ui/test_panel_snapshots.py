"""SVG snapshots of the shell's panels at 120x36 over the canned world with
the fixed clock (pytest-textual-snapshot; `--snapshot-update` after a
deliberate change, then look at the new SVGs)."""

from __future__ import annotations

import pytest

from tests.ui.conftest import settle

SIZE = (120, 36)


@pytest.mark.parametrize("keys", [
    pytest.param((), id="overview"),
    pytest.param(("s",), id="services"),
    pytest.param(("s", "enter"), id="service-card"),
    pytest.param(("b",), id="slos"),
    pytest.param(("b", "enter"), id="slo-detail"),
    pytest.param(("s", "question_mark"), id="help"),
])
def test_panel(snap_compare, app_factory, keys):
    app = app_factory(failing="connection refused")

    async def run_before(pilot) -> None:
        await settle(app, pilot)
        await pilot.press(*keys)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
