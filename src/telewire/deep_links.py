"""Deep links with signed payloads: ``t.me/<bot>?start=<payload>``, and routing them.

    links = DeepLinks(secret)                      # bytes kept like a password
    url = links.link("shop_bot", "invite-42")      # https://t.me/shop_bot?start=invite-42-Xy...

    @router.command("start", filter=links.filter())
    async def invited(ctx):
        payload = links.payload(ctx)               # "invite-42", or None

Telegram hands the text after ``?start=`` to the bot as ``/start <payload>`` when a user
opens the link. Anyone can type such a link, so a payload that grants something (an
invitation, a referral, a login) carries an HMAC: :meth:`DeepLinks.read` returns the
payload only when the signature is right. Telegram allows 64 characters of ``A-Z a-z
0-9 _ -``; the signature takes 17 of them, and a payload that does not fit is refused
with a message, not cut. ``encode=True`` carries any text (base64url).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from telewire.routing.context import BaseContext
    from telewire.routing.filters import Filter

ALLOWED = re.compile(r"[A-Za-z0-9_-]+")
MAX_START = 64
SIGNATURE = 16  # characters of base64url HMAC-SHA256 (96 bits)
SEP = "-"


class DeepLinks:
    """Signs and checks ``/start`` payloads with one secret (at least 16 bytes)."""

    def __init__(self, secret: bytes | str, *, encode: bool = False) -> None:
        key = secret.encode() if isinstance(secret, str) else secret
        if len(key) < 16:
            raise ValueError(
                "a deep-link secret needs at least 16 bytes; use secrets.token_bytes(32)"
            )
        self._key = key
        self.encode = encode

    def __repr__(self) -> str:
        return f"DeepLinks(encode={self.encode})"  # never the secret

    def _sign(self, payload: str) -> str:
        digest = hmac.new(self._key, payload.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode()[:SIGNATURE]

    def pack(self, payload: str) -> str:
        """The ``start`` parameter for ``payload``: the payload, ``-``, its signature."""
        body = (
            base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
            if self.encode
            else payload
        )
        if not body or not ALLOWED.fullmatch(body):
            raise ValueError(
                f"a deep-link payload is 1+ characters of A-Z a-z 0-9 _ -, not {payload[:20]!r}; "
                "pass encode=True to DeepLinks to carry any text"
            )
        packed = f"{body}{SEP}{self._sign(body)}"
        if len(packed) > MAX_START:
            room = MAX_START - SIGNATURE - len(SEP)
            raise ValueError(
                f"a signed deep-link payload has room for {room} characters"
                f"{' once encoded' if self.encode else ''}, not {len(body)}: store the data "
                "and put its key in the link"
            )
        return packed

    def link(self, bot_username: str, payload: str, *, group: bool = False) -> str:
        """``https://t.me/<bot>?start=...`` (``startgroup`` to add the bot to a group)."""
        kind = "startgroup" if group else "start"
        return f"https://t.me/{bot_username.lstrip('@')}?{kind}={self.pack(payload)}"

    def read(self, start: str | None) -> str | None:
        """The payload of a ``start`` parameter if its signature is right, else None."""
        if not start or len(start) <= SIGNATURE + len(SEP) or len(start) > MAX_START:
            return None
        body, sep, signature = start[: -SIGNATURE - 1], start[-SIGNATURE - 1], start[-SIGNATURE:]
        if sep != SEP or not hmac.compare_digest(signature, self._sign(body)):
            return None
        if not self.encode:
            return body
        try:
            return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
        except (ValueError, UnicodeDecodeError):
            return None

    def payload(self, ctx: BaseContext) -> str | None:
        """The checked payload of a ``/start <payload>`` message, or None."""
        return self.read(ctx.args[0] if ctx.args else _start_argument(ctx.text))

    def filter(self) -> Filter:
        """``/start`` with a correctly signed payload (use with ``router.command("start")``)."""
        from telewire.routing.filters import Filter

        return Filter(lambda ctx: self.payload(ctx) is not None, "signed_deep_link")


def _start_argument(text: str | None) -> str | None:
    if not text or not text.startswith("/start"):
        return None
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) == 2 else None


__all__ = ["DeepLinks"]
