"""`cockpit init [DIR]`: write a commented starter config, DIR/cockpit.yaml,
with the catalog and runbooks it names, so `cockpit check` passes at once.

Never overwrites: an existing cockpit.yaml is refused (exit 1); an existing
services.yaml or runbooks/ is the user's own and is kept.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from cockpit.bundled import STARTER
from cockpit.commands import EXIT_OK, fail

CONFIG_NAME = "cockpit.yaml"
# What the starter config names, next to it.
COMPANIONS = ("services.yaml", "runbooks")


def run_init(folder: str = ".") -> int:
    target = Path(folder).expanduser()
    config = target / CONFIG_NAME
    if config.exists():
        return fail(f"{config}: exists already; not overwritten (remove it or pick another folder)")
    try:
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(STARTER / CONFIG_NAME, config)
        print(f"wrote {config}")
        for name in COMPANIONS:
            _copy_unless_present(STARTER / name, target / name)
    except OSError as error:
        return fail(f"{target}: cannot write the starter config: {error.strerror or error}")
    print(f"next: edit it, then `cockpit check --config {config}` and `cockpit --config {config}`")
    return EXIT_OK


def _copy_unless_present(source: Path, destination: Path) -> None:
    if destination.exists():
        print(f"kept {destination} (exists already)")
        return
    if source.is_dir():
        shutil.copytree(source, destination)
    else:
        shutil.copyfile(source, destination)
    print(f"wrote {destination}")
