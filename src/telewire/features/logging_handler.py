"""A ``logging.Handler`` that tells the owner, through the durable outbox.

    logging.getLogger().addHandler(TelegramHandler(outbox, level=logging.ERROR))

Records within ``coalesce`` seconds of each other go out as one message, so an error
storm is one notification, not a flood. ``emit`` only appends to a buffer: it never
blocks on the network and never raises into the program.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from telewire.features.protocols import Notifier

_BUSY = threading.local()


class TelegramHandler(logging.Handler):
    def __init__(
        self,
        outbox: Notifier,
        *,
        chat_id: int | str | None = None,
        level: int = logging.WARNING,
        coalesce: float = 2.0,
        max_records: int = 50,
    ) -> None:
        super().__init__(level)
        self.outbox = outbox
        self.chat_id = chat_id
        self.coalesce = coalesce
        self.max_records = max_records
        self._buffer: list[str] = []
        self._dropped = 0
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(_BUSY, "active", False) or record.name.startswith("telewire.outbox"):
            return  # never feed the outbox's own logging back into it
        try:
            line = self.format(record)
            with self._lock:
                if len(self._buffer) < self.max_records:
                    self._buffer.append(line)
                else:
                    self._dropped += 1
                if self._timer is None:
                    self._timer = threading.Timer(self.coalesce, self.flush)
                    self._timer.daemon = True
                    self._timer.start()
        except Exception:
            self.handleError(record)

    def flush(self) -> None:
        with self._lock:
            lines, dropped = self._buffer, self._dropped
            self._buffer, self._dropped, self._timer = [], 0, None
        if not lines:
            return
        text = "\n".join(lines)
        if dropped:
            text += f"\n… and {dropped} more"
        _BUSY.active = True
        try:
            self.outbox.notify(text, chat_id=self.chat_id)
        except Exception:  # a logging handler must not raise into the program
            logging.getLogger("telewire.outbox").exception("could not queue log records")
        finally:
            _BUSY.active = False

    def close(self) -> None:
        timer = self._timer
        if timer is not None:
            timer.cancel()
        self.flush()
        super().close()
