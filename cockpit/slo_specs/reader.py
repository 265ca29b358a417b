"""What every SLO format reader shares: the collector of SLOs, policy and
problems across files, and small checked getters that turn a wrong value into
a Problem naming file, line and key path instead of raising."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Callable

from cockpit.durations import parse_duration
from cockpit.model import SLO, PolicyTier
from cockpit.problems import Problem, ServiceRef
from cockpit.untrusted import clean
from cockpit.yamlfile import line_of, yaml_shape

if TYPE_CHECKING:  # imported with the Pyrra reader, when a Pyrra file is read
    from cockpit.pyrra_rules import Recorded

DEFAULT_WINDOW = timedelta(days=30)  # Sloth's default SLO period


class SpecReader:
    """Collects SLOs, the policy and problems across files."""

    def __init__(self) -> None:
        self.slos: dict[str, SLO] = {}
        self.policy: tuple[PolicyTier, ...] | None = None
        self.policy_origin = ""
        self.problems: list[Problem] = []
        self.refers: list[ServiceRef] = []
        self.file = ""
        # Run once every file is read: formats whose documents refer to each
        # other across files (OpenSLO's indicatorRef, metricSourceRef).
        self.finishers: dict[str, Callable[[], None]] = {}
        # Sloth: the SLO period its specs get (sloth generate --default-slo-period),
        # the AlertWindows read (period, file, line) and where each Sloth SLO is.
        self.sloth_period = DEFAULT_WINDOW
        self.sloth_windows: list[tuple[timedelta, str, int]] = []
        self.sloth_slos: list[tuple[str, int]] = []
        # Pyrra: the source's mapping to services, for SLOs without a service label.
        self.pyrra_services: dict[str, str] = {}
        # Pyrra: where its recording rules keep each SLO's window counts (by SLO key).
        self.pyrra_recorded: dict[str, Recorded] = {}

    def problem(self, node: Any, key: Any, path: str, message: str) -> None:
        line = getattr(node, "line", 0) if key is None else line_of(node, key)
        # Keys and values in messages come from the file: strip escape sequences.
        self.problems.append(Problem(self.file, line, clean(path or "(document)", single_line=True),
                                     clean(message, single_line=True)))

    def add(self, slo: SLO, node: Any, key: Any, path: str) -> None:
        first = self.slos.get(slo.key)
        if first is not None and replace(first, origin="") == replace(slo, origin=""):
            return  # the same SLO in two files (a copy): harmless
        if first is not None:
            self.problem(node, key, path, f"duplicate SLO {slo.key} (first defined at {first.origin})")
            return
        if not 0.0 < slo.objective < 1.0:
            self.problem(node, key, path, f"objective {slo.objective * 100:g}% must be between 0% and 100%")
            return
        self.slos[slo.key] = slo
        self.refers.append(ServiceRef(slo.service, self.file, line_of(node, key), path, "SLO"))

    def origin(self, node: Any, key: Any) -> str:
        return f"{self.file}:{line_of(node, key)}"

    # -- small checked getters -------------------------------------------------

    def unknown_keys(self, node: dict, allowed: set[str], path: str) -> None:
        for key in node:
            if key not in allowed:
                self.problem(node, key, join(path, str(key)),
                             f"unknown key (expected one of {', '.join(sorted(allowed))})")

    def text(self, node: dict, key: str, path: str, *, required: bool = False) -> str:
        """A string value ('' when missing); numbers are taken as text."""
        value = node.get(key)
        if value is None:
            if required:
                self.problem(node, None, join(path, key), "missing (required)")
            return ""
        if isinstance(value, (dict, list)) or isinstance(value, bool):
            self.problem(node, key, join(path, key), f"expected text, got {yaml_shape(value)}")
            return ""
        return str(value).strip()

    def mapping(self, node: dict, key: str, path: str, *, required: bool = False) -> dict | None:
        value = node.get(key)
        if value is None and not required and key not in node:
            return None
        if not isinstance(value, dict):
            self.problem(node, key if key in node else None, join(path, key),
                         "missing (required)" if value is None else f"expected a mapping, got {yaml_shape(value)}")
            return None
        return value

    def labels(self, node: dict, key: str, path: str) -> dict[str, str]:
        labels = self.mapping(node, key, path) or {}
        bad = [k for k, v in labels.items() if isinstance(v, (dict, list))]
        for k in bad:
            self.problem(labels, k, f"{join(path, key)}.{k}", "label values must be text")
        return {str(k): str(v) for k, v in labels.items() if k not in bad}

    def duration(self, node: dict, key: str, path: str) -> timedelta | None:
        try:
            return parse_duration(node[key])
        except ValueError as exc:
            self.problem(node, key, join(path, key), str(exc))
            return None


def join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def fraction(percent: float) -> float:
    # Rounded so 99.9% is 0.999, not 0.9990000000000001.
    return round(percent / 100.0, 12)
