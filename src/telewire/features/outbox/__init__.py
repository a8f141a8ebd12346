"""A durable outbox: messages are written to SQLite first and delivered in the background.

outbox = Outbox("outbox.db")                  # token/chat from settings or environment
outbox.notify("Backup finished")              # returns once the message is on disk
outbox.close()                                # or leave it running; nothing is lost either way

Transactional: open the outbox on the program's own SQLite file and queue inside the
program's transaction (``outbox.notify(text, connection=conn)``); the message is then
sent if and only if that transaction commits. Only SQLite connections today: the
``connection`` parameter is where a PostgreSQL connection will be accepted too, its rows
then living in the program's PostgreSQL database.
"""

from telewire.features.outbox.sender import AsyncOutbox, Outbox, OutboxStatus
from telewire.features.outbox.store import OutboxStore, Row

__all__ = ["AsyncOutbox", "Outbox", "OutboxStatus", "OutboxStore", "Row"]
