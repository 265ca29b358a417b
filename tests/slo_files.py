"""For the SLO format tests: write an SLO file into a test's folder and read
it back the way the prometheus source does; its problems as text."""

from __future__ import annotations

import textwrap

from cockpit.slo_specs import SLOSpecs, load_slo_paths


def load(tmp_path, text: str, name: str = "slos.yaml") -> SLOSpecs:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return load_slo_paths([path])


def messages(specs: SLOSpecs) -> list[str]:
    return [str(p) for p in specs.problems]
