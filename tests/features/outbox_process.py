"""A program using the outbox, for the crash test: queue N messages, then keep delivering."""

import sys
import time

from telewire.features.outbox import Outbox

path, chat, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
outbox = Outbox(path, chat_id=chat, limits=None, max_backoff=0.5)
if count:
    outbox.notify("\n".join(["batch"]))  # a marker message first
    for i in range(count):
        outbox.notify(f"note {i}")
print("queued", flush=True)
while True:
    time.sleep(1)
