"""The app asks glibc for one malloc arena (cockpit.malloc_arenas): on this
Linux the C library must accept the setting, else the worker threads' heaps
grow apart again."""

from __future__ import annotations

import platform

import pytest

from cockpit.malloc_arenas import use_one_malloc_arena


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt(M_ARENA_MAX) is glibc's")
def test_glibc_takes_the_one_arena_setting():
    assert use_one_malloc_arena() is True
