"""Checking a ledger without touching it: read-only opening and the verdict.

``verify`` must never change what it checks: opening the file the writer's way would
switch it to WAL, re-run the schema and re-create triggers an insider dropped, hiding
the drop. So the checker opens with ``mode=ro`` (``immutable=1`` for a copy that nothing
writes), requires the ledger table, and reports missing triggers as tampering.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from telewire.features.ledger.anchors import Anchor, check_anchors
from telewire.features.ledger.chain import (
    COLUMNS,
    LedgerError,
    Problem,
    check_chain,
    columns,
    has_table,
)


@contextmanager
def read_only(path: str | Path, *, immutable: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection that cannot write, inside one read transaction (a consistent snapshot).

    ``immutable=True`` is for a copy nothing else writes: SQLite then takes no locks and
    creates no side files, but ignores a ``-wal`` file beside it.
    """
    target = Path(path)
    if not target.is_file():
        raise LedgerError(f"no ledger at {target}; pass the path of the audit file")
    flags = "mode=ro&immutable=1" if immutable else "mode=ro"
    uri = f"file:{quote(str(target.resolve()))}?{flags}"
    try:
        db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise LedgerError(f"cannot open {target} read-only: {exc}") from None
    try:
        db.execute("BEGIN")
        try:
            found = has_table(db)
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"cannot use {target} as an audit ledger ({exc})") from None
        if not found:
            raise LedgerError(f"cannot use {target} as an audit ledger: it has no ledger table")
        missing = [c for c in COLUMNS[:-1] if c not in columns(db)]
        if missing:
            raise LedgerError(
                f"cannot use {target} as an audit ledger: it has no column {missing[0]!r}"
            )
        yield db
    finally:
        db.close()


class Verdict(NamedTuple):
    entries: int
    head: Anchor | None
    problems: list[Problem]
    anchors: int
    """How many outside anchors were checked (0: nothing external was checked)."""
    latest_anchor: int
    gaps: tuple[tuple[int, int], ...] = ()
    """Runs of entries (first, last) between anchors that the chat never showed: their
    messages were lost or deleted before delivery. Not proof of tampering, but where a
    rewrite could hide; :meth:`gap_note` says so."""

    @property
    def intact(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One honest line: what was checked, and against what."""
        if self.problems:
            first = self.problems[0]
            where = f"first broken link at {first}" if first.seq else first.reason
            return f"ledger TAMPERED: {where}"
        head = f"head #{self.head.seq} {self.head.hash}" if self.head else "no entries"
        if not self.anchors:
            return (
                f"ledger consistent with itself: {self.entries} entries, {head}; "
                "nothing external checked"
            )
        after = (
            f"; entries after #{self.latest_anchor} are only consistent with themselves"
            if self.head and self.head.seq > self.latest_anchor
            else ""
        )
        plural = "anchor" if self.anchors == 1 else "anchors"
        return (
            f"ledger intact: {self.entries} entries, {self.anchors} {plural} from the owner's "
            f"chat match (the latest is #{self.latest_anchor}){after}"
        )

    def gap_note(self) -> str | None:
        if not self.gaps:
            return None
        runs = ", ".join(f"#{a}" if a == b else f"#{a}–#{b}" for a, b in self.gaps[:10])
        more = f" and {len(self.gaps) - 10} more runs" if len(self.gaps) > 10 else ""
        count = sum(b - a + 1 for a, b in self.gaps)
        return (
            f"note: {count} entries between the anchors never reached the chat ({runs}{more}); "
            "their messages were lost or deleted before delivery, so nothing outside vouches "
            "for them"
        )


def _gaps(anchored: set[int]) -> tuple[tuple[int, int], ...]:
    pairs = itertools.pairwise(sorted(anchored))
    return tuple((low + 1, high - 1) for low, high in pairs if high - low > 1)


def verify_connection(db: sqlite3.Connection, anchors: Iterable[Anchor] = ()) -> Verdict:
    return judge(*check_chain(db), anchors)


def judge(
    problems: list[Problem], chain: list[tuple[int, str]], anchors: Iterable[Anchor] = ()
) -> Verdict:
    """The verdict on a walked chain (see :func:`~telewire.features.ledger.chain.walk`)."""
    wanted = sorted(set(anchors))
    problems = problems + check_anchors(chain, wanted)
    problems.sort(key=lambda p: (p.seq == 0, p.seq))  # the file-wide ones last
    head = Anchor(*chain[-1]) if chain else None
    latest = max((a.seq for a in wanted), default=0)
    gaps = _gaps({a.seq for a in wanted})
    return Verdict(len(chain), head, problems, len(wanted), latest, gaps)


def verify_file(
    path: str | Path, anchors: Iterable[Anchor] = (), *, immutable: bool = False
) -> Verdict:
    """Check the chain, the triggers and each anchor, leaving the file byte-identical."""
    with read_only(path, immutable=immutable) as db:
        return verify_connection(db, anchors)
