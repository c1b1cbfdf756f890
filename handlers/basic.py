"""/start, /help, unknown commands and messages the bot cannot read."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.ext import ChatMemberHandler, CommandHandler, MessageHandler, filters

from bot.app.commands import TYPED_COMMAND, CommandSpec, help_html, is_admin
from bot.app.context import NewsApp, NewsContext
from bot.app.language import chat_translator
from bot.i18n import N_, Translator
from bot.render import escape

log = logging.getLogger(__name__)

COMMANDS = [
    CommandSpec("start", N_("What this bot does")),
    CommandSpec("help", N_("Every command, one line each")),
]
FALLBACK_GROUP = 50  # after every module's handlers in group 0

START_TEXT = N_(
    "<b>newsbrief</b> keeps up with the news for you.\n"
    "It collects articles from news feeds, finds what you ask for and sums it up.\n"
    "Subscribe to a topic and get a short digest every day.\n"
)
MAIN_COMMANDS = ("latest", "search", "summary", "subscribe", "language", "help")


def start_html(specs: list[CommandSpec], tr: Translator) -> str:
    """Return the /start text: three lines, then the main commands of the registered list."""
    _ = tr.gettext
    by_name = {spec.name: spec for spec in specs}
    lines = []
    for name in MAIN_COMMANDS:
        if name in by_name:
            spec = by_name[name]
            usage = f"/{name} {escape(_(spec.args) if spec.args else '')}".rstrip()
            lines.append(f"{usage} — {escape(_(spec.description))}")
    lines.append(_("Or just send some words to search."))
    return _(START_TEXT) + "\n" + "\n".join(lines)


def register(application: NewsApp) -> None:
    """Add /start, /help and the fallbacks for unknown commands and non-text messages."""
    new = filters.UpdateType.MESSAGE  # edited messages are ignored on purpose
    posts = new | filters.UpdateType.CHANNEL_POST  # a channel's admins post as the channel
    application.add_handler(CommandHandler("start", start, filters=posts))
    application.add_handler(CommandHandler("help", help_command, filters=posts))
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handler(
        MessageHandler(
            (filters.COMMAND | TYPED_COMMAND) & filters.UpdateType.MESSAGE, unknown_command
        ),
        group=FALLBACK_GROUP,
    )
    unreadable = private & ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL
    application.add_handler(MessageHandler(unreadable, not_text), group=FALLBACK_GROUP)
    application.add_handler(ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER))


async def start(update: Update, context: NewsContext) -> None:
    """Introduce the bot and wake up the chat's subscriptions."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    if context.chat_data is not None:
        context.chat_data.blocked = False
    for hook in context.bot_data.on_chat_start:  # call point: digests reactivate subscriptions
        await hook(context, chat.id)
    tr = chat_translator(update, context)
    await message.reply_text(start_html(context.bot_data.commands, tr))


async def help_command(update: Update, context: NewsContext) -> None:
    """List every command the user may use."""
    message = update.effective_message
    if message is None:
        return
    user = update.effective_user
    admin = is_admin(context.bot_data.config, user.id if user else None)
    tr = chat_translator(update, context)
    await message.reply_text(help_html(context.bot_data.commands, admin=admin, tr=tr))


async def unknown_command(update: Update, context: NewsContext) -> None:
    """Answer a command nobody handles, unless it was meant for another bot or another group."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    word = message.text.split(maxsplit=1)[0][1:]
    name, _, target = word.partition("@")
    if target and target.lower() != context.bot_data.bot_username.lower():
        return  # /cmd@OtherBot
    if name.lower() in {spec.name for spec in context.bot_data.commands}:
        return  # known: handled in group 0
    if message.chat.type != message.chat.PRIVATE and not target:
        return  # a bare unknown /cmd in a group may be for another bot
    _ = chat_translator(update, context).gettext
    await message.reply_text(_("I don't know that command. /help lists what I can do."))


async def not_text(update: Update, context: NewsContext) -> None:
    """Tell a private chat that only text is understood (stickers, photos, voice...)."""
    message = update.effective_message
    if message is not None:
        _ = chat_translator(update, context).gettext
        await message.reply_text(_("I can only read text. Send some words to search the news."))


GONE = frozenset({ChatMember.BANNED, ChatMember.LEFT})


async def membership(update: Update, context: NewsContext) -> None:
    """Note when a user blocks the bot or a group removes or adds it, and tell the services.

    A group that adds the bot back sends no /start, so its coming back is the sign to resume.
    """
    change = update.my_chat_member
    if change is None:
        return
    gone = change.new_chat_member.status in GONE
    if context.chat_data is not None:
        context.chat_data.blocked = gone
    if gone:
        await chat_blocked(context, change.chat.id)
    elif change.old_chat_member.status in GONE:
        for hook in context.bot_data.on_chat_start:  # as /start: digests resume
            await hook(context, change.chat.id)


async def chat_blocked(context: NewsContext, chat_id: int) -> None:
    """Run the chat-blocked hooks (e.g. pause the chat's digests)."""
    for hook in context.bot_data.on_chat_blocked:
        await hook(context, chat_id)
