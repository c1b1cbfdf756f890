"""The language a chat reads: the one stored with the chat, else its user's Telegram language.

Private chats follow the user's Telegram `language_code` until `/language` picks one; the
language is stored when the chat subscribes or follows a story, so that scheduled digests and
story updates (no user in sight) are written in it. A group reads the language of whoever first used the bot there, stored at once,
until `/language` changes it. Codes without a catalog fall back to English.
Storing it only queues the write (off the loop, see bot/archive/userdb.py): the command's
own change, awaited before its reply, lands after it.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from bot.app.context import BotData, NewsContext
from bot.i18n import Translator


def stored_language(data: BotData, chat_id: int) -> str | None:
    """Return the language stored with a chat, if any."""
    return data.lang_lookup(chat_id) if data.lang_lookup is not None else None


def reader_translator(update: Update, data: BotData) -> Translator:
    """Return the Translator of the update's chat, storing nothing (gates and notices use it)."""
    chat, user = update.effective_chat, update.effective_user
    # An inline query has no chat: its user's private chat (same id) holds their choice.
    where = chat.id if chat is not None else user.id if user is not None else None
    stored = stored_language(data, where) if where is not None else None
    if stored:
        return data.catalogs.get(stored)
    return data.catalogs.get(user.language_code if user is not None else None)


def chat_translator(update: Update, context: NewsContext, *, remember: bool = False) -> Translator:
    """Return the Translator of the update's chat; store the language when asked or in groups."""
    data = context.bot_data
    chat = update.effective_chat
    translator = reader_translator(update, data)
    if chat is None or data.lang_saver is None or stored_language(data, chat.id):
        return translator
    if remember or chat.type != ChatType.PRIVATE:
        data.lang_saver(chat.id, translator.lang)
    return translator


def translator_for(data: BotData, chat_id: int) -> Translator:
    """Return the Translator of a chat with no update at hand (scheduled digests)."""
    return data.catalogs.get(stored_language(data, chat_id))
