"""Forum topics: the topic a command or button came from, where what it sets up is delivered."""

from __future__ import annotations

from telegram import Chat, MaybeInaccessibleMessage, Message


def topic_of(message: Message | MaybeInaccessibleMessage | None) -> int | None:
    """Return the forum topic a message is in; None for the General topic and other chats.

    In a group that is no forum a reply carries the thread of the message it answers, which
    is no topic: only `is_topic_message` says the thread is one.
    """
    if not isinstance(message, Message) or not message.is_topic_message:
        return None
    return message.message_thread_id


def topic_url(chat: Chat, thread_id: int) -> str | None:
    """Return a t.me link that opens a forum topic of the chat, if it is a supergroup.

    A public group's topic opens by the group's name, a private one's by its internal id
    (t.me/c/, for its members). A link, not the topic's name: the Bot API has no method to
    ask a topic's name, and one learnt from forum_topic_created would go stale on a rename.
    """
    if chat.username:
        return f"https://t.me/{chat.username}/{thread_id}"
    internal = str(chat.id).removeprefix("-100")
    return f"https://t.me/c/{internal}/{thread_id}" if internal != str(chat.id) else None
