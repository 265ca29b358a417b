"""The one owner of the process's garbage-collector settings.

Building what a refresh brings (10,000 alerts are ~100,000 containers per
reply, ~270,000 objects once the panels' rows and cells are made) sets off
full collections that walk every object the app holds, the last snapshot's
included (1.3 s of a 3.3 s fetch); re-enabled as they are, the first
allocation after walks all of them again (20-200 ms, in the middle of the
next keystrokes) only to find them alive. So: no cyclic collection while
replies are parsed and snapshots applied (``paused``), and what they built
frozen out of the collector's reach when the last pause ends. Frozen objects
are still freed by reference counting; the few in cycles each refresh leaves
are collected by a full collection there at most every
FULL_COLLECTION_EVERY_S, and once the app is gone (``release``)."""

from __future__ import annotations

import gc
import threading
import time
from contextlib import contextmanager
from typing import Iterator

FULL_COLLECTION_EVERY_S = 600.0

_lock = threading.Lock()  # sources parse in threads while the app applies snapshots
_pauses = 0  # pauses running now (several sources fetch at once)
_resume = False  # whether the last one out re-enables the collector
_last_full_collection = time.monotonic()


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside; nests; when the last pause ends, what was
    built is frozen and the collector re-enabled, unless something else had
    turned it off."""
    global _pauses, _resume, _last_full_collection
    with _lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                if time.monotonic() - _last_full_collection >= FULL_COLLECTION_EVERY_S:
                    gc.unfreeze()
                    gc.collect()
                    _last_full_collection = time.monotonic()
                gc.freeze()
                gc.enable()


def release() -> None:
    """What was frozen can be collected again (the app is gone)."""
    gc.unfreeze()
