"""The 🔔 and 🔕 buttons under lists, digests, updates and /following (commands: follows)."""

from __future__ import annotations

import asyncio
import logging

from telegram import Message, Update
from telegram.error import BadRequest

from bot.app.chat_rights import may_change
from bot.app.context import NewsContext
from bot.app.follow_answers import GONE
from bot.app.language import chat_translator
from bot.i18n import Translator
from bot.render.cards import one_stop
from handlers.articles import zone_of
from handlers.follows import ADMINS_ONLY, NOT_FOLLOWED, follow_story, following_parts

log = logging.getLogger(__name__)


async def on_follow_button(update: Update, context: NewsContext, story_id: str) -> None:
    """Answer a 🔔 button: follow the story (its updates speak the chat's language, stored)."""
    query = update.callback_query
    assert query is not None
    tr = chat_translator(update, context, remember=True)
    if not isinstance(query.message, Message):
        await query.answer()
        return
    # What a tap cannot do is the tapper's notice: a message would tell the whole group.
    if not await may_change(update, context):
        await query.answer(ADMINS_ONLY.text(update, tr))
        return
    if await asyncio.to_thread(context.bot_data.services.stories.story, story_id) is None:
        await query.answer(tr.gettext(GONE))
        return
    await query.answer()
    await follow_story(update, context, query.message, story_id, tr)


async def on_unfollow_button(
    update: Update, context: NewsContext, story_id: str, *, redraw: bool = False
) -> None:
    """Answer a 🔕 button: stop following the story, and say so in the button's notice.

    `redraw`: the button is /following's, whose list is redrawn, so that its numbers stay the
    ones /unfollow N reads.
    """
    query = update.callback_query
    assert query is not None
    tr = chat_translator(update, context)
    if not await may_change(update, context) or not isinstance(query.message, Message):
        await query.answer(ADMINS_ONLY.text(update, tr))
        return
    services = context.bot_data.services
    gone = await services.follows.unfollow(query.message.chat_id, [story_id])
    text = tr.gettext("🔕 No longer following: {headline}.") if gone else tr.gettext(NOT_FOLLOWED)
    await query.answer(one_stop(text.format(headline=gone[0].headline if gone else ""))[:200])
    if redraw:
        await _redraw_following(update, context, query.message, tr)


async def _redraw_following(
    update: Update, context: NewsContext, message: Message, tr: Translator
) -> None:
    """Edit every part of a /following list (the chat's last one) to the follows now."""
    parts, markup = await following_parts(context, message.chat_id, zone_of(update, context), tr)
    known = context.chat_data.following_ids if context.chat_data is not None else []
    shown = known if known and known[-1] == message.message_id else [message.message_id]
    if len(parts) > len(shown):  # an older list of several parts: the ids above are unknown
        return
    for message_id in shown[len(parts) :]:  # shorter by a part or more: first, so an edit ends it
        try:
            await context.bot.delete_message(message.chat_id, message_id)
        except BadRequest as exc:  # too old to delete: it stays as it was
            log.info("could not delete a /following part: %s", exc)
    for n, (message_id, part) in enumerate(zip(shown, parts, strict=False), start=1):
        last = markup if n == len(parts) else None
        try:
            await context.bot.edit_message_text(
                part, chat_id=message.chat_id, message_id=message_id, reply_markup=last
            )
        except BadRequest as exc:  # unchanged (a second tap), or too old to edit
            log.info("could not redraw /following: %s", exc)
    if shown is known and context.chat_data is not None:
        context.chat_data.following_ids = shown[: len(parts)]
