"""A billing app that tells its owner about every bill, exactly when the bill is committed.

    python examples/billing.py [billing.db]

The outbox's table lives in the app's own database file and the message is queued through
the app's own connection, inside the app's transaction. So the bill and its message commit
together or not at all: a crash or a rollback can neither announce a bill that does not
exist nor lose the message of one that does. The outbox's sender delivers only what was
committed (``TELEGRAM_BOT_TOKEN``, ``TELEGRAM_CHAT_ID`` and ``TELEGRAM_API_URL`` say where).
"""

from __future__ import annotations

import sqlite3
import sys

import telewire


def record_bill(db: sqlite3.Connection, outbox: telewire.Outbox, number: int, total: str) -> None:
    with db:  # one transaction: both rows commit, or neither does
        db.execute("INSERT INTO bills (number, total) VALUES (?, ?)", (number, total))
        outbox.notify(f"🧾 Bill #{number}: {total}", connection=db)


def main(path: str) -> None:
    with telewire.Outbox(path) as outbox:  # creates its table in the app's file
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE IF NOT EXISTS bills (number INTEGER PRIMARY KEY, total TEXT)")
        record_bill(db, outbox, 41, "12.50")
        try:
            record_bill(db, outbox, 41, "99.00")  # a duplicate number: the insert fails...
        except sqlite3.IntegrityError:
            print("bill #41 exists already; nothing was announced twice")  # ...and no message
        db.close()
        print("queued:", outbox.status())
    # leaving the block waited (up to 5 s) for delivery; what is left goes out next run


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "billing.db")
