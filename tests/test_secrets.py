"""Redaction of known secrets in every form a backend may echo them."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from cockpit import secrets

TOKEN = "u+eNSxsZ_fg4gR9yw-0Q"  # the shape of a PagerDuty REST key
PASSWORD = "s3cr3t-Pa55word!"


def test_nothing_registered_changes_nothing():
    assert secrets.redact("HTTP 500: token=abc") == "HTTP 500: token=abc"


@pytest.mark.parametrize("echo", [
    TOKEN,
    f"Token token={TOKEN}",
    base64.b64encode(TOKEN.encode()).decode(),
    quote(TOKEN, safe=""),
    json.dumps(TOKEN),
])
def test_a_registered_token_is_masked_in_every_encoding(echo):
    secrets.add(TOKEN)
    shown = secrets.redact(f"HTTP 400: bad request {echo} (echoed)")
    assert TOKEN not in shown and echo.strip('"') not in shown and "[redacted]" in shown
    assert shown.startswith("HTTP 400: bad request ") and shown.endswith(" (echoed)")


def test_a_header_value_registers_the_credential_after_its_scheme():
    secrets.add(f"Token token={TOKEN}")
    assert TOKEN not in secrets.redact(f"got {TOKEN}")


def test_basic_auth_password_is_masked_bare_and_as_base64():
    secrets.add_url(f"https://alice:{quote(PASSWORD)}@prom.example:9090/")
    basic = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    for echo in (PASSWORD, basic, f"Basic {basic}", quote(PASSWORD, safe="")):
        shown = secrets.redact(f"401 for {echo}!")
        assert PASSWORD not in shown and basic not in shown, echo


@pytest.mark.parametrize("cut", range(secrets.MIN_EDGE, len(TOKEN)))
def test_a_token_cut_at_any_length_is_masked(cut):
    secrets.add(TOKEN)
    head, tail = TOKEN[:cut], TOKEN[cut:]
    assert head not in secrets.redact(f"body: {head}")  # the backend (or we) cut it here
    if len(tail) >= secrets.MIN_EDGE:
        assert tail not in secrets.redact(f"{tail} ...")
    b64 = base64.b64encode(TOKEN.encode()).decode()
    assert b64[:cut] not in secrets.redact(f"echo {b64[:cut]}")


def test_a_fragment_inside_a_message_is_masked():
    secrets.add(TOKEN)
    fragment = TOKEN[3:15]
    assert secrets.redact(f"a {fragment} b") == "a [redacted] b"


def test_ordinary_text_is_left_alone():
    secrets.add(TOKEN)
    message = "GET https://api.pagerduty.com/incidents: HTTP 500 Internal Server Error"
    assert secrets.redact(message) == message


def test_url_credentials_are_removed_from_a_url():
    secrets.add_url("http://bob:hunter22@127.0.0.1:9090")
    assert secrets.redact_url("http://bob:hunter22@127.0.0.1:9090/api") == "http://[redacted]@127.0.0.1:9090/api"


def test_a_config_registers_tokens_headers_and_url_passwords(tmp_path):
    from cockpit.config import load_config

    config = tmp_path / "cockpit.yaml"
    config.write_text(
        "sources:\n"
        "  - {kind: pagerduty, token: '${PD}', from: a@example.com}\n"
        "  - {kind: prometheus, url: 'http://ops:${PROM_PASS}@127.0.0.1:9/', slos: [],\n"
        "     headers: {X-Scope-OrgID: tenant-1, Authorization: 'Bearer ${BEARER}', Accept: text/plain}}\n",
        encoding="utf-8")
    load_config(config, env={"PD": TOKEN, "PROM_PASS": PASSWORD, "BEARER": "bearer-value-123"})
    shown = secrets.redact(f"{TOKEN} {PASSWORD} bearer-value-123 tenant-1 text/plain")
    assert [word for word in (TOKEN, PASSWORD, "bearer-value-123", "tenant-1") if word in shown] == []
    assert shown.startswith("[redacted]") and shown.endswith(" text/plain")
