"""What a test's users ask of the bot and wait for: inline queries, votes, payments.

Mixed into :class:`~telewire.testing.handle.EmulatorHandle` (through ``UserActs``); each
call is one request to the emulator's control API, which waits for the bot's answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telewire.api._generated import types as t

if TYPE_CHECKING:
    from telewire.testing.handle import TestUser


@dataclass(frozen=True)
class InlineAnswer:
    """What a user's app shows for an inline query: the bot's results (raw JSON)."""

    inline_query_id: str
    query: str
    answered: bool
    results: list[dict[str, Any]] = field(default_factory=list)
    next_offset: str = ""
    button: dict[str, Any] | None = None

    @property
    def result_ids(self) -> list[str]:
        return [str(r["id"]) for r in self.results]


@dataclass(frozen=True)
class Payment:
    """How a user's payment ended: ``status`` is paid, declined or waiting."""

    status: str
    stage: str
    total_amount: int
    error_message: str | None = None
    shipping_option_id: str | None = None
    message: t.Message | None = None  # the successful_payment message, once paid


class AskingActs:
    """Acts whose outcome depends on the bot's answer (inline results, payments) and votes."""

    if TYPE_CHECKING:
        token: str

        def _act(self, path: str, user: TestUser, decode: Any = Any, **fields: Any) -> Any: ...

        def _request(self, verb: str, path: str, body: Any = None, decode: Any = Any) -> Any: ...

    # -- inline mode -------------------------------------------------------------------

    def inline_query(
        self,
        user: TestUser,
        query: str,
        *,
        chat_id: int | None = None,
        offset: str = "",
        timeout: float = 5.0,
    ) -> InlineAnswer:
        """``user`` types ``@bot query`` (in ``chat_id``, else in their chat with the bot).

        Waits up to ``timeout`` seconds for answerInlineQuery; ``answered`` says if it came.
        """
        return self._act(  # type: ignore[no-any-return]
            "/emulator/inline",
            user,
            InlineAnswer,
            query=query,
            chat_id=chat_id,
            offset=offset,
            timeout=timeout,
        )

    def inline_answer(
        self, user: TestUser, answer: InlineAnswer, *, timeout: float = 5.0
    ) -> InlineAnswer:
        """The bot's answer to an earlier query, waiting up to ``timeout`` s for it."""
        return self._act(  # type: ignore[no-any-return]
            "/emulator/inline/answer",
            user,
            InlineAnswer,
            inline_query_id=answer.inline_query_id,
            timeout=timeout,
        )

    def choose_inline_result(
        self, user: TestUser, answer: InlineAnswer, result_id: str | None = None
    ) -> t.Message:
        """``user`` picks a result (the first unless ``result_id``); returns the message sent."""
        if result_id is None:
            if not answer.results:
                raise AssertionError(f"the answer to {answer.query!r} has no results")
            result_id = answer.result_ids[0]
        return self._act(  # type: ignore[no-any-return]
            "/emulator/inline/choose",
            user,
            t.Message,
            inline_query_id=answer.inline_query_id,
            result_id=result_id,
        )

    def inline_message(self, inline_message_id: str) -> t.Message:
        """A message sent via the bot (its ``chosen_inline_result.inline_message_id``) as
        the users in its chat see it now: the bot's edits applied, ``edit_date`` set."""
        path = f"/emulator/inline/messages/{inline_message_id}?token={self.token}"
        return self._request("GET", path, None, t.Message)  # type: ignore[no-any-return]

    # -- polls -------------------------------------------------------------------------

    def vote(self, user: TestUser, message: t.Message, *options: int) -> t.Poll:
        """``user`` votes for option indexes ``options`` in the poll of ``message``.

        No options retracts the vote (where the poll allows revoting).
        """
        return self._act(  # type: ignore[no-any-return]
            "/emulator/vote",
            user,
            t.Poll,
            chat_id=message.chat.id,
            message_id=message.message_id,
            option_ids=list(options),
        )

    # -- payments ----------------------------------------------------------------------

    def pay(
        self,
        user: TestUser,
        invoice: t.Message | str,
        *,
        tip_amount: int = 0,
        shipping_option_id: str | None = None,
        order_info: dict[str, Any] | None = None,
        timeout: float = 5.0,
    ) -> Payment:
        """``user`` pays an invoice message (its Pay button) or an invoice link.

        Waits up to ``timeout`` seconds for the bot to answer the shipping and
        pre-checkout queries; the Payment says ``paid``, ``declined`` (and why) or
        ``waiting``.
        """
        where: dict[str, Any]
        if isinstance(invoice, str):
            where = {"invoice_link": invoice}
        else:
            where = {"chat_id": invoice.chat.id, "message_id": invoice.message_id}
        return self._act(  # type: ignore[no-any-return]
            "/emulator/pay",
            user,
            Payment,
            tip_amount=tip_amount,
            shipping_option_id=shipping_option_id,
            order_info=order_info,
            timeout=timeout,
            **where,
        )
