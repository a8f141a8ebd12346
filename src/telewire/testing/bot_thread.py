"""Running a router by long polling in a background thread, for tests and the demo."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telewire.jobs import Scheduler
    from telewire.routing.router import Router
    from telewire.updates.polling import Polling


class BotThread:
    """Poll for ``router`` in a daemon thread; ``stop()`` drains and confirms, as SIGTERM would."""

    def __init__(
        self,
        router: Router,
        token: str,
        base_url: str,
        *,
        jobs: Scheduler | None = None,
        **polling_options: Any,
    ) -> None:
        self.router = router
        self.jobs = jobs
        self.error: BaseException | None = None
        self._token, self._base_url = token, base_url
        self._options = {"timeout": 1, **polling_options}
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.polling: Polling | None = None
        self._thread = threading.Thread(target=self._run, name="telewire-bot", daemon=True)

    def start(self) -> BotThread:
        self._thread.start()
        self._ready.wait(10)
        if self.error is not None:
            raise self.error
        return self

    def _run(self) -> None:
        from telewire.client.async_bot import AsyncBot
        from telewire.updates.polling import Polling

        async def main() -> None:
            bot = AsyncBot(self._token, base_url=self._base_url)
            self._loop = asyncio.get_running_loop()
            self.polling = Polling(self.router, bot, **self._options)
            jobs = self.jobs  # run as start_polling(jobs=...) runs them
            try:
                async with jobs.beside(bot) if jobs is not None else contextlib.nullcontext():
                    self._ready.set()
                    await self.polling.run()
            finally:
                await bot.close()

        try:
            asyncio.run(main())
        except BaseException as exc:
            self.error = exc
            self._ready.set()

    def stop(self, timeout: float = 15) -> None:
        if self._loop is not None and self.polling is not None and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(self.polling.stop)
            except RuntimeError:  # the loop already finished
                pass
        self._thread.join(timeout)

    def __enter__(self) -> BotThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
