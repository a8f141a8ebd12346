"""The shapes of the control API's request bodies, checked before anything acts on them.

One declaration per route, so a wrong type (``"42x"`` as a user id, a list for a chat id)
or a missing field is answered with one clear 400 naming the field, and the code behind
the route only ever sees values of the documented types.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import msgspec

from telewire.core import typed
from telewire.emulator.errors import bad_request

T = TypeVar("T")

UserId = Annotated[int, msgspec.Meta(ge=1, le=2**53)]
ChatId = Annotated[int, msgspec.Meta(ge=-(2**53), le=2**53)]
MessageId = Annotated[int, msgspec.Meta(ge=0, le=2**31)]
Seconds = Annotated[float, msgspec.Meta(ge=0, le=3600)]


class UserRef(msgspec.Struct, kw_only=True):
    """A user as the control API names one: an id, and optionally how they are called."""

    id: UserId
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    def described(self) -> dict[str, Any]:
        """The given fields only, so an absent name keeps the one the world knows."""
        return {k: v for k, v in msgspec.structs.asdict(self).items() if v is not None}


class SendBody(msgspec.Struct, kw_only=True):
    token: str
    user: UserRef
    text: str | None = None
    chat_id: ChatId | None = None
    reply_to_message_id: MessageId | None = None
    message_thread_id: MessageId | None = None


class UploadBody(msgspec.Struct, kw_only=True):
    token: str
    user: UserRef
    kind: str = "document"
    caption: str | None = None
    chat_id: ChatId | None = None
    message_thread_id: MessageId | None = None
    duration: Annotated[int, msgspec.Meta(ge=0, le=2**31)] | None = None
    width: Annotated[int, msgspec.Meta(ge=0, le=100_000)] | None = None
    height: Annotated[int, msgspec.Meta(ge=0, le=100_000)] | None = None
    performer: str | None = None
    title: str | None = None


class PressBody(msgspec.Struct, kw_only=True):
    token: str
    user: UserRef
    chat_id: ChatId
    message_id: MessageId
    callback_data: str
    ephemeral_message_id: MessageId | None = None
    timeout: Seconds = 5.0


class BlockBody(msgspec.Struct, kw_only=True):
    token: str
    user: UserRef
    blocked: bool = True


class ChatBody(msgspec.Struct, kw_only=True):
    token: str
    type: str = "group"
    title: str = "Group"
    members: list[UserRef] = msgspec.field(default_factory=list)
    username: str | None = None
    is_forum: bool = False


class TokenBody(msgspec.Struct, kw_only=True):
    token: str


class BotBody(msgspec.Struct, kw_only=True):
    token: str | None = None
    username: str | None = None
    can_read_all_group_messages: bool | None = None  # privacy mode off when true


class InlineQueryBody(msgspec.Struct, kw_only=True):
    token: str
    user: UserRef
    query: str = ""
    chat_id: ChatId | None = None
    offset: str = ""
    timeout: Seconds = 5.0


class InlineAnswerBody(msgspec.Struct, kw_only=True):
    token: str
    user: UserRef
    inline_query_id: str
    timeout: Seconds = 5.0


class ChooseBody(msgspec.Struct, kw_only=True):
    token: str
    user: UserRef
    inline_query_id: str
    result_id: str


class VoteBody(msgspec.Struct, kw_only=True):
    token: str
    user: UserRef
    chat_id: ChatId
    message_id: MessageId
    option_ids: list[Annotated[int, msgspec.Meta(ge=0, le=100)]] = msgspec.field(
        default_factory=list
    )


class PayBody(msgspec.Struct, kw_only=True):
    token: str
    user: UserRef
    chat_id: ChatId | None = None
    message_id: MessageId | None = None
    invoice_link: str | None = None
    tip_amount: Annotated[int, msgspec.Meta(ge=0, le=2**31)] = 0
    shipping_option_id: str | None = None
    order_info: dict[str, Any] | None = None
    timeout: Seconds = 5.0


class JoinBody(msgspec.Struct, kw_only=True):
    token: str
    user: UserRef
    chat_id: ChatId
    invite_link: str | None = None
    request: bool = False


class LeaveBody(msgspec.Struct, kw_only=True):
    token: str
    user: UserRef
    chat_id: ChatId


class MemberBody(msgspec.Struct, kw_only=True):
    token: str
    user: UserRef  # the owner or administrator acting
    chat_id: ChatId
    member_id: UserId
    status: str
    rights: dict[str, bool] | None = None
    until_date: Annotated[int, msgspec.Meta(ge=0, le=2**40)] = 0
    custom_title: str | None = None


class EditBody(msgspec.Struct, kw_only=True):
    token: str
    user: UserRef
    chat_id: ChatId
    message_id: MessageId
    text: str


class ReactBody(msgspec.Struct, kw_only=True):
    token: str
    user: UserRef
    chat_id: ChatId
    message_id: MessageId
    emoji: list[str] = msgspec.field(default_factory=list)


class ObjectBody(msgspec.Struct, kw_only=True):
    token: str
    user: UserRef
    kind: str
    fields: dict[str, Any] = msgspec.field(default_factory=dict)
    chat_id: ChatId | None = None
    message_thread_id: MessageId | None = None


class FaultsBody(msgspec.Struct, kw_only=True):
    spec: str | dict[str, Any] | None = None


def shaped(data: dict[str, Any], shape: type[T]) -> T:
    """``data`` as ``shape``, or a 400 saying which field is wrong and how."""
    try:
        return typed.convert(data, shape)
    except msgspec.ValidationError as exc:
        raise bad_request(f"{exc}".replace("$.", "")) from None
