"""Retry decisions: what is repeated, what is not (duplicates first), how long to wait."""

from __future__ import annotations

from telewire.core.errors import BadRequest, NetworkError, RetryAfter, ServerError, TimedOut
from telewire.core.retry import RetryPolicy, is_repeatable

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


def test_unsent_requests_are_retried_with_growing_backoff() -> None:
    error = NetworkError("refused", method="sendMessage", sent=False)
    first, second = policy.delay("sendMessage", 1, error), policy.delay("sendMessage", 2, error)
    assert first is not None and second is not None
    assert 0.5 <= first <= 1.0 and 1.0 <= second <= 2.0
    assert policy.delay("sendMessage", 3, error) is None  # attempts exhausted


def test_a_timeout_after_sending_is_not_retried_for_sends_but_is_for_reads() -> None:
    error = TimedOut("slow", method="sendMessage", sent=True)
    assert policy.delay("sendMessage", 1, error) is None
    assert policy.delay("getChat", 1, error) is not None
    assert not is_repeatable("sendMessage") and not is_repeatable("forwardMessage")
    assert is_repeatable("getUpdates") and is_repeatable("editMessageText")


def test_server_errors_are_retried_and_bad_requests_are_not() -> None:
    assert policy.delay(
        "sendMessage", 1, ServerError(method="m", error_code=502, description="Bad Gateway")
    )
    assert (
        policy.delay("sendMessage", 1, BadRequest(method="m", error_code=400, description="x"))
        is None
    )
