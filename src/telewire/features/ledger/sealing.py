"""Seals: a business record's canonical content, hashed into a ledger entry.

The ledger protects its own rows; a program also wants to know that *its* row (bill #42
in its own table) has not changed since it was recorded. Sealing hashes the record's
canonical JSON into an entry keyed ``bill:42``; checking hashes the current record the
same way and compares it with the latest seal under that key.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal, NamedTuple

from telewire.features.ledger.chain import Entry

SealStatus = Literal["intact", "changed", "missing", "unsealed", "retired"]


class SealError(ValueError):
    """A record that cannot be sealed (not plain JSON data), or a malformed key."""


class Seal(NamedTuple):
    key: str
    digest: str | None
    """SHA-256 of the record's canonical JSON; None when the record was retired."""
    entry: Entry


class SealCheck(NamedTuple):
    key: str
    status: SealStatus
    """intact: as sealed · changed: differs from its seal · missing: sealed, now gone ·
    unsealed: never sealed, or present again after its retirement · retired: removed,
    and the removal was recorded."""
    sealed: str | None
    current: str | None
    entry: Entry | None
    """The entry holding the latest seal (None when there is none)."""

    @property
    def ok(self) -> bool:
        return self.status in ("intact", "retired")

    def __str__(self) -> str:
        words = {
            "intact": "is as sealed",
            "changed": "was changed after it was sealed",
            "missing": "was removed, but its removal was never recorded",
            "unsealed": "has no seal in the ledger",
            "retired": "was removed, as recorded",
        }
        where = f" (sealed in entry {self.entry.seq})" if self.entry else ""
        return f"{self.key} {words[self.status]}{where}"


def record_digest(record: Any) -> str:
    """SHA-256 of ``record`` as canonical JSON (sorted keys, no spaces, finite numbers only)."""
    try:
        text = json.dumps(
            record, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise SealError(
            f"cannot seal this record ({exc}); pass plain JSON data: dicts with string keys, "
            "lists, strings, finite numbers, booleans, None"
        ) from None
    return hashlib.sha256(text.encode()).hexdigest()


def check_key(key: str) -> str:
    if not key or not key.strip() or key != key.strip() or any(ord(c) < 32 for c in key):
        raise SealError(f"a seal key is a short name like 'bill:42', not {key!r}")
    return key


def judge(key: str, seal: Entry | None, record: Any) -> SealCheck:
    current = None if record is None else record_digest(record)
    sealed = None if seal is None else seal.data.get("seal")
    status: SealStatus
    if seal is None:
        status = "unsealed"
    elif sealed is None:
        status = "retired" if record is None else "unsealed"
    elif record is None:
        status = "missing"
    else:
        status = "intact" if current == sealed else "changed"
    return SealCheck(key, status, None if sealed is None else str(sealed), current, seal)
