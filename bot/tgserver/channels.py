"""Channels: an admin's posts reach the bot as channel_post updates sent by the channel.

A channel may have a linked discussion group. Telegram copies every post into it as a message
from the service user "Telegram" sent as the channel, `is_automatic_forward` set, so a bot in
both chats gets each post twice: once as a channel_post, once as a message in the group.
"""

from __future__ import annotations

from typing import Any

from bot.tgserver.core import Core
from bot.tgserver.groups import GroupChat
from bot.tgserver.incoming import addressed_to_bot, base_message
from bot.tgserver.users import UserClient

SERVICE_USER = {"id": 777000, "is_bot": False, "first_name": "Telegram"}
# What a post's copy carries over; the rest (ids, chat, date, sender) is the copy's own.
_CONTENT = ("text", "entities", "caption", "caption_entities", "photo", "sticker", "edit_date")
_EDITED = {"message": "channel_post", "edited_message": "edited_channel_post"}


class ChannelAdmin(UserClient):
    """An admin of a channel: posts come from the channel itself; button presses from them."""

    async def _deliver(self, kind: str, message: dict[str, Any]) -> None:
        # A channel post names no user (unsigned), only the channel; the bot, an admin, sees all.
        message.pop("from", None)
        message["sender_chat"] = self._state.chat
        await self._core.queue.put(_EDITED[kind], message)
        await self._copy_to_discussion(kind, message)

    async def _copy_to_discussion(self, kind: str, post: dict[str, Any]) -> None:
        """Copy a post, or an edit of it, into the linked group, as Telegram does."""
        group = self._core.world.chats.get(self._state.linked_chat_id or 0)
        if group is None or group.blocked:
            return
        copy_id = self._state.copies.get(int(post["message_id"]))
        if copy_id is None:
            copy = base_message(group, SERVICE_USER, None)
            copy |= {
                "sender_chat": self._state.chat,
                "is_automatic_forward": True,
                "forward_origin": {
                    "type": "channel",
                    "chat": self._state.chat,
                    "message_id": post["message_id"],
                    "date": post["date"],
                },
            }
            group.messages[copy["message_id"]] = copy
            self._state.copies[int(post["message_id"])] = int(copy["message_id"])
        else:
            copy = group.messages[copy_id]
        copy.update({key: post[key] for key in _CONTENT if key in post})
        bot = self._core.bot
        if bot.privacy_mode and not addressed_to_bot(copy, bot.username, bot.bot_id):
            return
        await self._core.queue.put(kind, dict(copy))

    def link_discussion(self, group: GroupChat) -> None:
        """Link a discussion group (the bot a member): each post from now on is copied there."""
        self._state.linked_chat_id = group.chat_id
        group.state.linked_chat_id = self._state.chat_id

    def reader(self, user: UserClient) -> UserClient:
        """Return a client for a subscriber of the channel: not an admin, yet sees its buttons."""
        self._state.members[user.user_id] = user.user
        return UserClient(self._core, user.user, self._state)


def channel_admin(core: Core, chat_id: int, title: str, user: dict[str, Any]) -> ChannelAdmin:
    """Register a channel (the bot one of its admins) and return a client for one admin."""
    state = core.world.add_chat({"id": chat_id, "type": "channel", "title": title})
    state.admins.add(int(user["id"]))
    return ChannelAdmin(core, user, state)
