"""In-memory chats, users and messages of the local Bot API server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.tgserver.errors import bad_request, forbidden
from bot.tgserver.records import SentMessage


@dataclass(slots=True)
class ChatState:
    """One chat: its Chat JSON, members, messages and the bot's sent/edited log."""

    chat: dict[str, Any]
    members: dict[int, dict[str, Any]] = field(default_factory=dict)
    admins: set[int] = field(default_factory=set)
    owner: int | None = None
    blocked: bool = False
    migrated_to: int | None = None
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_message_id: int = 1
    log: list[SentMessage] = field(default_factory=list)
    closed_topics: set[int] = field(default_factory=set)  # forum topics an admin closed
    deleted_topics: set[int] = field(default_factory=set)
    linked_chat_id: int | None = None  # a channel's discussion group, or a group's channel
    copies: dict[int, int] = field(default_factory=dict)  # channel post -> its copy in the group
    # Per chat, so 200 simulated users waiting for replies do not all wake on every send.
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    @property
    def chat_id(self) -> int:
        """Return the chat id."""
        return int(self.chat["id"])

    @property
    def is_group(self) -> bool:
        """Return True for groups and supergroups."""
        return self.chat["type"] in ("group", "supergroup")

    def check_topic(self, thread_id: int) -> None:
        """Raise what Telegram answers a bot posting into a deleted or closed forum topic."""
        if not self.chat.get("is_forum"):
            return
        if thread_id in self.deleted_topics:
            raise bad_request("message thread not found")
        if thread_id in self.closed_topics:  # only topic managers post there; the bot is none
            raise bad_request("TOPIC_CLOSED")

    def new_message_id(self) -> int:
        """Allocate the next message id in this chat."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


def user_json(
    user_id: int, first_name: str, username: str | None, lang: str | None
) -> dict[str, Any]:
    """Return a Bot API User object for a human user."""
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if username:
        user["username"] = username
    if lang:
        user["language_code"] = lang
    return user


class World:
    """All chats and users the server knows, plus a notifier for anything the bot does."""

    def __init__(self) -> None:
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, ChatState] = {}

    def add_chat(self, chat: dict[str, Any]) -> ChatState:
        """Register a chat (or return the existing one with the same id)."""
        chat_id = int(chat["id"])
        if chat_id not in self.chats:
            self.chats[chat_id] = ChatState(chat=chat)
        return self.chats[chat_id]

    def resolve(self, chat_id: Any) -> ChatState:
        """Return the chat the bot addresses, raising what Telegram raises for bad targets."""
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for candidate in self.chats.values():
                if candidate.chat.get("username", "").lower() == chat_id[1:].lower():
                    chat_id = candidate.chat_id
                    break
        try:
            key = int(chat_id)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        state = self.chats.get(key)
        if state is None:
            raise bad_request("chat not found")
        if state.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": state.migrated_to},
            )
        if state.blocked:
            if state.is_group:
                raise forbidden("bot was kicked from the group chat")
            raise forbidden("bot was blocked by the user")
        return state

    def message(self, state: ChatState, message_id: Any, action: str) -> dict[str, Any]:
        """Return a stored message or raise `message to <action> not found`."""
        try:
            found = state.messages.get(int(message_id))
        except (TypeError, ValueError):
            found = None
        if found is None:
            raise bad_request(f"message to {action} not found")
        return found

    async def record(self, state: ChatState, entry: SentMessage) -> None:
        """Append to the chat's log and wake whoever waits on that chat."""
        state.log.append(entry)
        async with state.changed:
            state.changed.notify_all()


async def wait_until(
    state: ChatState,
    predicate: Callable[[], bool],
    timeout: float,  # noqa: ASYNC109 - a deadline for the predicate, not for one await
) -> bool:
    """Wait until predicate() holds for a chat or timeout passes; return the final value."""
    deadline = time.monotonic() + timeout
    async with state.changed:
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return predicate()
            try:
                await asyncio.wait_for(state.changed.wait(), remaining)
            except TimeoutError:
                return predicate()
        return True
