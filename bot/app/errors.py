"""The error handler: log with the traceback, apologise to the user, tell the admins briefly."""

from __future__ import annotations

import logging
import time
from typing import Any

from telegram import Update
from telegram.error import Conflict, Forbidden, InvalidToken, NetworkError, TelegramError

from bot.app.context import NewsContext
from bot.app.language import chat_translator, translator_for
from bot.i18n import Translator
from bot.logs import redact
from bot.render import escape, truncate

log = logging.getLogger(__name__)

ADMIN_NOTICE_LIMIT = 300
ADMIN_NOTICE_INTERVAL = 60.0  # seconds between error notices to admins


async def on_error(update: object, context: NewsContext) -> None:
    """Log the failure with its traceback, apologise to the user, tell the admins briefly."""
    error = context.error
    if isinstance(error, Forbidden):  # the chat blocked the bot: nothing to tell anyone
        log.info("forbidden: %s", error)
        await _blocked(update, context)
        return
    if isinstance(error, InvalidToken):  # revoked: no call can succeed, the runner stops
        log.error("update %s failed: Telegram rejected the bot token", _update_id(update))
        context.bot_data.token_rejected.set()
        return
    if isinstance(error, NetworkError) and not isinstance(update, Update):
        on_poll_error(error)
        return
    log.error("update %s failed", _update_id(update), exc_info=error)
    if isinstance(update, Update):
        await _apologise(update, chat_translator(update, context))
    await _notify_admins(context, error)


def on_poll_error(error: TelegramError) -> None:
    """Log a failed call in one line: PTB retries by itself, a traceback each time adds nothing."""
    if isinstance(error, Conflict):  # 409: another getUpdates, or a webhook, on this token
        log.warning("another process polls Telegram with this token, or set a webhook: %s", error)
    else:
        log.warning("Bot API unreachable for now: %s", error)


async def _notify_admins(context: NewsContext, error: BaseException | None) -> None:
    """Send the admins one short line about the error, at most once per interval."""
    data = context.bot_data
    now = time.monotonic()
    if now - data.last_admin_notice < ADMIN_NOTICE_INTERVAL:
        return  # an error storm must not become a message storm
    data.last_admin_notice = now
    line = redact(f"{type(error).__name__}: {error}")  # a chat is no vault
    text = escape(truncate(line, ADMIN_NOTICE_LIMIT))  # cut escaped, it could end in half an entity
    for admin in sorted(data.config.admins):
        try:
            title = translator_for(data, admin).gettext("newsbrief error")
            await context.bot.send_message(admin, f"⚠️ {title}\n<code>{text}</code>")
        except TelegramError as exc:
            log.info("could not notify admin %s: %s", admin, exc)


async def _blocked(update: object, context: NewsContext) -> None:
    """Mark the chat as blocked and run the chat-blocked hooks."""
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is None:
        return
    if context.chat_data is not None:
        context.chat_data.blocked = True
    for hook in context.bot_data.on_chat_blocked:
        await hook(context, chat.id)


async def _apologise(update: Update, tr: Translator) -> None:
    """Tell the user something went wrong, without details; never raise."""
    _ = tr.gettext
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(_("Sorry, that did not work. Try again."))
        elif update.effective_message is not None and update.message is not None:
            await update.effective_message.reply_text(_("Sorry, something went wrong. Try again."))
    except TelegramError as exc:
        log.info("could not apologise: %s", exc)


def _update_id(update: object) -> Any:
    """Return the update id for the log line (no message text, which may be private)."""
    return update.update_id if isinstance(update, Update) else type(update).__name__
