"""/brief and /story: the top stories of a period, and the articles of one story."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, Message, Update
from telegram.ext import CommandHandler, filters

from bot.app import model_briefs
from bot.app.briefs import BRIEF_PAGE, parse_brief_args, story_answer
from bot.app.commands import CommandSpec
from bot.app.context import Listing, NewsApp, NewsContext
from bot.app.follow_answers import GONE, missing_story, resolve, story_markup, timeline_and_size
from bot.app.language import chat_translator
from bot.i18n import N_, Translator
from handlers.articles import show_listing, zone_of

COMMANDS = [
    CommandSpec(
        "brief",
        N_("The top stories now, one line per event"),
        args=N_("[24h|today|week] [words]"),
    ),
    CommandSpec(
        "story",
        N_("Story N of the last list, day by day; its articles a tap away"),
        args=N_("N|id"),
    ),
]
MESSAGES = filters.UpdateType.MESSAGE  # edited messages are ignored, as by every command
POSTS = MESSAGES | filters.UpdateType.CHANNEL_POST  # a channel's admins post as the channel
STORY_USAGE = N_("Send <code>/story 2</code> for the articles of item 2 of the last list.")


def register(application: NewsApp) -> None:
    """Add /brief and /story."""
    application.add_handler(CommandHandler("brief", brief, filters=POSTS))
    application.add_handler(CommandHandler("story", story, filters=POSTS))
    model_briefs.install(application)  # the model's briefs, when one is configured


async def brief(update: Update, context: NewsContext) -> None:
    """Show the most important stories of the period, paged with buttons."""
    args = parse_brief_args(context.args or [], chat_translator(update, context))
    listing = Listing("brief", args.words, BRIEF_PAGE, period=args.period)
    await show_listing(update, context, listing)


async def story(update: Update, context: NewsContext) -> None:
    """Show a story's timeline: item N of the last list, or a story id."""
    message = update.effective_message
    chat_data = context.chat_data
    if message is None or chat_data is None:
        return
    tr = chat_translator(update, context)
    ref = resolve(" ".join(context.args or []), chat_data, context.bot_data.services)
    if ref is None:
        await message.reply_text(tr.gettext(STORY_USAGE))
    elif ref.story_id is not None:
        await send_timeline(context, message, ref.story_id, zone_of(update, context), tr)
    elif ref.number is not None:  # item N of the last list, which names no story
        await message.reply_text(missing_story(ref.number, chat_data, "story", tr))


async def send_timeline(
    context: NewsContext,
    message: Message,
    story_id: str,
    zone: ZoneInfo,
    tr: Translator,
    query: CallbackQuery | None = None,
) -> None:
    """Send a story's dated developments, the buttons (articles, follow) under the last part.

    `query`: the 🗓 button pressed for it, answered once the story is read (off the loop).
    """
    services = context.bot_data.services
    brief = await model_briefs.story_brief_html(context.bot_data, story_id, tr.lang)
    found = await asyncio.to_thread(timeline_and_size, services, story_id, zone, tr, brief)
    if query is not None:  # a story gone is the tapper's notice, as 📚 and 🔔 answer it
        await query.answer(tr.gettext(GONE) if found is None else None)
    if found is None:
        if query is None:
            await message.reply_text(tr.gettext(GONE))
        return
    parts, size = found
    markup = story_markup(services, message.chat_id, story_id, tr, timeline_button=False, size=size)
    for n, part in enumerate(parts, start=1):
        last = n == len(parts)
        await message.reply_text(part, do_quote=False, reply_markup=markup if last else None)


async def on_timeline_button(update: Update, context: NewsContext, story_id: str) -> None:
    """Answer a 🗓 button (updates): send the story's timeline."""
    query = update.callback_query
    assert query is not None
    tr = chat_translator(update, context)
    if not isinstance(query.message, Message):
        await query.answer()
        return
    await send_timeline(context, query.message, story_id, zone_of(update, context), tr, query)


async def story_parts(
    context: NewsContext, story_id: str, zone: ZoneInfo, tr: Translator
) -> list[str] | None:
    """Return the messages listing a story's articles (None when it is gone), built off the loop."""
    services = context.bot_data.services
    brief = await model_briefs.story_brief_html(context.bot_data, story_id, tr.lang)
    return await asyncio.to_thread(story_answer, services, story_id, zone, tr.lang, tr, brief)


async def on_story_button(update: Update, context: NewsContext, story_id: str) -> None:
    """Answer a 📚 button (lists, briefs, digests): send the story's articles."""
    query = update.callback_query
    assert query is not None
    tr = chat_translator(update, context)
    parts = await story_parts(context, story_id, zone_of(update, context), tr)
    if parts is None or not isinstance(query.message, Message):
        await query.answer(tr.gettext(GONE))
        return
    await query.answer()
    await _send(query.message, parts)


async def _send(message: Message, parts: list[str]) -> None:
    for part in parts:
        await message.reply_text(part, do_quote=False)
