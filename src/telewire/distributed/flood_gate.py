"""The shared flood limit for a blocking sender: the outbox's thread, beside the workers.

``telewire serve`` workers keep Telegram's windows in Redis
(:mod:`telewire.distributed.flood`); an outbox that sends for the same bot must count in
the same windows, or the two together go over the limit. This is the same count, asked
through the same scripts with a blocking Redis client, in the shape the outbox's courier
asks (:class:`~telewire.core.flood.FloodGate`)::

    outbox = Outbox("postgresql://…", limits=shared_flood_limit("redis://redis:6379/0"))
"""

from __future__ import annotations

import os
from typing import Any

from telewire.core.flood import SENDER, Limits
from telewire.distributed.flood import ADMIT, IN_FLIGHT_MS, SENT, flood_keys
from telewire.distributed.layout import Layout
from telewire.distributed.redis_client import describe
from telewire.storage.base import StorageUnavailable


class SharedFloodGate:
    """A :class:`~telewire.core.flood.FloodGate` whose count lives in Redis.

    Raises :class:`~telewire.storage.StorageUnavailable` while Redis cannot be reached, which
    the outbox's sender waits out like an outage of its own database.
    """

    def __init__(
        self, client: Any, layout: Layout, limits: Limits = SENDER, where: str = ""
    ) -> None:
        self.client = client
        self.layout = layout
        self.limits = limits
        self.where = where
        self._admit = client.register_script(ADMIT)
        self._sent = client.register_script(SENT)
        self._marks: dict[Any, str] = {}
        self._serial = 0

    def __repr__(self) -> str:
        return f"SharedFloodGate({self.where!r}, {self.layout.namespace!r})"

    def _redis(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        import redis

        try:
            return call(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise StorageUnavailable(
                f"the outbox cannot reach Redis at {self.where} for the shared flood limit "
                f"({exc}); it waits and tries again"
            ) from None

    def wait_for(self, chat_id: Any, group: bool) -> float:
        self._serial += 1
        mark = f"{os.getpid()}:{id(self)}:{self._serial}"
        keys, numbers = flood_keys(self.layout, self.limits, chat_id)
        wait = int(self._redis(self._admit, keys=keys, args=[mark, *numbers, IN_FLIGHT_MS]))
        if wait == 0:
            self._marks[chat_id] = mark
            return 0.0
        return abs(wait) / 1000

    def sent(self, chat_id: Any) -> None:
        mark = self._marks.pop(chat_id, None)
        if mark is not None:
            keys, numbers = flood_keys(self.layout, self.limits, chat_id)
            spans = [numbers[1] + IN_FLIGHT_MS, numbers[3] + IN_FLIGHT_MS]
            self._redis(self._sent, keys=keys[:2], args=[mark, *spans])

    def pause(self, seconds: float) -> None:
        key = self.layout.flood("pause")
        self._redis(self.client.set, key, 1, px=max(1, int(seconds * 1000)))


def shared_flood_limit(
    redis_url: str | None = None,
    *,
    token: str | None = None,
    namespace: str | None = None,
    limits: Limits = SENDER,
) -> SharedFloodGate:
    """The flood limit the bot's ``telewire serve`` workers share, for an outbox to join.

    ``redis_url``: the workers' Redis (default: env ``TELEWIRE_REDIS``); ``token``: the bot's
    (default: the settings, as for ``Outbox``), which names the windows
    (``telewire:<bot id>``); ``namespace`` only if the workers were given another one.
    Connects on first use.
    """
    import redis

    from telewire import settings
    from telewire.core.token import Token

    url = redis_url or os.environ.get("TELEWIRE_REDIS")
    if not url:
        raise ValueError("no Redis URL: pass redis_url or set TELEWIRE_REDIS")
    if namespace:
        layout = Layout(namespace)
    else:
        found = settings.resolve(token=token).token
        if not found:
            raise ValueError("no bot token to name the shared windows by: pass token=")
        layout = Layout.for_bot(Token(found).bot_id)
    client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)
    return SharedFloodGate(client, layout, limits, where=describe(url))
