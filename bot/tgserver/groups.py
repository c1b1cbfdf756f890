"""Groups and supergroups: their members, and the forum topics an admin closes or deletes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.tgserver.core import Core
from bot.tgserver.state import ChatState
from bot.tgserver.users import ANONYMOUS_ADMIN, UserClient


class GroupChat:
    """A group or supergroup; get a member's client with `member()`."""

    def __init__(self, core: Core, state: ChatState) -> None:
        self._core = core
        self.state = state

    @property
    def chat_id(self) -> int:
        """Return the group's chat id."""
        return self.state.chat_id

    def member(self, user: UserClient | int, thread_id: int | None = None) -> UserClient:
        """Return a client for a member posting in this group (optionally in a topic)."""
        user_id = user.user_id if isinstance(user, UserClient) else user
        member = self.state.members.get(user_id) or self._core.world.users.get(user_id)
        if member is None:
            raise LookupError(f"user {user_id} is unknown; create it with server.user() first")
        self.state.members[user_id] = member
        return UserClient(self._core, member, self.state, thread_id)

    def anonymous_admin(self) -> UserClient:
        """Return a client for an admin posting as the group (from: @GroupAnonymousBot)."""
        user = {"id": ANONYMOUS_ADMIN, "is_bot": True, "first_name": "Group"}
        return UserClient(
            self._core, user | {"username": "GroupAnonymousBot"}, self.state, as_chat=True
        )

    # Every topic id of a forum exists until one of these: the bot is told nothing, as a bot
    # that is no topic manager hears of neither; its next send there is refused.

    def close_topic(self, thread_id: int) -> None:
        """Close a forum topic: sends to it answer 400 TOPIC_CLOSED until it is reopened."""
        self.state.closed_topics.add(thread_id)

    def reopen_topic(self, thread_id: int) -> None:
        """Undo close_topic()."""
        self.state.closed_topics.discard(thread_id)

    def delete_topic(self, thread_id: int) -> None:
        """Delete a forum topic: sends to it answer 400 `message thread not found`."""
        self.state.deleted_topics.add(thread_id)


def new_group(
    core: Core,
    chat_id: int,
    title: str,
    members: Iterable[UserClient | int],
    admins: Iterable[UserClient | int],
    owner: UserClient | int | None,
    *,
    forum: bool,
    username: str | None,
) -> GroupChat:
    """Register a group (supergroup when the id starts with -100) and its members."""
    kind = "supergroup" if str(chat_id).startswith("-100") else "group"
    chat: dict[str, Any] = {"id": chat_id, "type": kind, "title": title}
    if forum:
        chat["is_forum"] = True
    if username:
        chat["username"] = username
    state = core.world.add_chat(chat)
    group = GroupChat(core, state)

    def uid(ref: UserClient | int) -> int:
        return ref.user_id if isinstance(ref, UserClient) else ref

    for ref in [*members, *admins, *([owner] if owner is not None else [])]:
        group.member(ref)
    state.admins.update(uid(ref) for ref in admins)
    state.owner = uid(owner) if owner is not None else None
    return group
