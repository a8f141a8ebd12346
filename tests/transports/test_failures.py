"""Each way a connection fails maps to one NetworkError whose ``sent`` is the truth.

``sent=False`` means the request certainly did not take effect (the exchange retries it);
``sent=True`` means it may have (sendMessage is then not repeated). Every scenario runs
through ``Bot`` and ``AsyncBot``, and no message carries the token.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable

import pytest

from telewire import NetworkError, RetryPolicy, TimedOut
from tests.conftest import FAST_RETRY
from tests.transports.conftest import Connect
from tests.transports.standin import BOT_USER, TOKEN, BotApiStandIn

NO_RETRY = RetryPolicy(attempts=1)
Standin = Callable[..., BotApiStandIn]


def assert_tells_no_token(error: BaseException) -> None:
    shown = str(error) + repr(error) + "".join(traceback.format_exception(error))
    assert TOKEN not in shown and TOKEN.split(":")[1] not in shown


def test_a_reset_mid_reply_is_sent_so_send_message_is_not_repeated(
    standin: Standin, connect: Connect
) -> None:
    server = standin(reset_replies={"sendMessage": 1, "getMe": 1})
    face = connect(server, retry=FAST_RETRY)
    with pytest.raises(NetworkError) as caught:
        face.call("sendMessage", chat_id=1, text="once")
    assert caught.value.sent is True and "not retried" in str(caught.value)
    assert_tells_no_token(caught.value)
    assert len(server.methods("sendMessage")) == 1
    me = face.call("getMe")  # repeatable: retried after its reply was cut
    assert me.username == BOT_USER["username"]
    assert len(server.methods("getMe")) == 2
    face.call("sendMessage", chat_id=1, text="next")  # the pool holds nothing broken
    assert len(server.methods("sendMessage")) == 2


def test_a_reused_connection_closed_before_any_reply_byte_is_not_sent(
    standin: Standin, connect: Connect
) -> None:
    # The server reads the second request on a live connection and closes it unanswered,
    # as when its idle close crosses the request: nothing the client checks could see it.
    server = standin(drop_on_reuse=1)
    face = connect(server, retry=NO_RETRY)
    face.call("sendMessage", chat_id=1, text="one")
    with pytest.raises(NetworkError) as caught:
        face.call("sendMessage", chat_id=1, text="two")
    assert caught.value.sent is False and not isinstance(caught.value, TimedOut)
    assert_tells_no_token(caught.value)
    assert [p["text"] for p in server.methods("sendMessage")] == ["one"]


def test_the_exchange_retries_a_request_the_server_dropped_on_reuse(
    standin: Standin, connect: Connect
) -> None:
    server = standin(drop_on_reuse=1)
    face = connect(server, retry=FAST_RETRY)
    face.call("sendMessage", chat_id=1, text="one")
    face.call("sendMessage", chat_id=1, text="two")
    assert [p["text"] for p in server.methods("sendMessage")] == ["one", "two"]
    assert server.connections == 2


def test_a_fresh_connection_closed_without_a_reply_is_sent(
    standin: Standin, connect: Connect
) -> None:
    server = standin(drop_on_fresh=1)  # the method ran; then the connection went
    face = connect(server, retry=FAST_RETRY)
    with pytest.raises(NetworkError) as caught:
        face.call("sendMessage", chat_id=1, text="once")
    assert caught.value.sent is True
    assert_tells_no_token(caught.value)
    assert len(server.methods("sendMessage")) == 1


def test_a_timeout_is_sent_and_not_repeated(standin: Standin, connect: Connect) -> None:
    server = standin(silent=frozenset({"sendMessage"}))
    face = connect(server, timeout=0.5, retry=FAST_RETRY)
    with pytest.raises(TimedOut) as caught:
        face.call("sendMessage", chat_id=1, text="once")
    assert caught.value.sent is True
    assert_tells_no_token(caught.value)
    assert len(server.methods("sendMessage")) == 1
    assert face.call("getMe").id == BOT_USER["id"]  # the hung connection was not pooled


def test_a_reply_that_is_not_http_is_a_network_error(standin: Standin, connect: Connect) -> None:
    server = standin(malformed=frozenset({"sendMessage"}))
    face = connect(server, retry=FAST_RETRY)
    with pytest.raises(NetworkError) as caught:
        face.call("sendMessage", chat_id=1, text="once")
    assert type(caught.value) is NetworkError and caught.value.sent is True
    assert_tells_no_token(caught.value)
    assert len(server.methods("sendMessage")) == 1


def test_a_server_that_is_gone_is_not_sent(standin: Standin, connect: Connect) -> None:
    server = standin()
    server.close()
    face = connect(server, retry=NO_RETRY)
    with pytest.raises(NetworkError) as caught:
        face.call("sendMessage", chat_id=1, text="never")
    assert caught.value.sent is False and "cannot reach" in str(caught.value)
    assert_tells_no_token(caught.value)
