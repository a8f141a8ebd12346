"""One method call as a conversation of I/O actions, so both clients share all its logic.

:func:`method_call` is a generator: it yields :class:`Send` (expecting ``(status, body)``
back, or a :class:`NetworkError` thrown in) and :class:`Sleep`, and returns the decoded
result. The sync client drives it with blocking calls, the async client with awaits;
neither holds any retry, encoding or decoding logic of its own (the h11 pattern).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import IO, Any, NamedTuple

from telewire.core.errors import TelewireError
from telewire.core.replies import decode_reply
from telewire.core.requests import encode_request
from telewire.core.retry import RetryPolicy, is_repeatable, is_transient, may_have_taken_effect


class Send(NamedTuple):
    verb: str
    path: str
    body: bytes | None
    content_type: str | None
    timeout: float
    what: str
    sink: IO[bytes] | None = None


class Sleep(NamedTuple):
    seconds: float


Action = Send | Sleep
Exchange = Generator[Action, Any, Any]


def method_call(
    method: str,
    params: dict[str, Any],
    returns: Any,
    *,
    path: str,
    timeout: float,
    retry: RetryPolicy,
) -> Exchange:
    """Encode ``params``, send them to ``path``, retry as ``retry`` says, decode the result."""
    encoded = encode_request(params)
    request = Send("POST", path, encoded.body, encoded.content_type, timeout, method)
    attempt = 1
    while True:
        try:
            status, body = yield request
            return decode_reply(method, status, body, returns)
        except TelewireError as error:
            wait = retry.delay(method, attempt, error)
            if wait is None:
                if (
                    is_transient(error)
                    and may_have_taken_effect(error)
                    and not is_repeatable(method)
                ):
                    error.args = (
                        f"{error}; not retried: {method} may already have been carried out, "
                        "and repeating it could duplicate its effect (a second message)",
                    )
                raise
            yield Sleep(wait)
            attempt += 1


def file_download(path: str, timeout: float, sink: IO[bytes] | None) -> Exchange:
    """GET a file; return its bytes (or b"" when streamed into ``sink``), raise on error."""
    status, body = yield Send("GET", path, None, None, timeout, "download", sink)
    if status != 200:
        decode_reply("download", status, body)
    return body
