"""Encoding a method call into an HTTP body: JSON when no file is sent, multipart otherwise.

Pure functions over Python objects and bytes. Nested files (``InputMediaPhoto(media=
InputFile(...))``) become ``attach://<name>`` references with a part of that name, as
the Bot API asks; a file given directly as a parameter becomes the part of that name.
"""

from __future__ import annotations

import json
import os
from typing import Any, NamedTuple

from telewire.core.files import InputFile

JSON = "application/json"


class EncodedRequest(NamedTuple):
    body: bytes
    content_type: str


class _Attachments:
    """Collects nested files while msgspec encodes, naming each ``attach://fileN``."""

    __slots__ = ("files",)

    def __init__(self) -> None:
        self.files: list[tuple[str, InputFile]] = []

    def hook(self, obj: Any) -> Any:
        if isinstance(obj, InputFile):
            name = f"file{len(self.files)}"
            self.files.append((name, obj))
            return f"attach://{name}"
        raise TypeError(
            f"cannot send a {type(obj).__name__} to Telegram; use str, int, bool, "
            "telewire.types objects, lists/dicts of those, or InputFile"
        )


_SCALARS = (str, int, float, bool)


def without_none(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


def encode_request(params: dict[str, Any]) -> EncodedRequest:
    """Encode parameters (None values already removed or not) into one request body."""
    params = without_none(params)
    if all(type(value) in _SCALARS for value in params.values()):
        # The common case (a text to a chat) needs no msgspec, which keeps one-shot
        # commands fast to start; the bytes are the same JSON either way.
        return EncodedRequest(
            json.dumps(params, ensure_ascii=False, separators=(",", ":")).encode(), JSON
        )
    import msgspec

    attachments = _Attachments()
    body = msgspec.json.encode(params, enc_hook=attachments.hook)
    if not attachments.files:
        return EncodedRequest(body, JSON)
    return _multipart(params)


def _form_value(value: Any, attachments: _Attachments) -> bytes:
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, (int, float)):
        return str(value).encode()
    import msgspec

    return msgspec.json.encode(value, enc_hook=attachments.hook)


def _multipart(params: dict[str, Any]) -> EncodedRequest:
    boundary = "telewire-" + os.urandom(12).hex()
    attachments = _Attachments()
    chunks: list[bytes] = []
    files: list[tuple[str, InputFile]] = []
    for name, value in params.items():
        if isinstance(value, InputFile):
            files.append((name, value))
            continue
        chunks.append(_part(boundary, name, _form_value(value, attachments)))
    for name, file in files + attachments.files:
        chunks.append(_part(boundary, name, file.read(), file))
    chunks.append(f"--{boundary}--\r\n".encode())
    return EncodedRequest(b"".join(chunks), f"multipart/form-data; boundary={boundary}")


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _part(boundary: str, name: str, data: bytes, file: InputFile | None = None) -> bytes:
    disposition = f'form-data; name="{_quote(name)}"'
    head = f"--{boundary}\r\nContent-Disposition: {disposition}"
    if file is not None:
        head += f'; filename="{_quote(file.filename)}"\r\nContent-Type: {file.content_type}'
    return head.encode() + b"\r\n\r\n" + data + b"\r\n"
