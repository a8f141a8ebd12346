"""What features need of the objects they are given, as protocols (structural types).

The ledger and the logging handler need something that queues text (an
:class:`~telewire.features.outbox.Outbox`, or your own); approvals need something that
calls Bot API methods (a :class:`~telewire.Bot` / :class:`~telewire.AsyncBot`).
Typing the parameters as these protocols lets a type checker catch a wrong object, such
as an ``AsyncOutbox`` (whose ``notify`` is a coroutine) handed to a logging handler.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class Notifier(Protocol):
    """Queues ``text`` for a chat without waiting on the network (``Outbox`` does)."""

    def notify(self, text: str, *, chat_id: int | str | None = ...) -> Sequence[int] | None: ...


class Requester(Protocol):
    """Calls a Bot API method by name with JSON parameters (``Bot``, ``BlockingClient``)."""

    def request(self, method: str, params: dict[str, Any], /) -> Any: ...


class AsyncRequester(Protocol):
    """The asyncio twin of :class:`Requester` (``AsyncBot``)."""

    async def request(self, method: str, params: dict[str, Any], /) -> Any: ...
