"""Reading request bodies in every form Telegram accepts, for every verb.

The Bot API face reads parameters with :func:`read_params`; the control API reads its
JSON objects with :func:`read_object` and its multipart upload with :func:`read_form`.
Whatever cannot be read answers 400, a body over the server's limit 413, never a 500.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from telewire.emulator import errors as e
from telewire.emulator.errors import ApiFailure, bad_request
from telewire.emulator.params import json_value
from telewire.emulator.uploads import Upload

FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


async def read_params(request: web.Request) -> dict[str, Any]:
    """Parameters from the query string and the body, in whichever of Telegram's forms.

    Telegram reads a body for every verb, so a GET may carry a form or JSON too (some
    clients poll that way). Whatever cannot be read is a 400, too much of it a 413.
    """
    params: dict[str, Any] = dict(request.query)
    if not request.body_exists:
        return params
    try:
        if request.content_type == "application/json":
            body = await request.read()
            if body.strip():
                data = json_value(body, "JSON request body")
                if not isinstance(data, dict):
                    raise bad_request("JSON request body must be an object")
                params.update(data)
        elif request.content_type in FORMS:
            params.update(await read_form(request))
    except web.HTTPRequestEntityTooLarge:
        raise ApiFailure(413, e.ENTITY_TOO_LARGE) from None
    return params


async def read_form(request: web.Request) -> dict[str, Any]:
    """An urlencoded or multipart body as text values and :class:`Upload` parts, for any verb."""
    # aiohttp parses forms of POST-like verbs only; a POST twin of the request reads it.
    source = request if request.method in request.POST_METHODS else request.clone(method="POST")
    try:
        form = await source.post()
        params: dict[str, Any] = {}
        for name, value in form.items():
            if isinstance(value, web.FileField):
                params[name] = Upload(value.filename or name, value.content_type, value.file.read())
            else:
                params[name] = value if isinstance(value, str) else bytes(value).decode()
    # No boundary, a part without a name or with a malformed header, bad charset or UTF-8:
    except (ValueError, LookupError, HttpProcessingError):
        raise bad_request("can't parse request body") from None
    return params


async def read_object(request: web.Request) -> dict[str, Any]:
    """A JSON object body (an empty body is an empty object)."""
    try:
        body = await request.read() if request.body_exists else b""
    except web.HTTPRequestEntityTooLarge:
        raise ApiFailure(413, e.ENTITY_TOO_LARGE) from None
    return object_of(body)


def object_of(body: bytes) -> dict[str, Any]:
    """A control API body as a JSON object (an empty body is an empty object)."""
    data = json_value(body, "the body as a JSON object") if body.strip() else {}
    if not isinstance(data, dict):
        raise bad_request("the body must be a JSON object")
    return data
