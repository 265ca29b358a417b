"""The core never imports the UI, and the domain model and SLO math never
import an HTTP client (DESIGN: "Rules that keep it simple")."""

import subprocess
import sys

import pytest

from cockpit.sources import installed_kinds

CORE = ["cockpit.model", "cockpit.config", "cockpit.slo", "cockpit.slo_specs", "cockpit.hub", "cockpit.service_index",
        "cockpit.commands.status", "cockpit.commands.check", "cockpit.postmortems.draft", "cockpit.audit"]
PURE = ["cockpit.model", "cockpit.slo", "cockpit.service_index", "cockpit.slo_specs", "cockpit.config"]


def imported_after(modules: list[str]) -> set[str]:
    """Top-level packages loaded by importing ``modules`` in a fresh interpreter."""
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules) + \
        "print('\\n'.join(sorted({n.split('.')[0] for n in sys.modules})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


@pytest.mark.parametrize("modules", [CORE, [ep.value.split(":")[0] for ep in installed_kinds().values()]],
                         ids=["core", "every-source"])
def test_core_and_sources_never_import_textual(modules):
    assert not imported_after(modules) & {"textual", "panels"}


def test_model_and_slo_math_import_no_http_client():
    assert not imported_after(PURE) & {"httpx", "requests", "urllib3", "prometheus_api_client"}
