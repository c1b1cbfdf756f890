"""/language: the chat picks the language of the bot's texts with a button.

The choice is stored with the chat (beside its digest settings), so digests, inline results
and scheduled jobs follow it. In groups only admins choose, as for subscriptions.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from babel import Locale
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, CommandHandler

from bot.app.chat_rights import AdminsOnly, may_change
from bot.app.commands import CommandSpec, may_use
from bot.app.context import NewsApp, NewsContext
from bot.app.language import chat_translator
from bot.i18n import N_
from handlers.subscriptions import UPDATES, digests_of, service_of

log = logging.getLogger(__name__)

COMMANDS = [CommandSpec("language", N_("Choose the language of the bot's messages"))]
BUTTON_GROUP = -2  # before the access gate and the catch-all button handler; checks access itself
_DATA = re.compile(r"lang:([a-z]{2,3})")
ADMINS_ONLY = AdminsOnly(
    N_("Only this group's admins can change its language."),
    N_("Only this channel's admins can change its language."),
)


def register(application: NewsApp) -> None:
    """Add /language, its buttons, and where a chat's language is kept."""
    application.add_handler(CommandHandler("language", language, filters=UPDATES))
    application.add_handler(CallbackQueryHandler(on_button, pattern=r"^lang:"), BUTTON_GROUP)
    data = application.bot_data
    data.lang_lookup = _lookup(application)
    data.lang_saver = _saver(application)


def _lookup(application: NewsApp) -> Callable[[int], str | None]:
    """Return the lookup of the language stored with a chat."""

    def lookup(chat_id: int) -> str | None:
        service = digests_of(application.bot_data)
        return service.subs.chat(chat_id).lang if service else None

    return lookup


def _saver(application: NewsApp) -> Callable[[int, str], None]:
    """Return the setter of a chat's language (nothing is written by a read-only process).

    It changes the chat's language at once and queues the write on the users file's thread;
    a reply that promises it await `DigestService.subs.saved()` first.
    """

    def save(chat_id: int, lang: str) -> None:
        service = digests_of(application.bot_data)
        if service is not None and application.bot_data.services.writable:
            service.subs.set_lang(chat_id, lang)

    return save


def _name(code: str) -> str:
    """Return a language's name in itself ("русский")."""
    return Locale.parse(code).get_display_name(code) or code


def _keyboard(languages: tuple[str, ...]) -> InlineKeyboardMarkup:
    """Return one button per language, each named in its own language ("Русский")."""
    buttons = [
        InlineKeyboardButton(_name(code).capitalize(), callback_data=f"lang:{code}")
        for code in languages
    ]
    return InlineKeyboardMarkup([buttons[i : i + 3] for i in range(0, len(buttons), 3)])


async def language(update: Update, context: NewsContext) -> None:
    """Show the chat's language and the buttons to change it."""
    message = update.effective_message
    if message is None:
        return
    tr = chat_translator(update, context)
    current = _name(tr.lang)
    text = tr.gettext("The bot speaks {language} here. Choose:").format(language=current)
    await message.reply_text(text, reply_markup=_keyboard(context.bot_data.catalogs.languages))


async def on_button(update: Update, context: NewsContext) -> None:
    """Store the language pressed and answer in it."""
    query, chat = update.callback_query, update.effective_chat
    if query is None:
        return
    match = _DATA.fullmatch(query.data or "")
    data = context.bot_data
    allowed = may_use(data.config, update)
    if match is None or chat is None or not allowed or match[1] not in data.catalogs.languages:
        await query.answer(
            chat_translator(update, context).gettext("This button is not valid any more.")
        )
        raise ApplicationHandlerStop
    if not await may_change(update, context):
        refusal = ADMINS_ONLY.text(update, chat_translator(update, context))
        await query.answer(refusal, show_alert=True)
        raise ApplicationHandlerStop
    if data.lang_saver is not None:
        data.lang_saver(chat.id, match[1])
    service = service_of(context)
    if service is not None:
        await service.subs.saved()  # "From now on" means it is on disk
    tr = data.catalogs.get(match[1])
    done = tr.gettext("From now on the bot speaks {language} here.")
    try:
        await query.edit_message_text(done.format(language=_name(tr.lang)))
    except TelegramError as exc:  # "message is not modified"
        log.info("could not edit the /language message: %s", exc)
    await query.answer()
    raise ApplicationHandlerStop
