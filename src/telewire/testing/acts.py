"""What a test's users do beyond writing and pressing: edits, reactions, places, members...

Mixed into :class:`~telewire.testing.handle.EmulatorHandle`; every call is one request to
the emulator's control API (``POST /emulator/...``), so a refused act fails the test with
the emulator's own explanation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telewire.api._generated import types as t
from telewire.testing.asking import AskingActs

if TYPE_CHECKING:
    from telewire.testing.handle import TestUser


class UserActs(AskingActs):
    """Acts of users that make the bot receive inline queries, votes, payments, members."""

    token: str

    if TYPE_CHECKING:

        def _request(self, verb: str, path: str, body: Any = None, decode: Any = Any) -> Any: ...

        def _upload(
            self,
            user: TestUser,
            kind: str,
            data: bytes,
            filename: str,
            caption: str | None,
            chat_id: int | None,
            **meta: Any,
        ) -> t.Message: ...

    def _act(self, path: str, user: TestUser, decode: Any = Any, **fields: Any) -> Any:
        body = {"token": self.token, "user": user.as_json()}
        body.update({k: v for k, v in fields.items() if v is not None})
        return self._request("POST", path, body, decode)

    # -- members -----------------------------------------------------------------------

    def join(
        self,
        user: TestUser,
        chat_id: int,
        *,
        invite_link: str | None = None,
        request: bool = False,
    ) -> str:
        """``user`` joins a group; "requested" where the link (or ``request``) asks first."""
        reply = self._act(
            "/emulator/join", user, chat_id=chat_id, invite_link=invite_link, request=request
        )
        return str(reply["status"])

    def leave(self, user: TestUser, chat_id: int) -> None:
        self._act("/emulator/leave", user, chat_id=chat_id)

    def set_member(
        self,
        admin: TestUser,
        chat_id: int,
        member: TestUser | int,
        status: str,
        *,
        rights: dict[str, bool] | None = None,
        until_date: int = 0,
        custom_title: str | None = None,
    ) -> t.ChatMember:
        """``admin`` makes ``member`` (a user, or the bot's id) ``status`` in the chat.

        status: member, administrator (``rights``: all unless given), restricted
        (``rights`` are the permissions left, none unless given), kicked, left.
        """
        member_id = member if isinstance(member, int) else member.id
        return self._act(  # type: ignore[no-any-return]
            "/emulator/member",
            admin,
            t.ChatMember,
            chat_id=chat_id,
            member_id=member_id,
            status=status,
            rights=rights,
            until_date=until_date,
            custom_title=custom_title,
        )

    @property
    def bot_id(self) -> int:
        return int(self.token.split(":", 1)[0])

    # -- messages beyond text ----------------------------------------------------------

    def edit(self, user: TestUser, message: t.Message, text: str) -> t.Message:
        """``user`` edits their message's text (or caption): the bot gets edited_message."""
        return self._act(  # type: ignore[no-any-return]
            "/emulator/edit",
            user,
            t.Message,
            chat_id=message.chat.id,
            message_id=message.message_id,
            text=text,
        )

    def react(self, user: TestUser, message: t.Message, *emoji: str) -> list[t.ReactionType]:
        """``user`` reacts to ``message`` with ``emoji`` (none takes the reactions back)."""
        reply = self._act(
            "/emulator/react",
            user,
            dict[str, list[t.ReactionType]],
            chat_id=message.chat.id,
            message_id=message.message_id,
            emoji=list(emoji),
        )
        return reply["reaction"]  # type: ignore[no-any-return]

    def _object(
        self,
        user: TestUser,
        kind: str,
        fields: dict[str, Any],
        chat_id: int | None,
        message_thread_id: int | None = None,
    ) -> t.Message:
        return self._act(  # type: ignore[no-any-return]
            "/emulator/send_object",
            user,
            t.Message,
            kind=kind,
            fields={k: v for k, v in fields.items() if v is not None},
            chat_id=chat_id,
            message_thread_id=message_thread_id,
        )

    def send_location(
        self,
        user: TestUser,
        latitude: float,
        longitude: float,
        *,
        chat_id: int | None = None,
        live_period: int | None = None,
    ) -> t.Message:
        fields = {"latitude": latitude, "longitude": longitude, "live_period": live_period}
        return self._object(user, "location", fields, chat_id)

    def send_venue(
        self,
        user: TestUser,
        latitude: float,
        longitude: float,
        title: str,
        address: str,
        *,
        chat_id: int | None = None,
    ) -> t.Message:
        fields = {
            "location": {"latitude": latitude, "longitude": longitude},
            "title": title,
            "address": address,
        }
        return self._object(user, "venue", fields, chat_id)

    def send_contact(
        self,
        user: TestUser,
        phone_number: str,
        first_name: str,
        *,
        last_name: str | None = None,
        user_id: int | None = None,
        chat_id: int | None = None,
    ) -> t.Message:
        fields = {
            "phone_number": phone_number,
            "first_name": first_name,
            "last_name": last_name,
            "user_id": user_id,
        }
        return self._object(user, "contact", fields, chat_id)

    def send_dice(
        self,
        user: TestUser,
        emoji: str = "🎲",
        *,
        value: int | None = None,
        chat_id: int | None = None,
    ) -> t.Message:
        """``user`` throws a dice (``value`` fixes the outcome, else it is random)."""
        return self._object(user, "dice", {"emoji": emoji, "value": value}, chat_id)

    def send_web_app_data(self, user: TestUser, data: str, button_text: str) -> t.Message:
        """A Web App opened from the reply keyboard button ``button_text`` sends ``data``."""
        return self._object(user, "web_app_data", {"data": data, "button_text": button_text}, None)

    def send_voice(
        self,
        user: TestUser,
        data: bytes,
        *,
        duration: int | None = None,
        filename: str = "voice.ogg",
        chat_id: int | None = None,
    ) -> t.Message:
        return self._upload(user, "voice", data, filename, None, chat_id, duration=duration)

    def send_video(
        self,
        user: TestUser,
        data: bytes,
        *,
        duration: int | None = None,
        width: int | None = None,
        height: int | None = None,
        filename: str = "video.mp4",
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> t.Message:
        return self._upload(
            user,
            "video",
            data,
            filename,
            caption,
            chat_id,
            duration=duration,
            width=width,
            height=height,
        )

    def send_audio(
        self,
        user: TestUser,
        data: bytes,
        *,
        duration: int | None = None,
        performer: str | None = None,
        title: str | None = None,
        filename: str = "song.mp3",
        chat_id: int | None = None,
    ) -> t.Message:
        return self._upload(
            user,
            "audio",
            data,
            filename,
            None,
            chat_id,
            duration=duration,
            performer=performer,
            title=title,
        )

    # -- the bot's settings --------------------------------------------------------------

    def set_privacy(self, enabled: bool) -> None:
        """Turn the bot's group privacy mode on (the default) or off, as BotFather does."""
        self._request(
            "POST",
            "/emulator/bots",
            {"token": self.token, "can_read_all_group_messages": not enabled},
        )
