"""Decoding a Bot API reply: the ``ok`` envelope, the result, or the right error.

Typed results (``Message``...) decode with msgspec straight into Structs. Plain results
(``result_type`` Any, as ``bot.request`` and the CLI ask) decode with the standard
library's json, which keeps one-shot commands from loading msgspec at all.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from telewire.core.errors import APIError, MalformedReply, ServerError, api_error


def decode_reply(method: str, status: int, body: bytes, result_type: Any = Any) -> Any:
    """Return the result of a reply, or raise the :class:`APIError` it describes.

    A body that is not a Bot API reply raises :class:`MalformedReply`, or
    :class:`ServerError` when the HTTP status says the server failed (a proxy's HTML 502).
    """
    if result_type is not Any:
        return _decode_typed(method, status, body, result_type)
    try:
        envelope = json.loads(body)
    except ValueError:
        raise _not_a_reply(method, status, body) from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("ok"), bool):
        raise _not_a_reply(method, status, body)
    if envelope["ok"]:
        return envelope.get("result")
    raise _error(method, status, envelope)


def _error(method: str, status: int, envelope: dict[str, Any]) -> APIError:
    code = envelope.get("error_code") or status
    description = envelope.get("description") or f"HTTP {status}"
    parameters = envelope.get("parameters")
    return api_error(
        method, int(code), str(description), parameters if isinstance(parameters, dict) else None
    )


def _not_a_reply(method: str, status: int, body: bytes) -> Exception:
    if status >= 500:
        return ServerError(
            method=method, error_code=status, description=f"HTTP {status} with a non-JSON body"
        )
    return MalformedReply(
        f"{method}: the server's reply (HTTP {status}) is not a Bot API reply; "
        "check TELEGRAM_API_URL points at a Bot API server",
        method=method,
        status=status,
        body=body,
    )


@cache
def _typed_decoder(result_type: Any) -> Any:
    import msgspec

    from telewire.core import typed

    envelope = msgspec.defstruct(
        "Envelope",
        [
            ("ok", bool),
            ("result", result_type | None, None),
            ("error_code", int | None, None),
            ("description", str | None, None),
            ("parameters", dict[str, Any] | None, None),
        ],
    )
    return typed.decoder(envelope)


def _decode_typed(method: str, status: int, body: bytes, result_type: Any) -> Any:
    import msgspec

    try:
        envelope = _typed_decoder(result_type).decode(body)
    except msgspec.DecodeError as exc:
        decode_reply(method, status, body)  # raises the API error, or MalformedReply, if any
        raise MalformedReply(
            f"{method}: the result does not match the Bot API types ({exc}); the server may "
            "speak a newer Bot API. bot.request() returns untyped results meanwhile",
            method=method,
            status=status,
            body=body,
        ) from None
    if envelope.ok:
        return envelope.result
    raise _error(
        method,
        status,
        {
            "error_code": envelope.error_code,
            "description": envelope.description,
            "parameters": envelope.parameters,
        },
    )
