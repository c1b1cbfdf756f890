"""/addfeed, /removefeed, /feeds for admins; starts the feed polling jobs with the bot.

Thin: check the sender is an admin, call FeedService, reply in Telegram HTML.

A feed's address, title and reasons are shown with the credentials of any URL in them masked
(`bot.logs.redact`: "?token=***"): the bot's admins see every feed, and are not necessarily
the one who was given a feed's key. The CLI's `feeds list` and `export` keep them whole: who
runs them reads the data directory anyway.
"""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, filters

from bot.app.commands import CommandSpec, admin_refusal, is_admin
from bot.app.context import BotData, NewsApp, NewsContext
from bot.app.feed_reasons import say_reason
from bot.app.language import chat_translator, translator_for
from bot.feeds import FeedError, FeedService, FeedStatus
from bot.i18n import N_, Translator
from bot.logs import redact
from bot.render import bold, escape, split_message, truncate

log = logging.getLogger(__name__)

COMMANDS = [
    CommandSpec("addfeed", N_("Add an RSS, Atom or JSON feed"), admin_only=True, args=N_("URL")),
    CommandSpec("removefeed", N_("Stop polling a feed"), admin_only=True, args=N_("ID|URL")),
    CommandSpec("feeds", N_("Each feed's status"), admin_only=True),
]
ADMINS_ONLY = N_("Sorry, only the bot's admins can manage feeds.")
NOT_ENABLED = N_("Feeds are not enabled on this bot.")
# A channel's post too: it names no admin, so it is told where to send the command instead.
UPDATES = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
# A URL or title quoted in a one-message reply is cut to this (UTF-16 units): a command's URL
# may take 4,000 characters, a feed's title more, and the reply must fit Telegram's 4,096.
QUOTED = 300
REASON = 1000


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
        for admin in sorted(application.bot_data.config.admins):
            tr = translator_for(application.bot_data, admin)
            title = bold(truncate(redact(status.title), QUOTED))
            said = tr.gettext("Feed {title} was turned off.").format(title=title)
            note = redact(say_reason(status.note or "", tr))
            text = f"⚠️ {said}\n{escape(truncate(note, REASON))}"
            try:
                await application.bot.send_message(admin, text)
            except TelegramError as exc:
                log.info("could not tell admin %s about feed %s: %s", admin, status.id, exc)

    service.add_deactivation_listener(tell_admins)
    # On a shared database every process claims due feeds instead (bot/feeds/claims.py).
    if application.job_queue is not None and application.bot_data.services.leader is None:
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
    _ = chat_translator(update, context).gettext
    if not is_admin(context.bot_data.config, user.id if user else None):
        await message.reply_text(_(admin_refusal(update, ADMINS_ONLY)))
        return None
    service = _service(context.bot_data)
    if service is None or not context.bot_data.services.writable:
        await message.reply_text(_(NOT_ENABLED))
        return None
    return service


async def add_feed(update: Update, context: NewsContext) -> None:
    """/addfeed URL: fetch once, then answer with the title and item count, or why not."""
    service = await _admin_service(update, context)
    message = update.effective_message
    if service is None or message is None:
        return
    tr = chat_translator(update, context)
    _ = tr.gettext
    if not context.args:
        await message.reply_text(_("Usage: /addfeed URL, e.g. /addfeed https://example.org/rss"))
        return
    url = context.args[0]
    try:
        status = await service.add_feed(url)
    except FeedError as exc:  # the reason is the fetcher's, in English: said in tr's language
        text = _("Could not add {url}: {reason}")
        reason = escape(truncate(redact(say_reason(str(exc), tr)), REASON))
        quoted = escape(truncate(redact(url), QUOTED))
        await message.reply_text(text.format(url=quoted, reason=reason))
        return
    items = tr.ngettext("{n} item", "{n} items", status.items).format(n=status.items)
    new = tr.ngettext("{n} new article", "{n} new articles", status.articles)
    added = _("Added {title}: {items}, {new}.").format(
        title=bold(truncate(redact(status.title), QUOTED)),
        items=items,
        new=new.format(n=status.articles),
    )
    every = _("Polled every {n} min. Id: {id}").format(
        n=status.interval_minutes, id=f"<code>{status.id}</code>"
    )
    await message.reply_text(f"{added}\n{every}")


async def remove_feed(update: Update, context: NewsContext) -> None:
    """/removefeed ID|URL: stop polling a feed; its articles stay."""
    service = await _admin_service(update, context)
    message = update.effective_message
    if service is None or message is None:
        return
    _ = chat_translator(update, context).gettext
    if not context.args:
        await message.reply_text(_("Usage: /removefeed ID or URL (see /feeds)"))
        return
    status = service.get_feed(context.args[0])
    if status is None or not await service.remove_feed(status.id):
        text = _("No feed {feed}. /feeds lists them.")
        await message.reply_text(
            text.format(feed=escape(truncate(redact(context.args[0]), QUOTED)))
        )
        return
    text = _("Removed {title}. Its articles stay.")
    await message.reply_text(text.format(title=bold(truncate(redact(status.title), QUOTED))))


def _shown(text: str) -> str:
    """Return text for a chat: escaped, with any URL's credentials masked."""
    return escape(redact(text))


def _when(moment: datetime | None, tz: tzinfo, tr: Translator) -> str:
    return tr.date_time(moment.astimezone(tz)) if moment else tr.gettext("never")


def status_html(status: FeedStatus, tz: tzinfo, tr: Translator) -> str:
    """Return one feed's status as a few lines of Telegram HTML."""
    _ = tr.gettext
    state = "" if status.active else " — <b>" + _("off") + "</b>"
    lines = [f"{bold(redact(status.title))}{state} <code>{status.id}</code>", _shown(status.url)]
    since = status.unreachable_since
    if since is not None:
        tries = tr.ngettext("{n} try", "{n} tries", status.failures).format(n=status.failures)
        line = _("Unreachable since {when} ({tries}): {error}")
        when = _when(since, tz, tr)
        error = _shown(say_reason(status.last_error or "", tr))
        lines.append(line.format(when=when, tries=tries, error=error))
    elif status.last_fetch is None:
        line = _("Not fetched yet: first poll within {minutes} min of start")
        lines.append(line.format(minutes=status.interval_minutes))
    else:
        last = _("Last fetch {when}: {status}")
        when = _when(status.last_fetch, tz, tr)
        lines.append(last.format(when=when, status=_shown(say_reason(status.last_status, tr))))
    if status.last_fetch is not None:
        nxt = _when(status.next_poll, tz, tr) if status.active else "-"
        items = tr.ngettext("{n} item", "{n} items", status.items).format(n=status.items)
        line = _("{items}; next try {when}") if since else _("{items}; next poll {when}")
        lines.append(line.format(items=items, when=nxt))
    if status.note:
        lines.append(_shown(say_reason(status.note, tr)))
    return "\n".join(lines)


async def feeds(update: Update, context: NewsContext) -> None:
    """/feeds: each feed's last fetch, items, last error and next poll."""
    service = await _admin_service(update, context)
    message = update.effective_message
    if service is None or message is None:
        return
    statuses = service.list_feeds()
    tr = chat_translator(update, context)
    if not statuses:
        await message.reply_text(tr.gettext("No feeds yet. Add one with /addfeed URL."))
        return
    tz = context.bot_data.zone_for(update.effective_chat.id if update.effective_chat else None)
    heading = tr.gettext("Feeds ({n})").format(n=len(statuses))
    text = f"{bold(heading)}\n\n" + "\n\n".join(status_html(s, tz, tr) for s in statuses)
    for part in split_message(text):
        await message.reply_text(part)
