"""A durable outbox: messages are written to SQLite first and delivered in the background.

outbox = Outbox("outbox.db")                  # token/chat from settings or environment
outbox.notify("Backup finished")              # returns once the message is on disk
outbox.close()                                # or leave it running; nothing is lost either way
"""

from telewire.features.outbox.sender import AsyncOutbox, Outbox
from telewire.features.outbox.store import OutboxStore, Row

__all__ = ["AsyncOutbox", "Outbox", "OutboxStore", "Row"]
