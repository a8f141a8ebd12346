"""Raw HTTP against the emulator, to check exactly what goes over the wire."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any


def raw(
    url: str,
    *,
    data: bytes | None = None,
    content_type: str | None = None,
    method: str | None = None,
) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=data, method=method)
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def call(base_url: str, token: str, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    """POST a method with a JSON body; return (HTTP status, reply)."""
    return raw(
        f"{base_url}/bot{token}/{method}",
        data=json.dumps(params).encode(),
        content_type="application/json",
    )


def error_of(base_url: str, token: str, method: str, **params: Any) -> tuple[int, str]:
    status, reply = call(base_url, token, method, **params)
    assert reply["ok"] is False, reply
    assert reply["error_code"] == status
    return status, reply["description"]


def form(params: dict[str, Any]) -> bytes:
    return urllib.parse.urlencode(
        {k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in params.items()}
    ).encode()


def multipart(fields: dict[str, Any], files: dict[str, tuple[str, bytes]] | None = None) -> bytes:
    """A multipart/form-data body with boundary ``b`` (content type ``MULTIPART``)."""
    parts = [
        b'--b\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (name.encode(), str(value).encode())
        for name, value in fields.items()
    ]
    for name, (filename, data) in (files or {}).items():
        parts.append(
            b'--b\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n\r\n%s\r\n'
            % (name.encode(), filename.encode(), data)
        )
    return b"".join(parts) + b"--b--\r\n"


MULTIPART = "multipart/form-data; boundary=b"
