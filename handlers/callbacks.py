"""The list buttons' handler: check the pressed data, then page, summarise or search.

Anything forged, stale or unknown gets a short notice through answerCallbackQuery.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.app.buttons import (
    FOLLOW,
    LISTED,
    STORY,
    SUGGEST,
    SUMMARY,
    TIMELINE,
    UNFOLLOW,
    Action,
    decode,
)
from bot.app.commands import CommandSpec
from bot.app.context import ChatData, NewsApp, NewsContext
from bot.app.language import chat_translator
from bot.app.listings import MAX_PAGES
from bot.i18n import N_
from handlers import articles, follow_buttons, stories

log = logging.getLogger(__name__)

COMMANDS: list[CommandSpec] = []  # buttons only
EXPIRED = N_("This list has expired. Send the command again.")
FORGED = N_("This button is not valid any more.")


def register(application: NewsApp) -> None:
    """Add the handler of every inline button."""
    application.add_handler(CallbackQueryHandler(on_button))


async def on_button(update: Update, context: NewsContext) -> None:
    """Dispatch a button press after checking its data."""
    query = update.callback_query
    if query is None:
        return
    action = decode(query.data)
    chat_data = context.chat_data
    if action is None or query.message is None or chat_data is None:
        await query.answer(chat_translator(update, context).gettext(FORGED))
        return
    if action.kind == STORY:  # story ids are stable: these buttons never expire
        await stories.on_story_button(update, context, action.story)
        return
    if action.kind == TIMELINE:
        await stories.on_timeline_button(update, context, action.story)
        return
    if action.kind == FOLLOW:
        await follow_buttons.on_follow_button(update, context, action.story)
        return
    if action.kind in (UNFOLLOW, LISTED):
        await follow_buttons.on_unfollow_button(
            update, context, action.story, redraw=action.kind == LISTED
        )
        return
    listing = chat_data.listings.get(action.listing)
    if listing is None or listing.message_id not in (None, query.message.message_id):
        await query.answer(chat_translator(update, context).gettext(EXPIRED))
        return
    if action.kind == SUMMARY:
        article_id = listing.shown.get(action.number)
        if article_id is None:
            await query.answer(chat_translator(update, context).gettext(FORGED))
            return
        await articles.send_article_summary(update, context, article_id)
        return
    if action.kind == SUGGEST:
        await articles.search_suggestion(update, context, listing)
        return
    await _turn_page(update, context, chat_data, action)


async def _turn_page(
    update: Update, context: NewsContext, chat_data: ChatData, action: Action
) -> None:
    """Edit the list message to show another page."""
    query = update.callback_query
    assert query is not None
    listing = chat_data.listings[action.listing]
    if action.page == listing.page:
        await query.answer()  # a double tap: this page is already shown
        return
    if action.page >= MAX_PAGES or action.page * listing.page_size >= max(listing.total, 1):
        await query.answer(chat_translator(update, context).gettext(FORGED))
        return
    try:
        await articles.edit_to_page(update, context, action.listing, action.page)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            # e.g. a message too old to edit: the list is effectively gone
            log.info("could not turn the page: %s", exc)
            await query.answer(chat_translator(update, context).gettext(EXPIRED))
            return
    await query.answer()
