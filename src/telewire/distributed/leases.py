"""Leases in Redis: a key naming its holder that expires unless the holder renews it.

Taking one is ``SET key holder NX PX ms``; renewing and giving it back are scripts that
first check the holder, so a process that paused past its lease (GC, a stopped VM) cannot
renew or delete a lease someone else took meanwhile. Redis's own clock decides expiry, so
the processes' clocks need not agree.
"""

from __future__ import annotations

from typing import Any

RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
RENEW_ALL = """
local kept = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
    kept[#kept + 1] = i
  end
end
return kept
"""
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class Leases:
    """Take, renew and give back leases held by ``holder`` (a process's unique name)."""

    def __init__(self, client: Any, holder: str, milliseconds: int) -> None:
        if milliseconds < 100:
            raise ValueError(f"a lease must last at least 100 ms, not {milliseconds}")
        self.client = client
        self.holder = holder
        self.milliseconds = milliseconds
        self._renew = client.register_script(RENEW)
        self._release = client.register_script(RELEASE)
        self._renew_all = client.register_script(RENEW_ALL)

    async def take(self, key: str) -> bool:
        """Take ``key`` if nobody holds it (or we already do)."""
        if await self.client.set(key, self.holder, nx=True, px=self.milliseconds):
            return True
        return await self.renew(key)

    async def renew(self, key: str) -> bool:
        """Extend our lease; False if it expired or another process holds it now."""
        return bool(await self._renew(keys=[key], args=[self.holder, self.milliseconds]))

    async def renew_all(self, keys: list[str]) -> list[str]:
        """Extend every lease of ``keys`` we still hold, in one round trip; those kept."""
        if not keys:
            return []
        kept = await self._renew_all(keys=keys, args=[self.holder, self.milliseconds])
        return [keys[int(index) - 1] for index in kept]

    async def give_back(self, key: str) -> None:
        await self._release(keys=[key], args=[self.holder])
