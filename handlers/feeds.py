"""/addfeed, /removefeed, /feeds for admins; starts the feed polling jobs with the bot.

Thin: check the sender is an admin, call FeedService, reply in Telegram HTML.
"""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, filters

from bot.app.commands import CommandSpec, is_admin
from bot.app.context import BotData, NewsApp, NewsContext
from bot.feeds import FeedError, FeedService, FeedStatus
from bot.render import bold, escape, split_message

log = logging.getLogger(__name__)

COMMANDS = [
    CommandSpec("addfeed", "Add an RSS/Atom feed", admin_only=True, args="URL"),
    CommandSpec("removefeed", "Stop polling a feed", admin_only=True, args="ID|URL"),
    CommandSpec("feeds", "Each feed's status", admin_only=True),
]
ADMINS_ONLY = "Sorry, only the bot's admins can manage feeds."
NOT_ENABLED = "Feeds are not enabled on this bot."
UPDATES = filters.UpdateType.MESSAGE


def register(application: NewsApp) -> None:
    """Add the commands and start/stop polling with the Application."""
    for name, callback in (("addfeed", add_feed), ("removefeed", remove_feed), ("feeds", feeds)):
        application.add_handler(CommandHandler(name, callback, filters=UPDATES))
    application.bot_data.on_startup.append(_start)
    application.bot_data.on_shutdown.append(_stop)


def _service(data: BotData) -> FeedService | None:
    found = getattr(data.services, "feeds", None)
    return found if isinstance(found, FeedService) else None


async def _start(application: NewsApp) -> None:
    """Open the HTTP client and schedule every feed's job."""
    service = _service(application.bot_data)
    if service is None or not application.bot_data.services.writable:
        return
    # NEWSBRIEF_FEEDS were registered on the data dir's first start (bot.services), and only
    # then: a configured feed an admin removed stays removed.
    await service.initialize()

    async def tell_admins(status: FeedStatus) -> None:
        text = f"⚠️ Feed {bold(status.title)} was turned off.\n{escape(status.note or '')}"
        for admin in sorted(application.bot_data.config.admins):
            try:
                await application.bot.send_message(admin, text)
            except TelegramError as exc:
                log.info("could not tell admin %s about feed %s: %s", admin, status.id, exc)

    service.add_deactivation_listener(tell_admins)
    if application.job_queue is not None:
        service.schedule(application.job_queue)


async def _stop(application: NewsApp) -> None:
    service = _service(application.bot_data)
    if service is not None:
        await service.shutdown()


async def _admin_service(update: Update, context: NewsContext) -> FeedService | None:
    """Return the service when the sender is an admin; otherwise answer and return None."""
    message = update.effective_message
    if message is None:
        return None
    user = update.effective_user
    if not is_admin(context.bot_data.config, user.id if user else None):
        await message.reply_text(ADMINS_ONLY)
        return None
    service = _service(context.bot_data)
    if service is None or not context.bot_data.services.writable:
        await message.reply_text(NOT_ENABLED)
        return None
    return service


async def add_feed(update: Update, context: NewsContext) -> None:
    """/addfeed URL: fetch once, then answer with the title and item count, or why not."""
    service = await _admin_service(update, context)
    message = update.effective_message
    if service is None or message is None:
        return
    if not context.args:
        await message.reply_text("Usage: /addfeed URL, e.g. /addfeed https://example.org/rss")
        return
    url = context.args[0]
    try:
        status = await service.add_feed(url)
    except FeedError as exc:
        await message.reply_text(f"Could not add {escape(url)}: {escape(str(exc))}")
        return
    await message.reply_text(
        f"Added {bold(status.title)}: {status.items} items, {status.articles} new articles.\n"
        f"Polled every {status.interval_minutes} min. Id: <code>{status.id}</code>"
    )


async def remove_feed(update: Update, context: NewsContext) -> None:
    """/removefeed ID|URL: stop polling a feed; its articles stay."""
    service = await _admin_service(update, context)
    message = update.effective_message
    if service is None or message is None:
        return
    if not context.args:
        await message.reply_text("Usage: /removefeed ID or URL (see /feeds)")
        return
    status = service.get_feed(context.args[0])
    if status is None or not service.remove_feed(status.id):
        await message.reply_text(f"No feed {escape(context.args[0])}. /feeds lists them.")
        return
    await message.reply_text(f"Removed {bold(status.title)}. Its articles stay.")


def _when(moment: datetime | None, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else "never"


def status_html(status: FeedStatus, tz: tzinfo) -> str:
    """Return one feed's status as a few lines of Telegram HTML."""
    state = "" if status.active else " — <b>off</b>"
    lines = [f"{bold(status.title)}{state} <code>{status.id}</code>", escape(status.url)]
    since = status.unreachable_since
    if since is not None:
        tries = "1 try" if status.failures == 1 else f"{status.failures} tries"
        lines.append(
            f"Unreachable since {_when(since, tz)} ({tries}): {escape(status.last_error or '')}"
        )
    elif status.last_fetch is None:
        lines.append(f"Not fetched yet: first poll within {status.interval_minutes} min of start")
    else:
        lines.append(f"Last fetch {_when(status.last_fetch, tz)}: {escape(status.last_status)}")
    if status.last_fetch is not None:
        next_poll = _when(status.next_poll, tz) if status.active else "-"
        lines.append(f"{status.items} items; next {'try' if since else 'poll'} {next_poll}")
    if status.note:
        lines.append(escape(status.note))
    return "\n".join(lines)


async def feeds(update: Update, context: NewsContext) -> None:
    """/feeds: each feed's last fetch, items, last error and next poll."""
    service = await _admin_service(update, context)
    message = update.effective_message
    if service is None or message is None:
        return
    statuses = service.list_feeds()
    if not statuses:
        await message.reply_text("No feeds yet. Add one with /addfeed URL.")
        return
    tz = context.bot_data.zone_for(update.effective_chat.id if update.effective_chat else None)
    text = f"{bold(f'Feeds ({len(statuses)})')}\n\n" + "\n\n".join(
        status_html(s, tz) for s in statuses
    )
    for part in split_message(text):
        await message.reply_text(part)
