"""The one table `make bench` prints: each figure next to a reference taken
in the same run, its target, and whether it is met; plus the machine."""

from __future__ import annotations

import os
import platform
import statistics
import time
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Row:
    benchmark: str
    measure: str
    figure: str
    reference: str = ""
    target: str = ""
    met: bool | None = None  # None: a figure without a target


def alternate(first: Callable[[], float], second: Callable[[], float], runs: int) -> tuple[float, float]:
    """Medians of ``runs`` calls of each, alternating which goes first, so
    that background load favours neither."""
    a, b = [], []
    for run in range(runs):
        pair = [(a, first), (b, second)]
        for samples, call in pair if run % 2 == 0 else reversed(pair):
            samples.append(call())
    return statistics.median(a), statistics.median(b)


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def percentile(samples: list[float], q: int) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    memory = next((int(line.split()[1]) // 1024 for line in open("/proc/meminfo") if line.startswith("MemTotal")), 0)
    return (f"{cpu}, {os.cpu_count()} CPUs, {memory:,} MB RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}; load average at the start {os.getloadavg()[0]:.1f}")


def render(rows: list[Row]) -> str:
    header = ("benchmark", "measure", "figure", "reference (same run)", "target", "met")
    body = [(r.benchmark, r.measure, r.figure, r.reference, r.target,
             "" if r.met is None else ("yes" if r.met else "NO")) for r in rows]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths)) + " |" for line in [header, *body]]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
