"""A local Telegram Bot API server for trying and testing bots offline.

``Emulator`` runs it inside an asyncio program (``async with Emulator() as emu``) or in a
background thread (``with Emulator().in_thread() as emu``); ``telewire emulator`` runs it
from the shell.
"""

from telewire.emulator.runner import Emulator

__all__ = ["Emulator"]
