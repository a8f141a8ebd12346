"""Retry decisions: what is repeated, what is not (duplicates first), how long to wait."""

from __future__ import annotations

from telewire.core.errors import BadRequest, NetworkError, RetryAfter, ServerError, TimedOut
from telewire.core.retry import (
    RetryPolicy,
    is_repeatable,
    is_safe_to_repeat,
    may_have_taken_effect,
)

policy = RetryPolicy(attempts=3, backoff=1.0)


def test_429_waits_what_telegram_asks() -> None:
    error = RetryAfter(
        method="sendMessage", error_code=429, description="x", parameters={"retry_after": 4}
    )
    assert policy.delay("sendMessage", 1, error) == 4


def test_429_asking_too_long_is_raised() -> None:
    error = RetryAfter(
        method="sendMessage", error_code=429, description="x", parameters={"retry_after": 999}
    )
    assert RetryPolicy(max_retry_after=60).delay("sendMessage", 1, error) is None


def test_unsent_requests_are_retried_at_once_then_with_growing_backoff() -> None:
    error = NetworkError("refused", method="sendMessage", sent=False)
    first, second = policy.delay("sendMessage", 1, error), policy.delay("sendMessage", 2, error)
    assert first == 0.0  # most likely a keep-alive connection the server had closed
    assert second is not None and 1.0 <= second <= 2.0
    assert policy.delay("sendMessage", 3, error) is None  # attempts exhausted


def test_a_timeout_after_sending_is_not_retried_for_sends_but_is_for_reads() -> None:
    error = TimedOut("slow", method="sendMessage", sent=True)
    assert policy.delay("sendMessage", 1, error) is None
    assert policy.delay("getChat", 1, error) is not None
    assert not is_repeatable("sendMessage") and not is_repeatable("forwardMessage")
    assert is_repeatable("getUpdates") and is_repeatable("editMessageText")


def test_server_errors_are_retried_where_harmless_and_bad_requests_never() -> None:
    gateway = ServerError(method="m", error_code=502, description="Bad Gateway")
    assert policy.delay("getChat", 1, gateway)
    assert policy.delay("sendMessage", 1, gateway) is None  # it may have gone out already
    assert is_safe_to_repeat("sendMessage", RetryAfter(method="m", error_code=429, description="x"))
    assert not may_have_taken_effect(NetworkError("refused", sent=False))
    assert (
        policy.delay("sendMessage", 1, BadRequest(method="m", error_code=400, description="x"))
        is None
    )
