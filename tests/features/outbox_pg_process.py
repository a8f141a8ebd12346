"""A program on a PostgreSQL outbox, for the multi-process tests.

``queue URL TAG N CHAT...``: queue N messages to each chat ("TAG i", chat by chat in
turn), print "queued", exit. ``deliver URL``: run a deliverer; print "holding" once it
is the one delivering, then keep going until killed.
"""

import sys
import time

from telewire.features.outbox import Outbox

role, url = sys.argv[1], sys.argv[2]
if role == "queue":
    tag, count, chats = sys.argv[3], int(sys.argv[4]), [int(c) for c in sys.argv[5:]]
    outbox = Outbox(url, limits=None, start=False)
    for i in range(count):
        for chat in chats:
            outbox.notify(f"{tag} {i}", chat_id=chat)
    print("queued", flush=True)
    outbox.close(timeout=0)
else:
    outbox = Outbox(url, limits=None, max_backoff=0.5)
    while not outbox.lock.held:
        time.sleep(0.01)
    print("holding", flush=True)
    while True:
        time.sleep(1)
