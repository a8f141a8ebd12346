"""Mistakes the type checkers must catch (each line marked ``# error``); never run."""

from __future__ import annotations

import telewire
from telewire import AsyncOutbox, Outbox, TelegramHandler

Outbox(tokn="123:abc")  # error: a misspelt keyword
Outbox("o.db", chat_id=4.2)  # error: a chat id is an int or a str
TelegramHandler(AsyncOutbox("o.db"))  # error: its notify is a coroutine, not a queueing call
telewire.ask(telewire.ApprovalBook("a.db", approvers=[1]), "Refund?")  # error: the old order
telewire.ask("Refund?", timeout="soon")  # error: seconds are a number
telewire.Ledger("audit.db", outbox=AsyncOutbox("o.db"))  # error: the ledger queues synchronously
