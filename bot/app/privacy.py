"""`/forget`: delete everything the bot keeps about one chat.

Per chat the bot keeps its subscriptions and chat settings (digest service, in the users
file), the stories it follows and its quiet hours (follow service, same file) and the lists it showed (ChatData). Articles and feeds are shared and belong to no
chat, so they stay.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.services import Services


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What /forget deleted for a chat."""

    subscriptions: int
    settings: bool
    follows: int = 0


def chat_subscriptions(services: Services, chat_id: int) -> int:
    """Return how many subscriptions the chat has."""
    return len(services.digests.for_chat(chat_id))


async def forget_chat(services: Services, chat_id: int) -> Forgotten:
    """Delete the chat's subscriptions (and their jobs) and its settings, from disk too."""
    removed, had_settings = await services.digests.forget_chat(chat_id)
    follows = await services.follows.forget_chat(chat_id)
    services.users.scrub()  # the deleted documents' old lines go too, not only their keys
    await services.users.flush()
    return Forgotten(removed, had_settings, follows)
