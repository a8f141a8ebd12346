"""A durable outbox: messages are written down first and delivered in the background.

outbox = Outbox("outbox.db")                  # token/chat from settings or environment
outbox.notify("Backup finished")              # returns once the message is on disk
outbox.close()                                # or leave it running; nothing is lost either way

Where the queue lives: a SQLite file (the processes of one machine share it), or a
PostgreSQL database, ``Outbox("postgresql://user@host/db")``, which workers on any number
of machines share (the table ``telewire_outbox``). Either way exactly one process
delivers at a time and the others take over when it dies. While PostgreSQL is
unreachable, queueing raises :class:`~telewire.storage.StorageUnavailable` (nothing was
queued) and the sender waits for the server to come back.

Transactional: open the outbox on the program's own database (its SQLite file, or its
PostgreSQL URL) and queue inside the program's transaction
(``outbox.notify(text, connection=conn)`` with a ``sqlite3`` or ``psycopg`` connection);
the message is then sent if and only if that transaction commits.
"""

from telewire.features.outbox.sender import AsyncOutbox, Outbox, OutboxStatus
from telewire.features.outbox.store import OutboxStore, Row

__all__ = ["AsyncOutbox", "Outbox", "OutboxStatus", "OutboxStore", "Row"]
