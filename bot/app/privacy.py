"""`/forget`: delete everything the bot keeps about one chat.

Per chat the bot keeps its subscriptions and chat settings (digest service, in the users
file) and the lists it showed (ChatData, in memory). Articles and feeds are shared and
belong to no chat, so they stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What /forget deleted for a chat."""

    subscriptions: int
    settings: bool


def chat_subscriptions(services: object, chat_id: int) -> int:
    """Return how many subscriptions the chat has (0 without a digest service)."""
    digests: Any = getattr(services, "digests", None)
    if digests is None:
        return 0
    return len(digests.subs.for_chat(chat_id))


def forget_chat(services: object, chat_id: int) -> Forgotten:
    """Delete the chat's subscriptions (and their jobs) and its settings."""
    digests: Any = getattr(services, "digests", None)
    if digests is None:
        return Forgotten(0, False)
    forget = getattr(digests, "forget_chat", None)
    if forget is not None:  # the digest service's own way, when it has one
        removed = forget(chat_id)
        return Forgotten(len(removed), True)
    gone = digests.unsubscribe(chat_id, [s.sub_id for s in digests.subs.for_chat(chat_id)])
    return Forgotten(len(gone), _drop_settings(services, digests, chat_id))


def _drop_settings(services: Any, digests: Any, chat_id: int) -> bool:
    """Reset the chat's settings in memory and delete its stored row; return if it had one."""
    from bot.digests.records import ChatSettings
    from bot.digests.subscriptions import CHATS_TABLE

    table = services.users.table(CHATS_TABLE)
    had = bool(table.search(lambda d: d.get("chat_id") == chat_id))
    digests.subs.set_chat(ChatSettings(chat_id))  # defaults: no zone, active, quiet
    table.remove(lambda d: d.get("chat_id") == chat_id)
    return had
