"""A bot written by hand for tests: a thread that polls and hands each update to a function."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from telewire import Bot
from telewire.types import Update


@contextmanager
def answering(bot: Bot, handle: Callable[[Update], None]) -> Iterator[list[Update]]:
    """Poll ``bot`` in a thread, calling ``handle`` on each update; yields the updates seen."""
    seen: list[Update] = []
    stop = threading.Event()
    errors: list[BaseException] = []

    def loop() -> None:
        offset = 0
        while not stop.is_set():
            for update in bot.get_updates(offset=offset, timeout=1, allowed_updates=[]):
                offset = update.update_id + 1
                seen.append(update)
                try:
                    handle(update)
                except BaseException as exc:  # reported by the test
                    errors.append(exc)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        stop.set()
        thread.join(5)
    if errors:
        raise errors[0]


def wait_until(condition: Callable[[], object], timeout: float = 5.0, what: str = "it") -> None:
    """Wait until ``condition()`` is true; fail saying ``what`` did not happen."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:g} s")
        time.sleep(0.02)
