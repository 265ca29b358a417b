"""`make bench`: every benchmark under bench/, one table, the machine first.

    .venv/bin/python bench/run.py [--quick]   (--quick: the smoke run, figures not meaningful)
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from table import Row, machine, render  # noqa: E402

# Each module's rows(quick) runs its benchmark; the order of the table.
BENCHMARKS = ("terminal", "scale", "alerts", "slo_refresh", "faults", "incident_log_latency", "time_to_answer")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rows-of", help=argparse.SUPPRESS)  # one benchmark's rows as JSON, in this process
    parser.add_argument("only", nargs="*", help="benchmarks to run (default: all)")
    args = parser.parse_args()
    if args.rows_of:
        rows = importlib.import_module(args.rows_of).rows(args.quick)
        print(json.dumps([dataclasses.asdict(row) for row in rows]))
        return 0
    print(f"Machine: {machine()}", flush=True)
    rows = []
    for name in args.only or BENCHMARKS:
        # Each in a process of its own: its memory figures are its own.
        print(f"running bench/{name}.py ...", file=sys.stderr, flush=True)
        run = subprocess.run([sys.executable, __file__, "--rows-of", name, *(["--quick"] if args.quick else [])],
                             stdout=subprocess.PIPE, text=True, check=True)
        rows += [Row(**row) for row in json.loads(run.stdout.strip().splitlines()[-1])]
    print(render(rows))
    # A quick run is a smoke test: its figures mean nothing, so neither do its misses.
    return 1 if not args.quick and any(row.met is False for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
