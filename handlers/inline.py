"""Inline mode: `@bot words` in any chat lists matching stories, paged by offset."""

from __future__ import annotations

import asyncio
import hashlib

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.ext import InlineQueryHandler

from bot.app.commands import CommandSpec
from bot.app.context import NewsApp, NewsContext
from bot.app.inline_results import InlineArticle, inline_page
from bot.app.language import chat_translator
from bot.i18n import DEFAULT

COMMANDS: list[CommandSpec] = []
CACHE_SECONDS = 30
MAX_RESULT_ID = 64


def register(application: NewsApp) -> None:
    """Add the inline query handler."""
    application.add_handler(InlineQueryHandler(on_inline_query))


def _result(item: InlineArticle) -> InlineQueryResultArticle:
    """Return one inline result: title, one-line description, the article card as message."""
    content = InputTextMessageContent(
        item.card_html,
        parse_mode="HTML",
        link_preview_options=LinkPreviewOptions(is_disabled=item.url is None, url=item.url),
    )
    return InlineQueryResultArticle(
        id=result_id(item.article_id),
        title=item.title,
        description=item.description,
        input_message_content=content,
        url=item.url,
    )


def result_id(article_id: str) -> str:
    """Return an inline result id (1-64 bytes) for an article id of any length."""
    if 0 < len(article_id.encode("utf-8")) <= MAX_RESULT_ID:
        return article_id
    return hashlib.blake2b(article_id.encode("utf-8"), digest_size=16).hexdigest()


async def on_inline_query(update: Update, context: NewsContext) -> None:
    """Answer an inline query with one page of articles and the next offset."""
    query = update.inline_query
    if query is None:
        return
    user = query.from_user
    zone = context.bot_data.zone_for(user.id if user else None)
    tr = chat_translator(update, context)
    data = context.bot_data  # the search and the cards are CPU work: off the event loop
    page = await asyncio.to_thread(
        inline_page, data.services, data.lines, query.query, query.offset, zone, tr
    )
    await query.answer(
        [_result(item) for item in page.items],
        cache_time=CACHE_SECONDS,
        # Cards show dates in the user's own zone and language; such answers must not be shared.
        is_personal=zone != context.bot_data.config.tz or tr.lang != DEFAULT,
        # None, not "": with Defaults set, PTB 22.8 sends "" as "[]", which clients page on.
        next_offset=page.next_offset or None,
        # Why nothing was searched, or what the typos were read as: a tap opens the chat.
        button=InlineQueryResultsButton(text=page.hint, start_parameter="help")
        if page.hint
        else None,
    )
