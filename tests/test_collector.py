"""The one owner of the garbage collector's settings: off while replies
parse and snapshots apply (nested, from several sources at once), what they
built frozen when the last pause ends, a full collection at most every
FULL_COLLECTION_EVERY_S."""

import gc
import time

import pytest

from cockpit import collector


def test_collector_is_off_while_replies_parse_and_back_on_after_the_last():
    assert gc.isenabled()
    first, second = collector.paused(), collector.paused()
    first.__enter__()
    assert not gc.isenabled()
    second.__enter__()  # another source's fetch, at the same time
    first.__exit__(None, None, None)  # the first finishes while the second still parses
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_what_a_fetch_built_is_frozen_when_it_is_done():
    """The collector never walks the 100,000 objects of a reply it would find alive."""
    try:
        gc.unfreeze()
        with collector.paused():
            built = [{"alert": n} for n in range(1000)]
            assert gc.get_freeze_count() == 0
        assert gc.get_freeze_count() >= len(built)
    finally:
        gc.unfreeze()


def test_collector_is_back_on_after_a_parse_that_raised():
    with pytest.raises(ValueError):
        with collector.paused():
            raise ValueError("not JSON")
    assert gc.isenabled()


def test_collector_turned_off_elsewhere_stays_off():
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_full_collection_runs_at_most_once_per_interval(monkeypatch):
    collections: list[tuple] = []
    monkeypatch.setattr(gc, "collect", lambda *args: collections.append(args) or 0)
    monkeypatch.setattr(collector, "_last_full_collection", time.monotonic())
    with collector.paused():
        pass
    assert collections == []  # collected moments ago
    monkeypatch.setattr(collector, "_last_full_collection", time.monotonic() - collector.FULL_COLLECTION_EVERY_S)
    with collector.paused():
        pass
    with collector.paused():
        pass
    assert collections == [()]
