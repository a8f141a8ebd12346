"""Decoding a Bot API reply: the ``ok`` envelope, the typed result, or the right error."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import msgspec

from telewire.core.errors import APIError, MalformedReply, ServerError, api_error

T = TypeVar("T")


class _Envelope(msgspec.Struct, Generic[T]):
    ok: bool
    result: T | None = None
    error_code: int | None = None
    description: str | None = None
    parameters: dict[str, Any] | None = None


_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}


def _decoder(result_type: Any) -> msgspec.json.Decoder[Any]:
    decoder = _decoders.get(result_type)
    if decoder is None:
        dec_hook = None
        if result_type is not Any:
            from telewire.core.unions import decode_hook

            dec_hook = decode_hook
        decoder = msgspec.json.Decoder(_Envelope[result_type], dec_hook=dec_hook)  # type: ignore[valid-type]
        _decoders[result_type] = decoder
    return decoder


def decode_reply(method: str, status: int, body: bytes, result_type: Any = Any) -> Any:
    """Return the result of a reply, or raise the :class:`APIError` it describes.

    ``result_type`` is what ``result`` decodes into (``Any`` keeps plain JSON values).
    A body that is not a Bot API reply raises :class:`MalformedReply`, or
    :class:`ServerError` when the HTTP status says the server failed (a proxy's HTML 502).
    """
    try:
        envelope = _decoder(result_type).decode(body)
    except msgspec.DecodeError as exc:
        return _undecodable(method, status, body, result_type, exc)
    if envelope.ok:
        return envelope.result
    raise _error(method, status, envelope)


def _error(method: str, status: int, envelope: _Envelope[Any]) -> APIError:
    code = envelope.error_code or status
    description = envelope.description or f"HTTP {status}"
    return api_error(method, code, description, envelope.parameters)


def _undecodable(
    method: str, status: int, body: bytes, result_type: Any, exc: msgspec.DecodeError
) -> Any:
    try:
        envelope = msgspec.json.decode(body, type=_Envelope[Any])
    except msgspec.DecodeError:
        if status >= 500:
            raise ServerError(
                method=method, error_code=status, description=f"HTTP {status} with a non-JSON body"
            ) from None
        raise MalformedReply(
            f"{method}: the server's reply (HTTP {status}) is not a Bot API reply; "
            "check TELEGRAM_API_URL points at a Bot API server",
            method=method,
            status=status,
            body=body,
        ) from None
    if not envelope.ok:
        raise _error(method, status, envelope)
    raise MalformedReply(
        f"{method}: the result does not match the Bot API types ({exc}); the server may speak a "
        "newer Bot API. bot.call() returns untyped results meanwhile",
        method=method,
        status=status,
        body=body,
    ) from None
