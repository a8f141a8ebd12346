"""The proxy handshakes as pure functions over bytes, and proxy URLs, fuzzed with hypothesis."""

from __future__ import annotations

import base64
import struct
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telewire.core.errors import NetworkError, ProxyError
from telewire.core.proxy import InvalidProxy, Proxy
from telewire.core.tunnel import SOCKS_REPLIES, Tunnel

SOCKS = Proxy.parse("socks5://ann:secret@proxy:1080")
HTTP = Proxy.parse("http://ann:secret@proxy:3128")
OPENED = b"\x05\x02" + b"\x01\x00" + b"\x05\x00\x00\x01" + bytes(4) + b"\x1f\x90"


def feed(tunnel: Tunnel, data: bytes, cuts: list[int]) -> bytes:
    """Feed ``data`` split at ``cuts``; return everything the tunnel wrote."""
    written = tunnel.data_to_send()
    start = 0
    for cut in [*sorted(set(cuts)), len(data)]:
        tunnel.receive_data(data[start:cut])
        written += tunnel.data_to_send()
        start = cut
    return written


def test_socks5_login_and_connect_bytes() -> None:
    tunnel = Tunnel(SOCKS, "api.telegram.org", 443)
    written = feed(tunnel, OPENED + b"server bytes", [])
    assert tunnel.open and tunnel.leftover == b"server bytes"
    assert written == (
        b"\x05\x02\x00\x02"
        + b"\x01\x03ann\x06secret"
        + b"\x05\x01\x00\x03\x10api.telegram.org"
        + struct.pack(">H", 443)
    )


def test_socks5_sends_addresses_as_addresses() -> None:
    tunnel = Tunnel(Proxy.parse("socks5://proxy"), "2001:db8::1", 443)
    first = tunnel.data_to_send()
    assert first == b"\x05\x01\x00"  # no credentials: only "no authentication" offered
    tunnel.receive_data(b"\x05\x00")
    assert tunnel.data_to_send() == b"\x05\x01\x00\x04" + bytes.fromhex(
        "20010db8000000000000000000000001"
    ) + struct.pack(">H", 443)


def test_http_connect_sends_basic_credentials() -> None:
    tunnel = Tunnel(HTTP, "api.telegram.org", 443)
    request = tunnel.data_to_send()
    token = base64.b64encode(b"ann:secret")
    assert request == (
        b"CONNECT api.telegram.org:443 HTTP/1.1\r\nHost: api.telegram.org:443\r\n"
        b"Proxy-Authorization: Basic " + token + b"\r\n\r\n"
    )
    tunnel.receive_data(b"HTTP/1.1 200 Connection established\r\n\r\n")
    assert tunnel.open


@pytest.mark.parametrize("code", sorted(SOCKS_REPLIES))
def test_every_socks_error_code_is_named(code: int) -> None:
    tunnel = Tunnel(SOCKS, "1.2.3.4", 443)
    error = ProxyError if not SOCKS_REPLIES[code][1] else NetworkError
    with pytest.raises(error, match=rf"\(SOCKS error {code}\)") as raised:
        feed(tunnel, b"\x05\x02\x01\x00\x05" + bytes([code]), [])
    assert "secret" not in str(raised.value)


@pytest.mark.parametrize(
    ("answer", "error", "words"),
    [
        (b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n", ProxyError, "refused the user"),
        (b"HTTP/1.0 403 Forbidden\r\n\r\n", ProxyError, "(HTTP 403 Forbidden)"),
        (b"HTTP/1.1 504 Gateway Timeout\r\n\r\n", NetworkError, "could not reach"),
        (b"\x05\xff", ProxyError, "use socks5://"),
    ],
)
def test_http_refusals(answer: bytes, error: type[Exception], words: str) -> None:
    with pytest.raises(error) as raised:
        Tunnel(HTTP, "h", 443).receive_data(answer)
    assert words in str(raised.value) and "secret" not in str(raised.value)


def test_wrong_socks_credentials() -> None:
    with pytest.raises(ProxyError, match="refused the username and password"):
        feed(Tunnel(SOCKS, "h", 1), b"\x05\x02\x01\x01", [])
    with pytest.raises(ProxyError, match="requires a username and password"):
        feed(Tunnel(Proxy.parse("socks5://p"), "h", 1), b"\x05\xff", [])


@settings(max_examples=300, deadline=None)
@given(cuts=st.lists(st.integers(0, len(OPENED) + 3), max_size=8))
def test_any_split_of_the_answer_opens_the_same_tunnel(cuts: list[int]) -> None:
    whole = Tunnel(SOCKS, "h", 8080)
    expected = feed(whole, OPENED + b"abc", [])
    pieces = Tunnel(SOCKS, "h", 8080)
    assert feed(pieces, OPENED + b"abc", cuts) == expected
    assert pieces.open and pieces.leftover == b"abc"


@settings(max_examples=500, deadline=None)
@given(
    socks=st.booleans(),
    data=st.binary(max_size=300),
    cuts=st.lists(st.integers(0, 300), max_size=6),
)
def test_hostile_answers_raise_only_proxy_or_network_errors(
    socks: bool, data: bytes, cuts: list[int]
) -> None:
    tunnel = Tunnel(SOCKS if socks else HTTP, "api.telegram.org", 443)
    try:
        feed(tunnel, data, [c for c in cuts if c <= len(data)])
    except (ProxyError, NetworkError) as error:
        assert "secret" not in str(error)


@settings(max_examples=300, deadline=None)
@given(
    scheme=st.sampled_from(["http", "https", "socks5", "socks5h"]),
    user=st.text(min_size=1, max_size=20),
    password=st.text(min_size=4, max_size=30),
    port=st.integers(1, 65535),
)
def test_credentials_survive_the_url_and_are_never_shown(
    scheme: str, user: str, password: str, port: int
) -> None:
    url = f"{scheme}://{quote(user, safe='')}:{quote(password, safe='')}@proxy.example:{port}"
    proxy = Proxy.parse(url)
    assert (proxy.username, proxy.password, proxy.port) == (user, password, port)
    assert str(proxy) == repr(proxy)[7:-2] == f"{scheme}://***@proxy.example:{port}"


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=60))
def test_any_text_is_a_proxy_or_a_clear_error_that_does_not_echo_it(text: str) -> None:
    try:
        proxy = Proxy.parse(f"socks5://user:Zq9{text}@host:1")
    except InvalidProxy as error:
        assert "Zq9" not in str(error)
    else:
        assert "Zq9" not in str(proxy) and "Zq9" not in repr(proxy)
