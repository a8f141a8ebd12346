"""The bot itself: identity, commands, names, descriptions, menu buttons, sessions."""

from __future__ import annotations

from typing import Any

import msgspec

from telewire.api._generated import types as t
from telewire.core import typed
from telewire.emulator.engine import Call, method
from telewire.emulator.errors import bad_request


@method("getMe")
def get_me(call: Call) -> t.User:
    return call.bot.me


@method("logOut", "close")
def log_out(call: Call) -> bool:
    return True


def _scope_key(call: Call) -> str:
    scope = call.get("scope") or {"type": "default"}
    return f"{msgspec.json.encode(scope).decode()}|{call.get('language_code', '')}"


@method("setMyCommands")
def set_my_commands(call: Call) -> bool:
    commands = typed.convert(call.need("commands"), list[t.BotCommand])
    if len(commands) > 100:
        raise bad_request("too many commands")
    for command in commands:
        if not (
            1 <= len(command.command) <= 32
            and command.command.replace("_", "").isalnum()
            and command.command.islower()
        ):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(command.description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    call.bot.commands[_scope_key(call)] = commands
    return True


@method("getMyCommands")
def get_my_commands(call: Call) -> list[t.BotCommand]:
    return call.bot.commands.get(_scope_key(call), [])


@method("deleteMyCommands")
def delete_my_commands(call: Call) -> bool:
    call.bot.commands.pop(_scope_key(call), None)
    return True


def _text_setting(call: Call, name: str, limit: int) -> bool:
    value = str(call.get(name, ""))
    if len(value) > limit:
        raise bad_request(f"{name} is too long")
    key = f"{name}|{call.get('language_code', '')}"
    if value:
        call.bot.texts[key] = value
    else:
        call.bot.texts.pop(key, None)
    return True


def _text_value(call: Call, name: str) -> str:
    language = call.get("language_code", "")
    texts = call.bot.texts
    return texts.get(f"{name}|{language}", texts.get(f"{name}|", ""))


@method("setMyName")
def set_my_name(call: Call) -> bool:
    _text_setting(call, "name", 64)
    if not call.get("language_code"):
        call.bot.first_name = call.bot.texts.get("name|", "Telewire Test Bot")
    return True


@method("getMyName")
def get_my_name(call: Call) -> t.BotName:
    return t.BotName(name=_text_value(call, "name") or call.bot.first_name)


@method("setMyDescription")
def set_my_description(call: Call) -> bool:
    return _text_setting(call, "description", 512)


@method("getMyDescription")
def get_my_description(call: Call) -> t.BotDescription:
    return t.BotDescription(description=_text_value(call, "description"))


@method("setMyShortDescription")
def set_my_short_description(call: Call) -> bool:
    return _text_setting(call, "short_description", 120)


@method("getMyShortDescription")
def get_my_short_description(call: Call) -> t.BotShortDescription:
    return t.BotShortDescription(short_description=_text_value(call, "short_description"))


@method("setChatMenuButton")
def set_chat_menu_button(call: Call) -> bool:
    raw: Any = call.get("menu_button") or {"type": "default"}
    button = typed.convert(raw, t.MenuButton)
    if call.get("chat_id") is None:
        call.bot.default_menu_button = button
    else:
        call.chat().menu_button = button
    return True


@method("getChatMenuButton")
def get_chat_menu_button(call: Call) -> t.MenuButton:
    if call.get("chat_id") is not None:
        button = call.chat().menu_button
        if button is not None:
            return button
    return call.bot.default_menu_button or t.MenuButtonCommands()


@method("setMyDefaultAdministratorRights")
def set_my_default_administrator_rights(call: Call) -> bool:
    key = "channels" if call.get("for_channels") else "groups"
    rights = call.get("rights")
    if rights:
        call.bot.admin_rights[key] = typed.convert(rights, t.ChatAdministratorRights)
    else:
        call.bot.admin_rights.pop(key, None)
    return True


@method("getMyDefaultAdministratorRights")
def get_my_default_administrator_rights(call: Call) -> t.ChatAdministratorRights:
    key = "channels" if call.get("for_channels") else "groups"
    return call.bot.admin_rights.get(key) or t.ChatAdministratorRights(
        is_anonymous=False,
        can_manage_chat=False,
        can_delete_messages=False,
        can_manage_video_chats=False,
        can_restrict_members=False,
        can_promote_members=False,
        can_change_info=False,
        can_invite_users=False,
        can_post_stories=False,
        can_edit_stories=False,
        can_delete_stories=False,
        can_send_welcome_messages=False,
    )
