"""``--state FILE``: the whole world kept in one SQLite row, saved shortly after changes."""

from __future__ import annotations

from pathlib import Path

import msgspec

from telewire.core.unions import decode_hook
from telewire.emulator.world import World
from telewire.storage import connect


class StateFile:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db = connect(self.path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS world (id INTEGER PRIMARY KEY CHECK (id = 1), data BLOB)"
        )

    def load(self) -> World | None:
        row = self._db.execute("SELECT data FROM world WHERE id = 1").fetchone()
        if row is None:
            return None
        try:
            return msgspec.msgpack.decode(row[0], type=World, dec_hook=decode_hook)
        except msgspec.DecodeError as exc:
            raise ValueError(
                f"the emulator state file {self.path} is damaged or from another version ({exc}); "
                "move it away to start afresh"
            ) from None

    def save(self, world: World) -> None:
        data = msgspec.msgpack.encode(world)
        self._db.execute("INSERT OR REPLACE INTO world (id, data) VALUES (1, ?)", (data,))

    def close(self) -> None:
        self._db.close()
