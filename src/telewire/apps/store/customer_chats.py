"""Customers' Telegram chats with the store's bot, so invoices can go to them directly.

The owner hands a customer a link (``/link 3`` in the owner's bot): a signed deep link
``t.me/<bot>?start=customer-3-<signature>``. Pressing Start in it links that Telegram
user to customer 3; the owner sees it in the ledger. The link is signed with a secret kept
in the store's folder (``link.key``), so nobody can link themselves to a customer by
typing a number. A customer stays linked to the first account that used the link;
another account using the same link is refused and the attempt recorded.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import time
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telewire.features.ledger import Ledger

from telewire.apps.store.errors import StoreError
from telewire.deep_links import DeepLinks
from telewire.storage import transaction

LINK_KEY = "link.key"
PAYLOAD = "customer-"


class CustomerChats:
    """Part of :class:`~telewire.apps.store.service.Store`."""

    db: sqlite3.Connection
    ledger: Ledger
    folder: Path

    @cached_property
    def deep_links(self) -> DeepLinks:
        """Signs and checks customer links with the store's own secret (made on first use)."""
        key = self.folder / LINK_KEY
        if not key.exists():
            descriptor = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(secrets.token_bytes(32))
        return DeepLinks(key.read_bytes())

    def customer_link(self, customer_id: int, bot_username: str, actor: str) -> str:
        """The link to hand customer ``customer_id`` (recorded: who asked for which)."""
        row = self.db.execute("SELECT name FROM customers WHERE id = ?", (customer_id,))
        found = row.fetchone()
        if found is None:
            raise StoreError(f"unknown customer {customer_id}")
        self.ledger.record("customer.link_made", actor=actor, data={"customer": customer_id})
        return self.deep_links.link(bot_username, f"{PAYLOAD}{customer_id}")

    def link_customer_chat(self, payload: str, user_id: int) -> str:
        """Link Telegram user ``user_id`` to the customer a checked link names; their name."""
        if not payload.startswith(PAYLOAD) or not payload[len(PAYLOAD) :].isdigit():
            raise StoreError("this link is not a customer link")
        customer_id = int(payload[len(PAYLOAD) :])
        with transaction(self.db) as db:
            found = db.execute("SELECT name FROM customers WHERE id = ?", (customer_id,))
            row = found.fetchone()
            if row is None:
                raise StoreError("this link names no customer of the store")
            linked = db.execute(
                "SELECT user_id FROM customer_chats WHERE customer_id = ?", (customer_id,)
            ).fetchone()
            if linked is None:
                db.execute(
                    "INSERT INTO customer_chats (customer_id, user_id, linked) VALUES (?, ?, ?)",
                    (customer_id, user_id, time.time()),
                )
        if linked is not None and linked[0] != user_id:
            self.ledger.record(
                "customer.link_refused",
                actor=f"user:{user_id}",
                message=f"⚠️ User {user_id} used customer {customer_id}'s link, which another "
                "account uses already; refused",
                data={"customer": customer_id, "user": user_id},
            )
            raise StoreError("this link belongs to another account; ask the store for yours")
        if linked is None:
            self.ledger.record(
                "customer.link",
                actor=f"user:{user_id}",
                message=f"🔗 {row[0]} (customer {customer_id}) linked their Telegram chat: "
                "invoices go there now",
                data={"customer": customer_id, "user": user_id},
            )
        return str(row[0])

    def customer_chat(self, customer_id: int | None) -> int | None:
        """The Telegram chat of customer ``customer_id``, if they linked one."""
        if customer_id is None:
            return None
        row = self.db.execute(
            "SELECT user_id FROM customer_chats WHERE customer_id = ?", (customer_id,)
        ).fetchone()
        return None if row is None else int(row[0])

    def customer_of(self, kind: str, number: int) -> Any:
        """The customer number of bill or order ``number`` (None: none, or no such)."""
        table = {"bill": "bills", "order": "orders"}.get(kind)
        if table is None:
            return None
        row = self.db.execute(
            f"SELECT customer_id FROM {table} WHERE id = ?",  # noqa: S608 (fixed names)
            (number,),
        ).fetchone()
        return None if row is None else row[0]
