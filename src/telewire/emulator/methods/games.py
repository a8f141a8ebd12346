"""Games: sending one, and keeping each player's high score under its message.

Games are made with BotFather on Telegram; the emulator takes any short name (1-64
letters, digits and underscores) as a game the bot has. ``BOT_SCORE_NOT_MODIFIED``
answers a score that is not higher than the player's unless ``force``.
"""

from __future__ import annotations

import re

import msgspec

from telewire.api._generated import types as t
from telewire.emulator.engine import Call, method
from telewire.emulator.errors import bad_request
from telewire.emulator.methods.common import post
from telewire.emulator.world import ChatState, now

_SHORT_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")


@method("sendGame")
def send_game(call: Call) -> t.Message:
    chat = call.chat(sending=True)
    if chat.chat.type == "channel":
        raise bad_request("games can't be sent to channel chats")
    name = str(call.need("game_short_name"))
    if not _SHORT_NAME.match(name):
        raise bad_request("GAME_SHORT_NAME_INVALID")
    game = t.Game(title=name.replace("_", " ").title(), description=f"The game {name}", photo=[])
    return post(call, chat, game=game)


def _game_message(call: Call) -> tuple[ChatState, t.Message]:
    if call.get("inline_message_id"):
        raise bad_request("inline messages are not supported by the telewire emulator")
    chat = call.chat()
    message = call.message(chat, "message_id", "message with the game not found")
    if message.game is None:
        raise bad_request("message with the game not found")
    return chat, message


def _player(call: Call) -> t.User:
    user = call.world.users.get(int(call.need("user_id")))
    if user is None:
        raise bad_request("USER_ID_INVALID")
    return user


@method("setGameScore")
def set_game_score(call: Call) -> t.Message:
    chat, message = _game_message(call)
    user = _player(call)
    score = int(call.need("score")) if call.get("score") is not None else 0
    if score < 0:
        raise bad_request("score must be non-negative")
    scores = call.bot.records.game_scores.setdefault(f"{chat.chat.id}:{message.message_id}", {})
    call.bot.records.keep_recent(call.bot.records.game_scores)
    if user.id in scores and score <= scores[user.id] and not call.get("force"):
        raise bad_request("BOT_SCORE_NOT_MODIFIED")
    scores[user.id] = score
    if call.get("disable_edit_message"):
        return message
    edited = msgspec.structs.replace(message, edit_date=now())
    chat.messages[message.message_id] = edited
    call.emit("edit", {"chat_id": chat.chat.id, "message": edited})
    return edited


@method("getGameHighScores")
def get_game_high_scores(call: Call) -> list[t.GameHighScore]:
    chat, message = _game_message(call)
    user = _player(call)
    scores = call.bot.records.game_scores.get(f"{chat.chat.id}:{message.message_id}", {})
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    table = [
        t.GameHighScore(position=index + 1, user=call.world.users[uid], score=score)
        for index, (uid, score) in enumerate(ranked)
        if uid in call.world.users
    ]
    # Telegram answers the player's score and a few neighbours; the emulator, the top
    # ten and the player.
    return [row for row in table if row.position <= 10 or row.user.id == user.id]
