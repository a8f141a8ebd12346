"""Stickers, games, live locations, chat photos and removing reactions, with state."""

from __future__ import annotations

import pytest

from telewire import BadRequest, Bot, InputFile
from telewire.testing import EmulatorHandle, TestUser
from telewire.types import ChatPermissions, InputSticker, MaskPosition

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000002000000020008") + b"\0" * 30


def test_sticker_sets_are_created_filled_reordered_and_deleted(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    me = bot.get_me()
    name = f"cats_by_{me.username}"
    uploaded = bot.upload_sticker_file(
        user_id=alice.id, sticker=InputFile(PNG, filename="cat.png"), sticker_format="static"
    )

    def sticker(emoji: str) -> InputSticker:
        return InputSticker(sticker=uploaded.file_id, format="static", emoji_list=[emoji])

    with pytest.raises(BadRequest, match="invalid sticker set name"):
        bot.create_new_sticker_set(
            user_id=alice.id, name="cats", title="Cats", stickers=[sticker("🐱")]
        )
    assert bot.create_new_sticker_set(
        user_id=alice.id, name=name, title="Cats", stickers=[sticker("🐱"), sticker("😺")]
    )
    with pytest.raises(BadRequest, match="already occupied"):
        bot.create_new_sticker_set(
            user_id=alice.id, name=name, title="Cats", stickers=[sticker("🐱")]
        )
    assert bot.add_sticker_to_set(user_id=alice.id, name=name, sticker=sticker("😸"))
    found = bot.get_sticker_set(name=name)
    assert [s.emoji for s in found.stickers] == ["🐱", "😺", "😸"]
    last = found.stickers[-1].file_id
    assert bot.set_sticker_position_in_set(sticker=last, position=0)
    assert bot.set_sticker_emoji_list(sticker=last, emoji_list=["🙀", "😸"])
    assert bot.set_sticker_keywords(sticker=last, keywords=["scared"])
    assert bot.set_sticker_set_title(name=name, title="Cats!")
    with pytest.raises(BadRequest, match="STICKER_MASK_COORDS_NOT_SUPPORTED"):
        bot.set_sticker_mask_position(
            sticker=last, mask_position=MaskPosition(point="eyes", x_shift=0, y_shift=0, scale=1)
        )
    found = bot.get_sticker_set(name=name)
    assert found.title == "Cats!" and [s.emoji for s in found.stickers] == ["🙀", "🐱", "😺"]
    assert bot.delete_sticker_from_set(sticker=found.stickers[1].file_id)
    assert bot.replace_sticker_in_set(
        user_id=alice.id, name=name, old_sticker=found.stickers[2].file_id, sticker=sticker("😼")
    )
    assert [s.emoji for s in bot.get_sticker_set(name=name).stickers] == ["🙀", "😼"]
    assert bot.set_sticker_set_thumbnail(name=name, user_id=alice.id, format="static")
    sent = bot.send_sticker(chat_id=alice.id, sticker=found.stickers[0].file_id)
    assert sent.sticker
    assert bot.delete_sticker_set(name=name)
    with pytest.raises(BadRequest, match="STICKERSET_INVALID"):
        bot.get_sticker_set(name=name)
    assert bot.get_custom_emoji_stickers(custom_emoji_ids=["nope"]) == []


def test_games_keep_high_scores(bot: Bot, emulator: EmulatorHandle, alice: TestUser) -> None:
    game = bot.send_game(chat_id=alice.id, game_short_name="tetris")
    assert game.game and game.game.title == "Tetris"
    bob = emulator.user("Bob")
    emulator.send(bob, "/start")
    bot.set_game_score(user_id=alice.id, score=10, chat_id=alice.id, message_id=game.message_id)
    bot.set_game_score(user_id=bob.id, score=30, chat_id=alice.id, message_id=game.message_id)
    with pytest.raises(BadRequest, match="BOT_SCORE_NOT_MODIFIED"):
        bot.set_game_score(user_id=alice.id, score=5, chat_id=alice.id, message_id=game.message_id)
    bot.set_game_score(
        user_id=alice.id, score=5, force=True, chat_id=alice.id, message_id=game.message_id
    )
    table = bot.get_game_high_scores(user_id=alice.id, chat_id=alice.id, message_id=game.message_id)
    assert [(row.position, row.user.id, row.score) for row in table] == [
        (1, bob.id, 30),
        (2, alice.id, 5),
    ]


def test_live_locations_move_and_stop(bot: Bot, alice: TestUser) -> None:
    live = bot.send_location(chat_id=alice.id, latitude=1.0, longitude=2.0, live_period=600)
    assert live.location and live.location.live_period == 600
    moved = bot.edit_message_live_location(
        chat_id=alice.id, message_id=live.message_id, latitude=1.5, longitude=2.5, heading=90
    )
    assert moved.location and (moved.location.latitude, moved.location.heading) == (1.5, 90)  # type: ignore[union-attr]
    with pytest.raises(BadRequest, match="not modified"):
        bot.edit_message_live_location(
            chat_id=alice.id, message_id=live.message_id, latitude=1.5, longitude=2.5, heading=90
        )
    stopped = bot.stop_message_live_location(chat_id=alice.id, message_id=live.message_id)
    assert stopped.location and stopped.location.live_period is None  # type: ignore[union-attr]
    with pytest.raises(BadRequest, match="message can't be edited"):
        bot.edit_message_live_location(
            chat_id=alice.id, message_id=live.message_id, latitude=0, longitude=0
        )
    with pytest.raises(BadRequest, match="live_period must be"):
        bot.send_location(chat_id=alice.id, latitude=1.0, longitude=2.0, live_period=5)


def test_chat_photo_sticker_set_and_reaction_removal(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    bob = emulator.user("Bob")
    group = emulator.group("Photo club", [alice, bob], kind="supergroup")
    assert bot.set_chat_photo(chat_id=group.id, photo=InputFile(PNG, filename="logo.png"))
    info = bot.get_chat(chat_id=group.id)
    assert info.photo and info.photo.big_file_id
    assert any(m.new_chat_photo for m in emulator.messages(group.id))
    assert bot.delete_chat_photo(chat_id=group.id)
    with pytest.raises(BadRequest, match="CHAT_NOT_MODIFIED"):
        bot.delete_chat_photo(chat_id=group.id)
    with pytest.raises(BadRequest, match="STICKERSET_INVALID"):
        bot.set_chat_sticker_set(chat_id=group.id, sticker_set_name="nope")
    post = bot.send_message(chat_id=group.id, text="react!")
    emulator.react(bob, post, "👍")
    emulator.react(alice, post, "🔥")
    assert bot.delete_message_reaction(chat_id=group.id, message_id=post.message_id, user_id=bob.id)
    assert bot.delete_all_message_reactions(chat_id=group.id, user_id=alice.id)
    assert bot.set_chat_permissions(
        chat_id=group.id, permissions=ChatPermissions(can_send_messages=True)
    )


def test_at_least_120_methods_are_emulated() -> None:
    from telewire.api._generated.methods import METHODS
    from telewire.emulator.methods import registry

    assert len({k for k in registry() if k in METHODS}) >= 120


def test_profile_photos_emoji_statuses_boosts_and_paid_media(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    from telewire.types import InputPaidMediaPhoto, InputProfilePhotoStatic

    assert bot.get_user_profile_photos(user_id=emulator.bot_id).total_count == 0
    assert bot.set_my_profile_photo(
        photo=InputProfilePhotoStatic(photo=InputFile(PNG, filename="me.png"))  # type: ignore[arg-type]
    )
    photos = bot.get_user_profile_photos(user_id=emulator.bot_id)
    assert photos.total_count == 1 and photos.photos[0][-1].width == 512
    assert bot.remove_my_profile_photo()
    with pytest.raises(BadRequest, match="PHOTO_NOT_MODIFIED"):
        bot.remove_my_profile_photo()
    assert bot.set_user_emoji_status(
        user_id=alice.id, emoji_status_custom_emoji_id="5368324170671202286"
    )
    group = emulator.group("Boosted", [alice], kind="supergroup")
    assert bot.get_user_chat_boosts(chat_id=group.id, user_id=alice.id).boosts == []
    paid = bot.send_paid_media(
        chat_id=alice.id,
        star_count=25,
        media=[InputPaidMediaPhoto(media=InputFile(PNG, filename="secret.png"))],  # type: ignore[arg-type]
        caption="behind the curtain",
    )
    assert paid.paid_media and paid.paid_media.star_count == 25
    assert paid.caption == "behind the curtain"
    with pytest.raises(BadRequest, match="star_count must be 1-10000"):
        bot.send_paid_media(
            chat_id=alice.id,
            star_count=0,
            media=[InputPaidMediaPhoto(media=InputFile(PNG, filename="x.png"))],  # type: ignore[arg-type]
        )
    assert bot.send_message_draft(chat_id=alice.id, draft_id=7, text="thinking…")
    with pytest.raises(BadRequest, match="non-zero"):
        bot.send_message_draft(chat_id=alice.id, draft_id=0, text="x")
