"""Fixtures for every test."""

from __future__ import annotations

import pytest

from cockpit import secrets


@pytest.fixture(autouse=True)
def no_secrets_from_other_tests():
    """The secret registry is process-wide: one test's tokens must not mask
    another test's messages."""
    yield
    secrets.forget_all()
