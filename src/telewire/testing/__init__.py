"""Testing bots offline: a handle on a running emulator, and the pytest plugin using it."""

from telewire.testing.handle import CallbackAnswer, EmulatorHandle, TestUser

__all__ = ["CallbackAnswer", "EmulatorHandle", "TestUser"]
