"""One contender in a compare-and-set race, run as a real process by test_races.py.

``increment URL KEY COUNT``: add 1 to a counter COUNT times, each by read + compare-and-set
(retrying on conflict). ``claim URL KEY NAME``: try once to create KEY; print "won" or "lost".
``open URL KEY NAME``: open the store only after the start line (several processes opening a
new file together), then write KEY:NAME; print "opened".
``append LEDGER NAME COUNT``: append COUNT entries to an audit ledger (a file or a URL).
All wait for a file named by env RACE_START to exist, so every process starts together.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

from telewire.storage import open_storage


def wait_for_start(pause: float = 0.001) -> None:
    open(f"{os.environ['RACE_START']}.{os.getpid()}", "w").close()  # at the line
    while not os.path.exists(os.environ["RACE_START"]):
        time.sleep(pause)


def append(target: str, name: str, count: int) -> None:
    """Append ``count`` entries to one audit ledger, each naming this process and its number."""
    from telewire.features.ledger import Ledger

    ledger = Ledger(target)
    wait_for_start()
    for number in range(count):
        ledger.record("note", actor=name, data={"n": number})
    ledger.close()
    print("appended")


async def main(mode: str, url: str, key: str, argument: str) -> None:
    if mode == "open":
        import telewire.storage.sqlite  # noqa: F401  (imported before the line: opens line up)

        wait_for_start(pause=0)  # spin: the race window is well under a millisecond
        storage = open_storage(url)
        await storage.set(f"{key}:{argument}", b"1")
        await storage.close()
        print("opened")
        return
    storage = open_storage(url)
    await storage.get(key)  # connect before the start line
    wait_for_start()
    try:
        if mode == "increment":
            conflicts = 0
            for _ in range(int(argument)):
                while True:
                    item = await storage.get(key)
                    count = 0 if item is None else int(item.value)
                    expected = None if item is None else item.version
                    written = await storage.compare_and_set(
                        key, str(count + 1).encode(), expected=expected
                    )
                    if written is not None:
                        break
                    conflicts += 1
            print(conflicts)
        else:
            won = await storage.compare_and_set(key, argument.encode(), expected=None)
            print("won" if won is not None else "lost")
    finally:
        await storage.close()


if __name__ == "__main__":
    if sys.argv[1] == "append":
        append(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        asyncio.run(main(*sys.argv[1:5]))
