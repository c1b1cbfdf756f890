"""Who may change a chat's settings, and what anyone else is told, in that chat's words.

Anyone in a private chat; a group's admins (and an anonymous admin, who posts as the group);
in a channel its admins, the only ones who post there. A channel's readers press the buttons
under its posts as a group's members do, and "this group's admins" read wrong there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.app.context import NewsContext
from bot.i18n import Translator

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AdminsOnly:
    """What only a chat's admins may change: its msgid said of a group, and of a channel."""

    group: str
    channel: str

    def text(self, update: Update, tr: Translator) -> str:
        """Return the refusal in tr's language, naming the kind of chat the update came from."""
        chat = update.effective_chat
        in_channel = chat is not None and chat.type == ChatType.CHANNEL
        return tr.gettext(self.channel if in_channel else self.group)


async def may_change(update: Update, context: NewsContext) -> bool:
    """Return whether the sender may change this chat's settings (admins in groups)."""
    chat, post = update.effective_chat, update.message or update.channel_post
    if chat is None or chat.type == ChatType.PRIVATE or (post and chat.type == ChatType.CHANNEL):
        return chat is not None  # only a channel's admins post; all its readers press buttons
    if post is not None and post.sender_chat is not None:
        return post.sender_chat.id == chat.id  # an anonymous admin posts as the group
    if (user := update.effective_user) is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        log.info("admin check failed in %s: %s", chat.id, exc)
        return False
    return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)
