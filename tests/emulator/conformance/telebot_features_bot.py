"""An ordinary pyTelegramBotAPI bot using payments, inline mode, polls, members, reactions
and edits; only its server address points at the emulator."""

import os

import telebot
from telebot import apihelper, types

URL, TOKEN = os.environ["TELEGRAM_API_URL"], os.environ["TELEGRAM_BOT_TOKEN"]
PROVIDER = "284685063:TEST:telebot"
apihelper.API_URL = URL + "/bot{0}/{1}"
apihelper.FILE_URL = URL + "/file/bot{0}/{1}"
bot = telebot.TeleBot(TOKEN)


@bot.message_handler(commands=["stars"])
def stars(message: types.Message) -> None:
    bot.send_invoice(
        message.chat.id,
        "Stars pack",
        "Ten stars",
        "stars",
        None,
        "XTR",
        [types.LabeledPrice("Pack", 10)],
    )


@bot.message_handler(commands=["buy"])
def buy(message: types.Message) -> None:
    bot.send_invoice(
        message.chat.id,
        "Book",
        "A good one",
        "book",
        PROVIDER,
        "USD",
        [types.LabeledPrice("Book", 500)],
    )


@bot.pre_checkout_query_handler(func=lambda query: True)
def checkout(query: types.PreCheckoutQuery) -> None:
    bot.answer_pre_checkout_query(query.id, ok=True)


@bot.message_handler(content_types=["successful_payment"])
def paid(message: types.Message) -> None:
    payment = message.successful_payment
    bot.send_message(message.chat.id, f"thanks {payment.total_amount} {payment.currency}")


@bot.inline_handler(func=lambda query: True)
def inline(query: types.InlineQuery) -> None:
    content = types.InputTextMessageContent(f"echo: {query.query}")
    bot.answer_inline_query(
        query.id, [types.InlineQueryResultArticle("1", f"Echo {query.query}", content)]
    )


@bot.chosen_inline_handler(func=lambda result: True)
def chosen(result: types.ChosenInlineResult) -> None:
    bot.send_message(result.from_user.id, f"you chose {result.result_id}")


@bot.message_handler(commands=["quiz"])
def quiz(message: types.Message) -> None:
    bot.send_poll(
        message.chat.id,
        "2+2?",
        [types.InputPollOption("4"), types.InputPollOption("5")],
        type="quiz",
        correct_option_ids=[0],
        is_anonymous=False,
    )


@bot.message_handler(commands=["poll"])
def poll(message: types.Message) -> None:
    bot.send_poll(
        message.chat.id,
        "Lunch?",
        [types.InputPollOption("Pizza"), types.InputPollOption("Salad")],
        is_anonymous=False,
        allows_multiple_answers=True,
    )


@bot.poll_answer_handler(func=lambda answer: True)
def answered(answer: types.PollAnswer) -> None:
    bot.send_message(answer.user.id, f"voted {list(answer.option_ids)}")


@bot.edited_message_handler(func=lambda message: True)
def edited(message: types.Message) -> None:
    bot.reply_to(message, f"edited: {message.text}")


@bot.message_reaction_handler(func=lambda reaction: True)
def reacted(reaction: types.MessageReactionUpdated) -> None:
    emoji = " ".join(r.emoji for r in reaction.new_reaction)
    bot.send_message(reaction.chat.id, f"reaction {emoji}")


@bot.chat_member_handler(func=lambda change: True)
def member(change: types.ChatMemberUpdated) -> None:
    user = change.new_chat_member.user
    if change.new_chat_member.status == "member" and change.old_chat_member.status == "left":
        bot.send_message(change.chat.id, f"welcome {user.first_name}")
    elif change.new_chat_member.status == "left":
        bot.send_message(change.chat.id, f"bye {user.first_name}")


bot.infinity_polling(
    timeout=1,
    long_polling_timeout=1,
    allowed_updates=[
        "message",
        "edited_message",
        "inline_query",
        "chosen_inline_result",
        "pre_checkout_query",
        "poll_answer",
        "message_reaction",
        "chat_member",
    ],
)
