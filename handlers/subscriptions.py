"""/subscribe, /subscriptions, /unsubscribe, /timezone and /digest (buttons: subscription_buttons).

Thin: parse, check who may change the chat's subscriptions, call DigestService, reply.
In groups only admins change subscriptions; in channels every post is from an admin.
"""

from __future__ import annotations

import asyncio
import logging
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.app.chat_rights import AdminsOnly, may_change
from bot.app.commands import CommandSpec
from bot.app.context import BotData, NewsApp, NewsContext, ZoneLookup
from bot.app.forum import topic_of
from bot.app.language import chat_translator
from bot.app.query_problems import topic_problem
from bot.app.subscription_list import TOPIC_SHOWN, describe, listing
from bot.digests.args import find_zone, parse_subscribe, zone_problem
from bot.digests.records import topic_key
from bot.digests.service import DigestService
from bot.i18n import N_, Translator, keyword
from bot.models import utcnow
from bot.render import bold, escape, truncate

log = logging.getLogger(__name__)

COMMANDS = [
    CommandSpec(
        "subscribe",
        N_("Daily digest of a topic at your time"),
        args=N_("[HH:MM] [Area/City] [words]"),
    ),
    CommandSpec("subscriptions", N_("What this chat gets and when; remove or change")),
    CommandSpec("unsubscribe", N_("Stop a digest"), args=N_("[topic|all]")),
    CommandSpec("timezone", N_("Set this chat's time zone"), args=N_("Area/City")),
    CommandSpec("digest", N_("Send this chat's digest now")),
]
MAX_SUBSCRIPTIONS = 20
ADMINS_ONLY = AdminsOnly(
    N_("Only this group's admins can change its subscriptions."),
    N_("Only this channel's admins can change its subscriptions."),
)
ZONE_ADMINS_ONLY = AdminsOnly(
    N_("Only this group's admins can change its time zone."),
    N_("Only this channel's admins can change its time zone."),
)
NOT_ENABLED = N_("Digests are not enabled on this bot.")
UPDATES = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST


def register(application: NewsApp) -> None:
    """Add the commands, the buttons, migration messages and the life-cycle hooks."""
    for name, callback in (
        ("subscribe", subscribe),
        ("subscriptions", subscriptions),
        ("unsubscribe", unsubscribe),
        ("timezone", timezone),
        ("digest", digest),
    ):
        application.add_handler(CommandHandler(name, callback, filters=UPDATES))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate))
    data = application.bot_data
    data.on_startup.append(_start)
    data.on_shutdown.append(_stop)
    data.on_chat_start.append(_chat_start)
    data.on_chat_blocked.append(_chat_blocked)
    data.zone_lookup = _zone_lookup(application)


def service_of(context: NewsContext) -> DigestService | None:
    """Return the DigestService, when this bot runs one."""
    return digests_of(context.bot_data)


def digests_of(data: BotData) -> DigestService | None:
    """Return the DigestService among the bot's services, when it runs one."""
    found = getattr(data.services, "digests", None)
    return found if isinstance(found, DigestService) else None


def _zone_lookup(application: NewsApp) -> ZoneLookup:
    """Return the chat-zone lookup other handlers use to show times in the chat's zone."""

    def lookup(chat_id: int) -> ZoneInfo | None:
        service = digests_of(application.bot_data)
        return service.zone_of(chat_id) if service else None

    return lookup


async def _start(application: NewsApp) -> None:
    """Rebuild every subscription's job and send what fell due while the bot was down.

    In a task beside the replies (`bot.digests.startplan`), not before polling: no reply
    needs the jobs, and 100,000 subscriptions took 3.3 s to plan. It gives way to the updates
    in flight between its steps (`bot.app.inflight`).
    """
    service = digests_of(application.bot_data)
    if service is not None and application.job_queue is not None:
        service.start_planning(application.job_queue, application.bot_data.in_flight.give_way_async)


async def _stop(application: NewsApp) -> None:
    service = digests_of(application.bot_data)
    if service is not None:
        await service.stop()


async def _chat_start(context: NewsContext, chat_id: int) -> None:
    service = service_of(context)
    if service is not None:
        await service.reactivate(chat_id)


async def _chat_blocked(context: NewsContext, chat_id: int) -> None:
    service = service_of(context)
    if service is not None:
        await service.deactivate(chat_id)


async def _reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(text, reply_markup=markup)


async def _ready(update: Update, context: NewsContext, tr: Translator) -> DigestService | None:
    """Return the service when the sender may change subscriptions; reply why not otherwise."""
    service = service_of(context)
    if service is None:
        await _reply(update, tr.gettext(NOT_ENABLED))
        return None
    if not await may_change(update, context):
        await _reply(update, ADMINS_ONLY.text(update, tr))
        return None
    return service


async def subscribe(update: Update, context: NewsContext) -> None:
    """Add a subscription, or change the time of the one with the same topic."""
    chat = update.effective_chat
    tr = chat_translator(update, context)
    _ = tr.gettext
    service = await _ready(update, context, tr)
    if service is None or chat is None:
        return
    parsed, search = parse_subscribe(context.args or [], tr), context.bot_data.services.search
    # The check is a search (ranking, corrections): a worker thread's, as every search is.
    problem = escape(parsed.problem) if parsed.problem else None
    problem = problem or await asyncio.to_thread(topic_problem, parsed.topic, tr, search)
    if problem:
        await _reply(update, problem)
        return
    existing = service.for_chat(chat.id)
    if len(existing) >= MAX_SUBSCRIPTIONS and all(
        topic_key(s.topic) != topic_key(parsed.topic) for s in existing
    ):
        text = tr.ngettext(
            "This chat has {count} subscription, the most it can.",
            "This chat has {count} subscriptions, the most it can.",
            MAX_SUBSCRIPTIONS,
        )
        await _reply(update, text.format(count=MAX_SUBSCRIPTIONS))
        return
    # Scheduled digests speak the chat's language too; saved here, after the topic check's
    # await, its write and the subscription's share one drain of the writer.
    chat_translator(update, context, remember=True)
    where = topic_of(update.effective_message)  # sent in a forum topic: digests go there
    sub, new = await service.subscribe(chat.id, parsed.topic, parsed.hhmm, parsed.zone, where)
    text = _("Subscribed: {line}") if new else _("Updated: {line}")
    line = describe(sub, utcnow(), tr)
    await _reply(update, text.format(line=line) + "\n" + _("See /subscriptions."))


async def subscriptions(update: Update, context: NewsContext) -> None:
    """List this chat's subscriptions with buttons to remove one or change its time."""
    chat = update.effective_chat
    service = service_of(context)
    tr = chat_translator(update, context)
    if chat is None or service is None:
        await _reply(update, tr.gettext(NOT_ENABLED))
        return
    text, markup = listing(service, chat, tr)
    await _reply(update, text, markup)


async def unsubscribe(update: Update, context: NewsContext) -> None:
    """Remove one topic, every subscription (`all`), or the only one."""
    chat = update.effective_chat
    tr = chat_translator(update, context)
    _ = tr.gettext
    service = await _ready(update, context, tr)
    if service is None or chat is None:
        return
    subs, words = service.for_chat(chat.id), " ".join(context.args or [])
    every = keyword(words, tr, "all")
    if every or (not words and len(subs) == 1):
        chosen = subs
    elif not words:
        text, markup = listing(service, chat, tr)
        await _reply(update, text if not subs else _("Which one?") + " " + text, markup)
        return
    else:
        chosen = [s for s in subs if topic_key(s.topic) == topic_key(words)]
    if not chosen and (every or not words):
        await _reply(update, _("No subscriptions here. Try <code>/subscribe 07:30 climate</code>."))
        return
    if not chosen:
        text = _("No subscription to {topic} here. See /subscriptions.")
        # Cut as lists cut topics: quoted whole, a 4,096-character command is no answer.
        await _reply(update, text.format(topic=bold(truncate(words, TOPIC_SHOWN))))
        return
    gone = await service.unsubscribe(chat.id, [s.sub_id for s in chosen])
    names = ", ".join(bold(truncate(s.label(tr), TOPIC_SHOWN)) for s in gone)
    done = tr.ngettext("Unsubscribed: {topics}.", "Unsubscribed: {topics}.", len(gone))
    await _reply(update, done.format(topics=names))


async def timezone(update: Update, context: NewsContext) -> None:
    """Show or set the chat's zone; a near miss gets a suggestion."""
    chat = update.effective_chat
    service = service_of(context)
    tr = chat_translator(update, context)
    _ = tr.gettext
    if chat is None or service is None:
        await _reply(update, _(NOT_ENABLED))
        return
    text = " ".join(context.args or []).strip()
    if not text:
        zone = service.zone_of(chat.id) or context.bot_data.config.tz
        shown = _(
            "This chat's time zone is {zone}. Change it with <code>/timezone Europe/Berlin</code>."
        )
        await _reply(update, shown.format(zone=escape(zone.key)))
        return
    if not await may_change(update, context):
        await _reply(update, ZONE_ADMINS_ONLY.text(update, tr))
        return
    zone_name = find_zone(text)
    if zone_name is None:
        await _reply(update, escape(zone_problem(text, tr)))
        return
    moved = await service.set_zone(chat.id, zone_name)
    done = _("Time zone set to {zone}.").format(zone=escape(zone_name))
    if moved:
        follow = tr.ngettext(
            "{n} subscription now follows it.", "{n} subscriptions now follow it.", len(moved)
        )
        done += " " + follow.format(n=len(moved))
    await _reply(update, done)


async def digest(update: Update, context: NewsContext) -> None:
    """Send this chat's digest now; it counts as delivered."""
    chat = update.effective_chat
    service = service_of(context)
    _ = chat_translator(update, context).gettext
    if chat is None or service is None:
        await _reply(update, _(NOT_ENABLED))
        return
    await service.reactivate(chat.id)  # the chat just wrote to us: it can be reached again
    status = await service.send_now(chat.id, topic_of(update.effective_message))
    if status == "none":
        await _reply(update, _("No subscriptions here. Try <code>/subscribe 07:30 climate</code>."))
    elif status not in ("sent", "migrated"):
        await _reply(update, _("The digest could not be sent just now. Try again later."))


async def on_migrate(update: Update, context: NewsContext) -> None:
    """A group became a supergroup: its lists and subscriptions follow it."""
    message, service, app = update.effective_message, service_of(context), context.application
    if message is None or message.migrate_to_chat_id is None:
        return
    if not getattr(app.chat_data.get(message.migrate_to_chat_id), "listings", None):
        app.migrate_chat_data(message=message)  # Telegram keeps the history; newer lists win
    if service is not None:
        await service.migrate(message.chat.id, message.migrate_to_chat_id)
