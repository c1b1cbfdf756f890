"""/latest, /search, /summary and plain-text search: parse, call services, render, reply."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from telegram import Message, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.app import model_briefs
from bot.app.article_links import as_link
from bot.app.briefs import Briefer
from bot.app.buttons import keyboard
from bot.app.commands import TYPED_COMMAND, CommandSpec
from bot.app.context import ChatData, Listing, NewsApp, NewsContext
from bot.app.language import chat_translator
from bot.app.listings import (
    MAX_LATEST,
    PAGE_SIZE,
    Lister,
    Page,
    clean_query,
    parse_latest_args,
    record_page,
)
from bot.app.pasted_text import is_pasted_text, pasted_answer
from bot.app.summary_answers import (
    SummaryAnswer,
    summary_for_article,
    summary_for_ref,
    topic_brief_answer,
)
from bot.i18n import N_, Translator

COMMANDS = [
    CommandSpec(
        "latest",
        N_("The newest articles, optionally only about some words"),
        args=N_("[N] [words]"),
    ),
    CommandSpec("search", N_("Find articles; matched words in bold"), args=N_("words")),
    CommandSpec(
        "summary",
        N_("Summary of item N of the last list, an article or a topic"),
        args=N_("N|id|URL|words"),
    ),
]
LATEST_COUNT = N_("The number of articles must be from 1 to {most}, e.g. <code>/latest 10</code>.")
SEARCH_USAGE = N_("Send /search and some words, e.g. <code>/search climate policy</code>.")
SUMMARY_USAGE = N_(
    "Send /summary and the number of an item from the last list (e.g. <code>/summary 1</code>), "
    "an article link, or some words."
)
MESSAGES = filters.UpdateType.MESSAGE  # edited messages are ignored on purpose
POSTS = MESSAGES | filters.UpdateType.CHANNEL_POST  # a channel's admins post as the channel


def register(application: NewsApp) -> None:
    """Add the article commands and plain-text search in private chats."""
    application.add_handler(CommandHandler("latest", latest, filters=POSTS))
    application.add_handler(CommandHandler("search", search, filters=POSTS))
    application.add_handler(CommandHandler("summary", summary, filters=POSTS))
    text = filters.TEXT & ~filters.COMMAND & ~TYPED_COMMAND & filters.ChatType.PRIVATE & MESSAGES
    application.add_handler(MessageHandler(text & ~filters.VIA_BOT, plain_text))


async def render_page(
    context: NewsContext, listing: Listing, page_no: int, zone: ZoneInfo, tr: Translator
) -> Page:
    """Render a page of any listing off the event loop (search, ranking and summaries are CPU).

    The thread only reads the listing; the loop, which owns it (persistence encodes it
    meanwhile), records what the page showed once it is back.
    """
    data = context.bot_data
    builder: Briefer | Lister
    if listing.kind == "brief":
        builder = Briefer(data.services, data.lines, data.rankings)
    else:
        builder = Lister(data.services, data.lines)
    page = await asyncio.to_thread(builder.page, listing, page_no, zone, tr)
    briefs = await model_briefs.brief_htmls(data, page.stories, tr.lang)
    if briefs and isinstance(builder, Briefer):  # the model's briefs, in place of extractive
        page = await asyncio.to_thread(builder.page, listing, page_no, zone, tr, None, briefs)
    record_page(listing, page)
    return page


def zone_of(update: Update, context: NewsContext) -> ZoneInfo:
    """Return the time zone to show dates in for this chat."""
    chat = update.effective_chat
    return context.bot_data.zone_for(chat.id if chat else None)


async def latest(update: Update, context: NewsContext) -> None:
    """Show the newest articles, optionally filtered by words."""
    parsed = parse_latest_args(context.args or [])
    message = update.effective_message
    if parsed is None:
        if message is not None:
            text = chat_translator(update, context).gettext(LATEST_COUNT)
            await message.reply_text(text.format(most=MAX_LATEST))
        return
    count, words = parsed
    await show_listing(update, context, Listing("latest", words, count))


async def search(update: Update, context: NewsContext) -> None:
    """Show ranked search results for the words."""
    words = clean_query(" ".join(context.args or []))
    message = update.effective_message
    if not words:
        if message is not None:
            await message.reply_text(chat_translator(update, context).gettext(SEARCH_USAGE))
        return
    await show_listing(update, context, Listing("search", words, PAGE_SIZE))


async def plain_text(update: Update, context: NewsContext) -> None:
    """Treat text in a private chat as a search; a link alone as `/summary LINK`."""
    message = update.effective_message
    text = message.text if message and message.text else ""
    words = clean_query(text)
    if as_link(text) is not None:  # a link is no words an article holds
        await _summarise(update, context, _summary_ref(text))
    elif words:
        await show_listing(update, context, Listing("search", words, PAGE_SIZE))


async def show_listing(update: Update, context: NewsContext, listing: Listing) -> None:
    """Render page 0 of a new listing and send it with its buttons."""
    message = update.effective_message
    chat_data = context.chat_data
    if message is None or chat_data is None:
        return
    key = chat_data.add_listing(listing)
    tr = chat_translator(update, context)
    page = await render_page(context, listing, 0, zone_of(update, context), tr)
    _remember(chat_data, page)
    markup = keyboard(page, key, summaries=True, tr=tr)
    sent = await message.reply_text(page.html, reply_markup=markup)
    listing.message_id = sent.message_id


def _remember(chat_data: ChatData, page: Page) -> None:
    """Make the shown items the ones /summary N refers to."""
    if not page.empty:
        chat_data.remember_items(page.article_ids, page.first_number)


async def edit_to_page(update: Update, context: NewsContext, key: int, page_no: int) -> None:
    """Edit a list message in place to show another page of its listing."""
    query = update.callback_query
    chat_data = context.chat_data
    assert query is not None and chat_data is not None
    listing = chat_data.listings[key]
    tr = chat_translator(update, context)
    page = await render_page(context, listing, page_no, zone_of(update, context), tr)
    _remember(chat_data, page)
    markup = keyboard(page, key, summaries=True, tr=tr)
    await query.edit_message_text(page.html, reply_markup=markup)


async def search_suggestion(update: Update, context: NewsContext, listing: Listing) -> None:
    """Run the did-you-mean query of a listing as a new search message."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    if listing.suggestion:
        words = clean_query(listing.suggestion)
        await show_listing(update, context, Listing("search", words, PAGE_SIZE))


async def send_article_summary(update: Update, context: NewsContext, article_id: str) -> None:
    """Answer a Summary button: send the article's summary card."""
    query = update.callback_query
    assert query is not None
    services, zone = context.bot_data.services, zone_of(update, context)
    tr = chat_translator(update, context)
    answer = await asyncio.to_thread(summary_for_article, services, article_id, zone, tr)
    if answer is None:
        await query.answer(tr.gettext("That article is no longer available."))
        return
    await query.answer()
    if isinstance(query.message, Message):
        await _send_answer(query.message, answer)


async def summary(update: Update, context: NewsContext) -> None:
    """Summarise an item of the last list, an article (id or URL), a topic or pasted text."""
    text = " ".join(context.args or [])
    ref = _summary_ref(text)
    message = update.effective_message
    if not ref:
        if message is not None:
            await message.reply_text(chat_translator(update, context).gettext(SUMMARY_USAGE))
        return
    if message is not None and as_link(text) is None and is_pasted_text(text):
        tr = chat_translator(update, context)
        await _send_answer(message, await asyncio.to_thread(pasted_answer, text, tr))
        return
    await _summarise(update, context, ref)


def _summary_ref(text: str) -> str:
    """Return what `/summary text` looks up: a link whole, else the words as a query.

    A query is cut to 256 characters; a link with tracking parameters is often longer, and
    cut it names no article.
    """
    return text.strip() if as_link(text) is not None else clean_query(text)


async def _summarise(update: Update, context: NewsContext, ref: str) -> None:
    """Answer `/summary ref`: an item, an article by id or link, or a topic."""
    message = update.effective_message
    chat_data = context.chat_data
    if message is None or chat_data is None:
        return
    tr = chat_translator(update, context)
    services, zone = context.bot_data.services, zone_of(update, context)
    shown = chat_data.last_list()  # the loop's to change while the thread reads its copy
    answer = await asyncio.to_thread(summary_for_ref, services, shown, ref, zone, tr)
    brief = await model_briefs.topic_brief_html(context.bot_data, answer.articles, tr.lang)
    if brief:
        answer = topic_brief_answer(answer.heading, brief)
    await _send_answer(message, answer)


async def _send_answer(message: Message, answer: SummaryAnswer) -> None:
    """Send every part of a (possibly split) answer, in the chat and topic of `message`."""
    for part in answer.parts:
        await message.reply_text(part, do_quote=False)
