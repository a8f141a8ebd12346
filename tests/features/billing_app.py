"""A billing app queueing each bill's message in its own transaction, for the crash test.

    python billing_app.py DB CHAT BILL ORDER KILL_AT

ORDER is ``bill-first`` or ``message-first`` (which the app writes first); KILL_AT is
``before-commit`` or ``after-commit``: there the app says so and waits to be killed -9.
Its outbox never delivers (``start=False``), so a message can only arrive if it was
committed and a later sender finds it.
"""

import sqlite3
import sys

from telewire.features.outbox import Outbox

path, chat, bill, order, kill_at = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), *sys.argv[4:6]
outbox = Outbox(path, chat_id=chat, start=False)
db = sqlite3.connect(path, isolation_level=None)
db.execute("CREATE TABLE IF NOT EXISTS bills (number INTEGER PRIMARY KEY, total TEXT NOT NULL)")
db.execute("BEGIN IMMEDIATE")
if order == "message-first":
    outbox.notify(f"Bill #{bill}: 12.50", connection=db)
db.execute("INSERT INTO bills VALUES (?, ?)", (bill, "12.50"))
if order == "bill-first":
    outbox.notify(f"Bill #{bill}: 12.50", connection=db)
if kill_at == "before-commit":
    print("queued, not committed", flush=True)
    sys.stdin.readline()  # killed -9 here
db.execute("COMMIT")
print("committed", flush=True)
sys.stdin.readline()  # killed -9 here, before any delivery
