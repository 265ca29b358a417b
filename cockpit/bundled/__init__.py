"""The files a wheel carries besides code: the demo config with its runbooks,
the example configs and the starter `cockpit init` writes.

``config`` and ``runbooks`` here are links to the project's top-level
folders (its layout); hatch follows them into the wheel, so an installed
cockpit finds the same tree (config/cockpit.yaml names ../runbooks) with no
checkout. Read through importlib.resources, as package data.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

# A wheel installs as plain files, so the package's resources are real paths
# (relative paths in the config resolve from the file's folder).
ROOT = Path(str(files(__name__)))
CONFIG = ROOT / "config"
DEMO_CONFIG = CONFIG / "cockpit.yaml"
EXAMPLES = CONFIG / "examples"
STARTER = CONFIG / "starter"
