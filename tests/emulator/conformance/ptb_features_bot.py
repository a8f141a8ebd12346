"""An ordinary python-telegram-bot 22 bot using payments, inline mode, polls, members,
reactions and edits; only its server address points at the emulator."""

import os

from telegram import (
    InlineQueryResultArticle,
    InputTextMessageContent,
    LabeledPrice,
    Update,
)
from telegram.ext import (
    Application,
    ChatMemberHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    MessageReactionHandler,
    PollAnswerHandler,
    PreCheckoutQueryHandler,
    filters,
)

URL, TOKEN = os.environ["TELEGRAM_API_URL"], os.environ["TELEGRAM_BOT_TOKEN"]
PROVIDER = "284685063:TEST:ptb"


async def stars(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_invoice(
        "Stars pack", "Ten stars", "stars", "XTR", [LabeledPrice("Pack", 10)]
    )


async def buy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_invoice(
        "Book", "A good one", "book", "USD", [LabeledPrice("Book", 500)], provider_token=PROVIDER
    )


async def checkout(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.pre_checkout_query.answer(ok=True)


async def paid(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    payment = update.message.successful_payment
    await update.message.reply_text(f"thanks {payment.total_amount} {payment.currency}")


async def inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query.query
    content = InputTextMessageContent(f"echo: {query}")
    await update.inline_query.answer([InlineQueryResultArticle("1", f"Echo {query}", content)])


async def chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    result = update.chosen_inline_result
    await context.bot.send_message(result.from_user.id, f"you chose {result.result_id}")


async def quiz(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_poll(
        "2+2?", ["4", "5"], type="quiz", correct_option_ids=[0], is_anonymous=False
    )


async def poll(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_poll(
        "Lunch?", ["Pizza", "Salad"], is_anonymous=False, allows_multiple_answers=True
    )


async def answered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    answer = update.poll_answer
    await context.bot.send_message(answer.user.id, f"voted {list(answer.option_ids)}")


async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.edited_message.reply_text(f"edited: {update.edited_message.text}")


async def reacted(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    reaction = update.message_reaction
    emoji = " ".join(r.emoji for r in reaction.new_reaction)
    await context.bot.send_message(reaction.chat.id, f"reaction {emoji}")


async def member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change = update.chat_member
    user = change.new_chat_member.user
    if change.new_chat_member.status == "member" and change.old_chat_member.status == "left":
        await context.bot.send_message(change.chat.id, f"welcome {user.first_name}")
    elif change.new_chat_member.status == "left":
        await context.bot.send_message(change.chat.id, f"bye {user.first_name}")


app = (
    Application.builder()
    .token(TOKEN)
    .base_url(f"{URL}/bot")
    .base_file_url(f"{URL}/file/bot")
    .build()
)
app.add_handler(CommandHandler("stars", stars))
app.add_handler(CommandHandler("buy", buy))
app.add_handler(CommandHandler("quiz", quiz))
app.add_handler(CommandHandler("poll", poll))
app.add_handler(PreCheckoutQueryHandler(checkout))
app.add_handler(MessageHandler(filters.SUCCESSFUL_PAYMENT, paid))
app.add_handler(InlineQueryHandler(inline))
app.add_handler(ChosenInlineResultHandler(chosen))
app.add_handler(PollAnswerHandler(answered))
app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, edited))
app.add_handler(MessageReactionHandler(reacted))
app.add_handler(ChatMemberHandler(member, ChatMemberHandler.CHAT_MEMBER))
app.run_polling(poll_interval=0.05, timeout=1, allowed_updates=Update.ALL_TYPES)
