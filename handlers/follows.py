"""/follow, /unfollow, /following and /quiet: thin, FollowService does it (buttons: follow_buttons).

In groups only admins change what the group follows, as with subscriptions.
"""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import CommandHandler, filters

from bot.app.chat_rights import AdminsOnly, may_change
from bot.app.commands import CommandSpec
from bot.app.context import NewsApp, NewsContext
from bot.app.follow_answers import GONE, following_answer, missing_story, resolve, story_markup
from bot.app.forum import topic_of
from bot.app.items import item_number
from bot.app.language import chat_translator
from bot.follows.quiet_args import parse_quiet
from bot.i18n import N_, Translator, keyword, word
from bot.render.cards import one_line, one_stop, truncate
from bot.render.html import bold, escape
from bot.render.timeline import HEADLINE_LIMIT, NO_FOLLOWS
from handlers.articles import zone_of

COMMANDS = [
    CommandSpec("follow", N_("Get a story's new facts as they come"), args=N_("N|id")),
    CommandSpec("following", N_("The stories this chat follows; unfollow")),
    CommandSpec("unfollow", N_("Stop following a story"), args=N_("N|id|all")),
    CommandSpec("quiet", N_("Hours without story updates"), args=N_("[HH:MM-HH:MM|off]")),
]
UPDATES = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
FOLLOW_USAGE = N_("Send <code>/follow 2</code> to follow item 2 of the last list.")
UNFOLLOW_USAGE = N_(
    "Send <code>/unfollow 1</code> (a number from /following), or <code>{all}</code>."
)
QUIET_USAGE = N_("Send <code>/quiet 23:00-07:00</code>, or <code>/quiet {off}</code>.")
ADMINS_ONLY = AdminsOnly(
    N_("Only this group's admins can change what it follows."),
    N_("Only this channel's admins can change what it follows."),
)
NOT_FOLLOWED = N_("You do not follow that story.")
TOO_MANY = N_("This chat follows 50 stories already; /unfollow one first.")


def register(application: NewsApp) -> None:
    """Add the commands."""
    for name, callback in (
        ("follow", follow),
        ("following", following),
        ("unfollow", unfollow),
        ("quiet", quiet),
    ):
        application.add_handler(CommandHandler(name, callback, filters=UPDATES))
    application.bot_data.on_startup.append(_start)
    application.bot_data.on_shutdown.append(_stop)


async def _start(application: NewsApp) -> None:
    """Start delivering updates and tick every minute (the first tick finds what is due)."""
    services = application.bot_data.services
    if application.job_queue is not None and services.writable:
        services.follows.schedule(application.job_queue)


async def _stop(application: NewsApp) -> None:
    await application.bot_data.services.follows.stop()


async def follow(update: Update, context: NewsContext) -> None:
    """Follow item N of the last list, or a story by id."""
    # The chat's language is stored, as /subscribe stores it: updates come with no user in sight.
    message, tr = update.effective_message, chat_translator(update, context, remember=True)
    if message is None or context.chat_data is None:
        return
    chat_data = context.chat_data
    ref = resolve(" ".join(context.args or []), chat_data, context.bot_data.services)
    if ref is None:
        await message.reply_text(tr.gettext(FOLLOW_USAGE))
    elif ref.story_id is not None:
        await follow_story(update, context, message, ref.story_id, tr)
    elif ref.number is not None:  # item N of the last list, which names no story
        await message.reply_text(missing_story(ref.number, chat_data, "follow", tr))


async def follow_story(
    update: Update, context: NewsContext, message: Message, story_id: str, tr: Translator
) -> None:
    """Follow a story for the chat and say so."""
    if not await may_change(update, context):
        await message.reply_text(ADMINS_ONLY.text(update, tr))
        return
    services = context.bot_data.services
    story = await asyncio.to_thread(services.stories.story, story_id, lang=tr.lang)  # a view
    if story is None:
        await message.reply_text(tr.gettext(GONE))
        return
    headline = story.headline
    chat_id = message.chat_id
    if not services.follows.may_follow(chat_id, story_id):
        await message.reply_text(tr.gettext(TOO_MANY))
        return
    # Its updates come to the forum topic it was followed in (a button: the list's topic).
    follow, before = await services.follows.follow(chat_id, story_id, headline, topic_of(message))
    quiet = services.follows.quiet(chat_id)
    if before is None:
        text = tr.gettext("🔔 Following: {headline}.")
    elif before.thread_id != follow.thread_id:  # followed again from another forum topic
        text = tr.gettext("🔔 Updates of {headline} come to this topic now.")
    else:
        text = tr.gettext("🔔 You already follow {headline}.")
    lines = [one_stop(text.format(headline=_named(headline)))]
    lines.append(tr.gettext("New facts come as they are reported, at most every 3 hours."))
    if quiet is not None:
        note = tr.gettext("Not between {start} and {end} (/quiet).")
        note = note.format(start=tr.time(quiet.start), end=tr.time(quiet.end))
        lines.append(note)
    markup = story_markup(services, chat_id, story_id, tr, timeline_button=True)
    await message.reply_text("\n".join(lines), reply_markup=markup)


async def following(update: Update, context: NewsContext) -> None:
    """List the chat's followed stories with a 🔕 button each."""
    message, tr = update.effective_message, chat_translator(update, context)
    if message is None:
        return
    parts, markup = await following_parts(context, message.chat_id, zone_of(update, context), tr)
    sent = [
        await message.reply_text(part, reply_markup=markup if n == len(parts) else None)
        for n, part in enumerate(parts, start=1)
    ]
    if context.chat_data is not None:  # a 🔕 tap redraws every part (follow_buttons)
        context.chat_data.following_ids = [m.message_id for m in sent]


async def unfollow(update: Update, context: NewsContext) -> None:
    """Stop following item N of /following (or of the last list), a story id, or all."""
    message, tr = update.effective_message, chat_translator(update, context)
    if message is None or context.chat_data is None:
        return
    if not await may_change(update, context):
        await message.reply_text(ADMINS_ONLY.text(update, tr))
        return
    services = context.bot_data.services
    chat_id = message.chat_id
    mine = services.follows.for_chat(chat_id)
    arg = " ".join(context.args or []).strip()
    if arg and not mine:  # "Stopped following 0 stories" would read as if something stopped
        await message.reply_text(tr.gettext(NO_FOLLOWS))
        return
    if keyword(arg, tr, "all"):
        gone = await services.follows.unfollow(chat_id, [f.story_id for f in mine])
        count = len(gone)
        text = tr.ngettext("Stopped following {n} story.", "Stopped following {n} stories.", count)
        await message.reply_text(text.format(n=count))
        return
    # /following's numbers, written as item numbers are ("2", "#2", "№2", "2."): read as the
    # last list's, "2." stopped another story than the row the reader saw.
    number = item_number(arg)
    if number is not None and 1 <= number <= len(mine):
        story_id: str | None = mine[number - 1].story_id
    else:
        ref = resolve(arg, context.chat_data, services)
        story_id = ref.story_id if ref is not None else None
    if story_id is None:
        await message.reply_text(tr.gettext(UNFOLLOW_USAGE).format(all=word("all", tr)))
        return
    gone = await services.follows.unfollow(chat_id, [story_id])
    if not gone:  # a story, just not one this chat follows
        await message.reply_text(tr.gettext(NOT_FOLLOWED))
        return
    text = tr.gettext("🔕 No longer following: {headline}.")
    await message.reply_text(one_stop(text.format(headline=_named(gone[0].headline))))


async def quiet(update: Update, context: NewsContext) -> None:
    """Show or set the hours when story updates wait: /quiet 23:00-07:00, /quiet off."""
    message, tr = update.effective_message, chat_translator(update, context)
    if message is None:
        return
    services = context.bot_data.services
    chat_id = message.chat_id
    arg = " ".join(context.args or []).strip()
    if not arg:
        current, zone = services.follows.quiet(chat_id), zone_of(update, context).key
        text = (
            tr.gettext("Story updates wait between {start} and {end} ({zone}).").format(
                start=tr.time(current.start), end=tr.time(current.end), zone=zone
            )
            if current is not None
            else tr.gettext("Story updates come at any hour.")
        )
        await message.reply_text(f"{text} {_quiet_usage(tr)}")
        return
    if not await may_change(update, context):
        await message.reply_text(ADMINS_ONLY.text(update, tr))
        return
    parsed = parse_quiet(arg, tr)
    if parsed.problem is not None:
        await message.reply_text(f"{escape(parsed.problem)} {_quiet_usage(tr)}")
        return
    hours = parsed.hours
    await services.follows.set_quiet(chat_id, hours)
    if hours is None:
        await message.reply_text(tr.gettext("Story updates now come at any hour."))
    else:
        # Start and end apart, not one "23:00–07:00": each language words a range its own
        # way ("с 23:00 до 07:00").
        text = tr.gettext("Story updates now wait between {start} and {end} ({zone}).")
        start, end, zone = tr.time(hours.start), tr.time(hours.end), zone_of(update, context).key
        await message.reply_text(text.format(start=start, end=end, zone=zone))


def _named(headline: str) -> str:
    """Return a headline as a reply names it: bold, one line, cut as timelines cut it.

    A feed may put a whole text in its title; a reply of more than 4,096 characters fails.
    """
    return bold(truncate(one_line(headline), HEADLINE_LIMIT))


def _quiet_usage(tr: Translator) -> str:
    """Return how /quiet is used, its word for "off" in tr's language."""
    return tr.gettext(QUIET_USAGE).format(off=word("off", tr))


async def following_parts(
    context: NewsContext, chat_id: int, zone: ZoneInfo, tr: Translator
) -> tuple[list[str], InlineKeyboardMarkup | None]:
    """Return /following's messages and buttons, the stories' views built off the loop."""
    services = context.bot_data.services
    follows = services.follows.for_chat(chat_id)  # the loop's to change: read here
    return await asyncio.to_thread(following_answer, services, follows, zone, tr)
