"""One SSLContext per CA bundle per process, shared by every client."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import certifi
import httpx
import pytest

from cockpit.sources.base import SourceError, SourceSpec
from cockpit.sources.http import make_client, ssl_context

PEM = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----\n", re.S)
CERTS = PEM.findall(Path(certifi.where()).read_text())


def spec(tmp_path: Path, **options) -> SourceSpec:
    return SourceSpec(kind="alertmanager", name="am", refresh=timedelta(seconds=30), timeout=timedelta(seconds=5),
                      options=options, base_dir=tmp_path)


async def test_clients_share_the_default_context():
    first, second = make_client(spec(Path("."))), make_client(spec(Path(".")))
    try:
        assert ssl_context(None) is ssl_context(None)
        # what httpx builds itself (certifi, or SSL_CERT_FILE / SSL_CERT_DIR)
        assert ssl_context(None).get_ca_certs() == httpx.create_ssl_context().get_ca_certs()
        for client in (first, second):
            assert client._transport._pool._ssl_context is ssl_context(None)
    finally:
        await first.aclose()
        await second.aclose()


async def test_a_ca_file_gets_its_own_context_reread_when_the_file_changes(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text(CERTS[0])
    client = make_client(spec(tmp_path, ca_file="ca.pem"))
    try:
        context = client._transport._pool._ssl_context
        assert len(context.get_ca_certs()) == 1 and context is not ssl_context(None)
        assert ssl_context(str(bundle)) is context
        bundle.write_text(CERTS[1] + CERTS[2])
        os.utime(bundle, ns=(1, 1))  # a changed file, even within the clock's resolution
        assert len(ssl_context(str(bundle)).get_ca_certs()) == 2
    finally:
        await client.aclose()


def test_an_unreadable_ca_file_is_a_source_error(tmp_path):
    (tmp_path / "bad.pem").write_text("not a certificate")
    with pytest.raises(SourceError, match="ca_file"):
        make_client(spec(tmp_path, ca_file="bad.pem"))
