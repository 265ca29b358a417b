"""One C heap for the whole process, not one per thread.

glibc's malloc gives each thread that allocates its own heap (an "arena",
up to eight per core), and each keeps what it once held. The sources decode
their replies in worker threads (10,000 alerts from each Alertmanager), so
every worker's heap grew to its largest reply and stayed there: at fleet
scale about 30 MB of the app's memory. The same advice as for other
threaded Python servers (MALLOC_ARENA_MAX), set from inside the process.
"""

from __future__ import annotations

import ctypes
import sys

M_ARENA_MAX = -8  # glibc's malloc.h


def use_one_malloc_arena() -> bool:
    """Limit glibc's malloc to one arena (before the worker threads start);
    False where the C library is not glibc (nothing to do there)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # musl and others have no mallopt
        return False
    return bool(mallopt(M_ARENA_MAX, 1))
