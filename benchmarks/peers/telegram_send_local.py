"""telegram-send, pointed at a local server.

telegram-send has no setting for the Bot API server, so this wrapper sets
python-telegram-bot's ``Bot`` base URL to ``BENCH_API_URL`` and then runs telegram-send's
own command line, unchanged. The wrapper adds no imports telegram-send does not make.
"""

import os
import sys

import telegram

_original = telegram.Bot.__init__


def _local(self, token, *args, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("base_url", os.environ["BENCH_API_URL"] + "/bot")
    _original(self, token, *args, **kwargs)


telegram.Bot.__init__ = _local  # type: ignore[method-assign]

from telegram_send.telegram_send import main  # noqa: E402

sys.argv[0] = "telegram-send"
sys.exit(main())
