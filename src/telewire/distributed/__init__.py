"""Scale-out on Redis Streams: many processes run one ``Router``, per-chat order kept.

Updates enter through an :class:`~telewire.distributed.ingress.IngressApp` (webhook
receivers, any number) or a :class:`~telewire.distributed.pump.Pump` (long polling; one
leads, the others stand by). Either appends each update to one of a fixed number of
partition streams, chosen by its chat (else its user), and tells Telegram only after the
append. :class:`~telewire.distributed.worker.Worker` processes lease partitions, handle
each partition's updates through the same dispatcher an in-process bot uses, and
acknowledge an entry only after its handler finished. Sends from every worker share one
flood limiter in Redis (:mod:`telewire.distributed.flood`), which an outbox joins with
``Outbox(…, limits=shared_flood_limit(redis_url))``.

``telewire serve app:router --redis redis://… --role ingress|pump|worker`` runs each role.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telewire.distributed.layout import Layout

if TYPE_CHECKING:
    from telewire.distributed.flood_gate import shared_flood_limit

__all__ = ["Layout", "shared_flood_limit"]


def __getattr__(name: str) -> Any:
    if name == "shared_flood_limit":  # imports redis: only when asked for
        from telewire.distributed.flood_gate import shared_flood_limit

        return shared_flood_limit
    raise AttributeError(f"module 'telewire.distributed' has no attribute {name!r}")
