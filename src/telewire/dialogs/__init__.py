"""Dialogs written as straight-line async code that survive restarts and deploys.

    dialogs = Dialogs(router, "sqlite:///bot.db")

    @dialogs.dialog(command="order")
    async def order(d: Dialog) -> None:
        item = await d.ask("What item?")
        count = await d.ask("How many?", parse=int)
        if await d.confirm(f"{count} x {item}?"):
            await d.reply("Ordered.")

Storage holds only the answers so far; each update re-runs the function, feeding them back
(see :mod:`telewire.dialogs.dialog` and :mod:`telewire.dialogs.manager`).
"""

from __future__ import annotations

from telewire.dialogs.dialog import Dialog, InvalidAnswer, Media
from telewire.dialogs.machine import Machine, Transition
from telewire.dialogs.manager import DialogConflict, Dialogs

__all__ = ["Dialog", "DialogConflict", "Dialogs", "InvalidAnswer", "Machine", "Media", "Transition"]
