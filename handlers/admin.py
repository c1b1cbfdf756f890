"""/stats for admins, and /forget (with a confirmation button) for everyone."""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, filters

from bot.app.chat_rights import AdminsOnly, may_change
from bot.app.commands import CommandSpec, admin_refusal, is_admin, may_use
from bot.app.context import NewsApp, NewsContext
from bot.app.language import chat_translator
from bot.app.privacy import chat_subscriptions, forget_chat
from bot.app.stats import StatsService, render_stats
from bot.i18n import N_

log = logging.getLogger(__name__)

COMMANDS = [
    CommandSpec("stats", N_("Articles, feeds, subscribers, digests and uptime"), admin_only=True),
    CommandSpec("forget", N_("Delete everything the bot keeps about this chat")),
]
BUTTON_GROUP = -2  # before the access gate and the catch-all button handler; checks access itself
_DATA = re.compile(r"forget:(yes|no):([0-9]{1,20})")
ADMINS_ONLY = N_("Only the bot's admins can use /stats.")
GROUP_ADMINS_ONLY = AdminsOnly(
    N_("Only this group's admins can make the bot forget it."),
    N_("Only this channel's admins can make the bot forget it."),
)
NOT_YOURS = N_("Only the person who sent /forget can answer.")
CANCELLED = N_("Cancelled. Nothing was deleted.")


class AdminHandlers:
    """The callbacks, bound to the StatsService built at registration."""

    def __init__(self, stats: StatsService) -> None:
        self.stats = stats

    async def stats_command(self, update: Update, context: NewsContext) -> None:
        """Show the numbers to an admin; tell anyone else it is admins only."""
        message = update.effective_message
        user = update.effective_user
        if message is None:
            return
        tr = chat_translator(update, context)
        if not is_admin(context.bot_data.config, user.id if user else None):
            await message.reply_text(tr.gettext(admin_refusal(update, ADMINS_ONLY)))
            return
        chat_id = update.effective_chat.id if update.effective_chat else None
        stats = await self.stats.collect(context.bot_data.zone_for(chat_id))
        await message.reply_text(render_stats(stats, tr))


def register(application: NewsApp) -> None:
    """Add /stats, /forget and the /forget confirmation buttons."""
    data = application.bot_data
    handlers = AdminHandlers(StatsService(data.services, started_at=data.started_at))
    new = filters.UpdateType.MESSAGE  # edited messages are ignored, as by every command
    posts = new | filters.UpdateType.CHANNEL_POST  # a channel's admins post as the channel
    application.add_handler(CommandHandler("stats", handlers.stats_command, filters=posts))
    application.add_handler(CommandHandler("forget", forget_command, filters=posts))
    application.add_handler(
        CallbackQueryHandler(on_forget_button, pattern=r"^forget:"), BUTTON_GROUP
    )


async def forget_command(update: Update, context: NewsContext) -> None:
    """Say what would be deleted and ask for confirmation with a button."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or chat is None or (user is None and message.sender_chat is None):
        return
    tr = chat_translator(update, context)
    _ = tr.gettext
    if not await may_change(update, context):  # anyone in private, admins in groups
        await message.reply_text(GROUP_ADMINS_ONLY.text(update, tr))
        return
    # An anonymous admin posts as the group, a channel's as the channel; the person is known
    # only when they press, so then any admin may answer (0), else only the one who asked.
    asker = 0 if message.sender_chat is not None or user is None else user.id
    count = chat_subscriptions(context.bot_data.services, chat.id)
    subs = tr.ngettext("{n} subscription", "{n} subscriptions", count).format(n=count)
    yes = InlineKeyboardButton(_("Delete everything"), callback_data=f"forget:yes:{asker}")
    no = InlineKeyboardButton(_("Cancel"), callback_data=f"forget:no:{asker}")
    question = _(
        "This deletes everything newsbrief keeps about this chat: {subscriptions}, the stories "
        "it follows, the chat's settings (time zone, language, digest options, quiet hours) "
        "and the lists it showed here. "
        "The shared news archive stays. Delete?"
    )
    await message.reply_text(
        question.format(subscriptions=subs), reply_markup=InlineKeyboardMarkup([[yes, no]])
    )


async def on_forget_button(update: Update, context: NewsContext) -> None:
    """Carry out or cancel a /forget that its sender confirmed."""
    if update.callback_query is None:
        return
    await _answer_forget(update, context)
    raise ApplicationHandlerStop  # the catch-all button handler must not answer it again


async def _answer_forget(update: Update, context: NewsContext) -> None:
    """Check the press, then delete or cancel and edit the question into the outcome."""
    query = update.callback_query
    assert query is not None
    match = _DATA.fullmatch(query.data or "")
    chat = update.effective_chat
    tr = chat_translator(update, context)
    _ = tr.gettext
    if match is None or chat is None or query.message is None:
        await query.answer(_("This button is not valid any more."))
        return
    if not may_use(context.bot_data.config, update):
        await query.answer(_("This bot is private."))
        return
    if int(match[2]) == 0 and not await may_change(update, context):
        await query.answer(GROUP_ADMINS_ONLY.text(update, tr))
        return
    if int(match[2]) not in (0, query.from_user.id):
        await query.answer(_(NOT_YOURS))
        return
    if match[1] == "no":
        await query.answer()
        await query.edit_message_text(_(CANCELLED))
        return
    gone = await forget_chat(context.bot_data.services, chat.id)
    context.application.drop_chat_data(chat.id)
    await context.application.update_persistence()  # gone from disk before we say "Done"
    log.info("chat %s forgotten: %s subscriptions", chat.id, gone.subscriptions)
    await query.answer(_("Deleted."))
    count = gone.subscriptions
    subs = tr.ngettext("{n} subscription", "{n} subscriptions", count).format(n=count)
    follows = tr.ngettext("{n} followed story", "{n} followed stories", gone.follows)
    done = _(
        "Done. Deleted {subscriptions}, {follows} and this chat's settings; newsbrief keeps "
        "nothing about this chat now. /start brings the bot back."
    )
    await query.edit_message_text(
        done.format(subscriptions=subs, follows=follows.format(n=gone.follows))
    )
