"""The gates an update passes before any handler: a channel's copies, then the allow-list.

Telegram copies each post of a channel into the group linked to it for comments, as a message
sent as the channel with `is_automatic_forward` set. A bot in both chats gets every post twice;
the post is answered where it was posted, in the channel, and its copy nowhere.
The rate limit (bot/app/ratelimit) stands between the two gates.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, TypeHandler, filters

from bot.app.commands import may_use
from bot.app.context import NewsApp, NewsContext
from bot.app.language import reader_translator

COPY_GROUP = -4  # before the rate limit (-3): a copy spends no command and hears no notice
ACCESS_GROUP = -1  # after the rate limit and the buttons (-2) that check access themselves


def install_gates(application: NewsApp) -> None:
    """Register both gates."""
    application.add_handler(MessageHandler(filters.IS_AUTOMATIC_FORWARD, _drop), COPY_GROUP)
    application.add_handler(TypeHandler(Update, _access), group=ACCESS_GROUP)


async def _drop(update: Update, context: NewsContext) -> None:
    """Stop a channel post's copy (or its edit) in the discussion group."""
    raise ApplicationHandlerStop


async def _access(update: Update, context: NewsContext) -> None:
    """Stop updates from users and chats outside NEWSBRIEF_ALLOWED_USERS before any handler."""
    if may_use(context.bot_data.config, update):
        return
    chat = update.effective_chat
    _ = reader_translator(update, context.bot_data).gettext  # the chat's choice, else Telegram's
    if update.message and chat is not None and chat.type == chat.PRIVATE:
        await update.message.reply_text(_("This bot is private. Ask its owner for access."))
    elif update.callback_query:
        await update.callback_query.answer(_("This bot is private."))
    elif update.inline_query:
        await update.inline_query.answer([], cache_time=0, is_personal=True)
    raise ApplicationHandlerStop
