"""The buttons under /subscriptions: remove a subscription, offer times, set one."""

from __future__ import annotations

import logging
import re

from telegram import Chat, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler

from bot.app.chat_rights import may_change
from bot.app.commands import CommandSpec, may_use
from bot.app.context import NewsApp, NewsContext
from bot.app.language import chat_translator
from bot.app.subscription_list import listing, time_keyboard
from bot.digests.service import DigestService
from bot.i18n import Translator
from handlers.subscriptions import ADMINS_ONLY, service_of

log = logging.getLogger(__name__)

COMMANDS: list[CommandSpec] = []  # buttons only
BUTTON_GROUP = -2  # before the app's gate and the catch-all button handler (see register)
_DATA = re.compile(r"sub:(rm|tm|at):([0-9a-f]{8})(?::([0-9]{4}))?")


def register(application: NewsApp) -> None:
    """Add the subscription buttons' handler."""
    # Group -2 runs before the gate (group -1) and the catch-all button handler (group 0),
    # so this handler checks the allow-list itself and stops the update when it answered.
    application.add_handler(CallbackQueryHandler(on_button, pattern=r"^sub:"), BUTTON_GROUP)


async def on_button(update: Update, context: NewsContext) -> None:
    """Remove a subscription, offer times, or set one; answer every press."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None:
        return
    tr = chat_translator(update, context)
    match = _DATA.fullmatch(query.data or "")
    service = service_of(context)
    allowed = may_use(context.bot_data.config, update)
    if match is None or service is None or chat is None or not allowed:
        await query.answer(tr.gettext("This button is not valid any more."))
        raise ApplicationHandlerStop
    if not await may_change(update, context):
        await query.answer(ADMINS_ONLY.text(update, tr), show_alert=True)
        raise ApplicationHandlerStop
    await _press(update, service, chat, match, tr)
    raise ApplicationHandlerStop


async def _press(
    update: Update, service: DigestService, chat: Chat, match: re.Match[str], tr: Translator
) -> None:
    """Act on a press, refresh the message, then answer (so the answer means it is done)."""
    query = update.callback_query
    assert query is not None
    _ = tr.gettext
    action, sub_id, hhmm = match[1], match[2], match[3]
    sub = service.subscription(chat.id, sub_id)
    if sub is None:
        await query.answer(_("That subscription is gone."))
        return
    if action == "tm":
        await query.edit_message_reply_markup(time_keyboard(sub))
        await query.answer(_("When should {topic} come?").format(topic=sub.label(tr))[:200])
        return
    if action == "rm":
        await service.unsubscribe(chat.id, [sub_id])
        notice = _("Removed: {topic}").format(topic=sub.label(tr))
    else:
        assert hhmm is not None
        await service.set_time(chat.id, sub_id, (int(hhmm[:2]) % 24, int(hhmm[2:]) % 60))
        notice = _("{topic}: now at {time}").format(
            topic=sub.label(tr), time=f"{hhmm[:2]}:{hhmm[2:]}"
        )
    text, markup = listing(service, chat, tr)
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except TelegramError as exc:  # "message is not modified" and friends
        log.info("could not refresh /subscriptions: %s", exc)
    await query.answer(notice[:200])
