"""Fixtures for every test."""

from __future__ import annotations

import logging

import pytest

from cockpit import secrets
from cockpit.logs import JsonLines


@pytest.fixture(autouse=True)
def log_file_in_tmp(tmp_path, monkeypatch):
    """Commands run in-process log to the test's folder, not the user's state
    dir, and their log handler goes with the test."""
    monkeypatch.setenv("COCKPIT_LOG_FILE", str(tmp_path / "cockpit.log"))
    yield
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler.formatter, JsonLines):
            root.removeHandler(handler)
            handler.close()


@pytest.fixture(autouse=True)
def no_secrets_from_other_tests():
    """The secret registry is process-wide: one test's tokens must not mask
    another test's messages."""
    yield
    secrets.forget_all()
