"""Channels: an admin's posts reach the bot as channel_post updates sent by the channel."""

from __future__ import annotations

from typing import Any

from bot.tgserver.core import Core
from bot.tgserver.users import UserClient


class ChannelAdmin(UserClient):
    """An admin of a channel: posts come from the channel itself; button presses from them."""

    async def _deliver(self, kind: str, message: dict[str, Any]) -> None:
        # A channel post names no user (unsigned), only the channel; the bot, an admin, sees all.
        message.pop("from", None)
        message["sender_chat"] = self._state.chat
        await self._core.queue.put("channel_post", message)

    def reader(self, user: UserClient) -> UserClient:
        """Return a client for a subscriber of the channel: not an admin, yet sees its buttons."""
        self._state.members[user.user_id] = user.user
        return UserClient(self._core, user.user, self._state)


def channel_admin(core: Core, chat_id: int, title: str, user: dict[str, Any]) -> ChannelAdmin:
    """Register a channel (the bot one of its admins) and return a client for one admin."""
    state = core.world.add_chat({"id": chat_id, "type": "channel", "title": title})
    state.admins.add(int(user["id"]))
    return ChannelAdmin(core, user, state)
