"""Forum topics: the topic a command or button came from, where what it sets up is delivered."""

from __future__ import annotations

from telegram import MaybeInaccessibleMessage, Message


def topic_of(message: Message | MaybeInaccessibleMessage | None) -> int | None:
    """Return the forum topic a message is in; None for the General topic and other chats.

    In a group that is no forum a reply carries the thread of the message it answers, which
    is no topic: only `is_topic_message` says the thread is one.
    """
    if not isinstance(message, Message) or not message.is_topic_message:
        return None
    return message.message_thread_id
