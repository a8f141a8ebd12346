"""The store's reports: sales of a day, the week's totals, CSV export. Every look is recorded."""

from __future__ import annotations

import csv
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telewire.features.approvals import Decision
    from telewire.features.ledger import Ledger

from telewire.apps.store.money import format_amount


class Reports:
    """Part of :class:`~telewire.apps.store.service.Store`."""

    db: sqlite3.Connection
    ledger: Ledger

    def approve(self, action: str, question: str, actor: str, note: str | None = None) -> Decision:
        raise NotImplementedError

    def sales(self, day: str, actor: str) -> dict[str, Any]:
        row = self.db.execute(
            "SELECT COUNT(*) AS bills, COALESCE(SUM(total), 0) AS total,"
            " COALESCE(SUM(refunded), 0) AS refunded, COALESCE(SUM(tax), 0) AS tax"
            " FROM bills WHERE day = ?",
            (day,),
        ).fetchone()
        by_cashier = dict(
            self.db.execute(
                "SELECT cashier, SUM(total) FROM bills WHERE day = ?"
                " GROUP BY cashier ORDER BY cashier",
                (day,),
            ).fetchall()
        )
        self.ledger.record("access.sales", actor=actor, data={"day": day})
        return {"day": day, **dict(row), "by_cashier": by_cashier}

    def week(self, actor: str, end: float | None = None) -> list[tuple[str, int]]:
        end = end or time.time()
        days = [
            time.strftime("%Y-%m-%d", time.localtime(end - 86400 * i)) for i in range(6, -1, -1)
        ]
        totals = dict(
            self.db.execute(
                "SELECT day, SUM(total - refunded) FROM bills"  # noqa: S608 (placeholders only)
                f" WHERE day IN ({','.join('?' * 7)}) GROUP BY day",
                days,
            ).fetchall()
        )
        self.ledger.record("access.report", actor=actor, data={"from": days[0], "to": days[-1]})
        return [(day, int(totals.get(day, 0))) for day in days]

    def export(self, target: str | Path, actor: str) -> Path:
        self.approve("export", "Export all bills to a file?", actor)
        path = Path(target)
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                [
                    "bill",
                    "day",
                    "cashier",
                    "subtotal",
                    "discount",
                    "tax",
                    "total",
                    "refunded",
                    "payment",
                ]
            )
            for row in self.db.execute("SELECT * FROM bills ORDER BY id"):
                writer.writerow(
                    [
                        row["id"],
                        row["day"],
                        row["cashier"],
                        *(
                            format_amount(row[k])
                            for k in ("subtotal", "discount", "tax", "total", "refunded")
                        ),
                        row["payment"],
                    ]
                )
        self.ledger.record("access.export", actor=actor, data={"file": str(path)})
        return path
