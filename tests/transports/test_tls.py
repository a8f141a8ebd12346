"""HTTPS: one SSL context per client, and dead idle TLS connections are noticed too."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from telewire import RetryPolicy
from tests.transports.conftest import AsyncFace, Connect, Face
from tests.transports.standin import BotApiStandIn

Standin = Callable[..., BotApiStandIn]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made by the openssl command)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    options = "-x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
    names = "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1"
    subprocess.run(
        ["openssl", "req", *options.split(), *names.split(), "-keyout", key, "-out", cert],
        check=True,
        capture_output=True,
    )
    return cert, key


def context_of_pooled_connection(face: Face) -> ssl.SSLContext:
    if isinstance(face, AsyncFace):
        reply = face.transport._idle[-1]
        assert reply.transport is not None
        context: ssl.SSLContext = reply.transport.get_extra_info("ssl_object").context
        return context
    sock = face.transport._idle[-1][0].sock
    assert isinstance(sock, ssl.SSLSocket)
    return sock.context


def test_every_tls_connection_of_a_client_shares_one_context(
    standin: Standin,
    connect: Connect,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cert, key = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts this certificate
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(cert, key)
    server = standin(idle_close=1.0, tls=served)
    face = connect(server, retry=RetryPolicy(attempts=1))
    contexts = []
    for round in range(1, 3):
        face.call("getMe")
        contexts.append(context_of_pooled_connection(face))
        face.wait_until(server, lambda: server.closed_idle >= round)
    face.call("getMe")  # the dead TLS connection is noticed, not written to
    contexts.append(context_of_pooled_connection(face))
    assert server.connections == 3
    assert all(context is contexts[0] for context in contexts)
