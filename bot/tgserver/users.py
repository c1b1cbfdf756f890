"""Act as Telegram users: send messages, press buttons, run inline queries, read replies."""

from __future__ import annotations

import asyncio
import time
from functools import partial
from typing import Any

from bot.tgserver.core import Core
from bot.tgserver.entities import utf16_len
from bot.tgserver.incoming import (
    addressed_to_bot,
    base_message,
    detect_entities,
    photo_sizes,
    sticker,
)
from bot.tgserver.records import CallbackAnswer, InlineAnswer, SentMessage
from bot.tgserver.state import ChatState, wait_until

MessageRef = SentMessage | dict[str, Any] | int
ANONYMOUS_ADMIN = 1087968824  # the user Telegram names as the sender of an anonymous admin


def _grew(log: list[SentMessage], size: int) -> bool:
    return len(log) > size


def _message_id(ref: MessageRef) -> int:
    if isinstance(ref, SentMessage):
        return ref.message_id
    if isinstance(ref, dict):
        return int(ref["message_id"])
    return int(ref)


class UserClient:
    """One user in one chat (optionally one forum topic), with their own read cursor."""

    def __init__(
        self,
        core: Core,
        user: dict[str, Any],
        state: ChatState,
        thread_id: int | None = None,
        *,
        as_chat: bool = False,
    ) -> None:
        self._core = core
        self.user = user
        self._state = state
        self.thread_id = thread_id
        self.as_chat = as_chat  # an anonymous admin: messages come from the group itself
        self._cursor = len(state.log)

    @property
    def user_id(self) -> int:
        """Return the user's id."""
        return int(self.user["id"])

    @property
    def chat_id(self) -> int:
        """Return the id of the chat this client talks in."""
        return self._state.chat_id

    def in_thread(self, thread_id: int | None) -> UserClient:
        """Return a client for the same user and chat posting into a forum topic."""
        return UserClient(self._core, self.user, self._state, thread_id)

    async def _deliver(self, kind: str, message: dict[str, Any]) -> None:
        core = self._core
        if (
            self._state.is_group
            and core.bot.privacy_mode
            and not addressed_to_bot(message, core.bot.username, core.bot.bot_id)
        ):
            return
        await core.queue.put(kind, message)

    def _new_message(self, thread_id: int | None, reply_to: MessageRef | None) -> dict[str, Any]:
        message = base_message(self._state, self.user, thread_id or self.thread_id)
        if self.as_chat:
            message["sender_chat"] = self._state.chat
        if reply_to is not None:
            replied = self._state.messages.get(_message_id(reply_to))
            if replied is not None:
                message["reply_to_message"] = {
                    k: v for k, v in replied.items() if k != "reply_to_message"
                }
        return message

    async def send(
        self, text: str, *, reply_to: MessageRef | None = None, thread_id: int | None = None
    ) -> dict[str, Any]:
        """Send a text message to the bot; return the Message JSON the bot receives."""
        message = self._new_message(thread_id, reply_to)
        message["text"] = text
        entities = detect_entities(text)
        if entities:
            message["entities"] = entities
        self._state.messages[message["message_id"]] = message
        await self._deliver("message", message)
        return message

    async def send_sticker(
        self, emoji: str = "👍", *, thread_id: int | None = None
    ) -> dict[str, Any]:
        """Send a sticker."""
        message = self._new_message(thread_id, None)
        message["sticker"] = sticker(emoji)
        self._state.messages[message["message_id"]] = message
        await self._deliver("message", message)
        return message

    async def send_photo(
        self, caption: str | None = None, *, thread_id: int | None = None
    ) -> dict[str, Any]:
        """Send a photo, optionally with a caption."""
        message = self._new_message(thread_id, None)
        message["photo"] = photo_sizes()
        if caption:
            message["caption"] = caption
            if entities := detect_entities(caption):
                message["caption_entities"] = entities
        self._state.messages[message["message_id"]] = message
        await self._deliver("message", message)
        return message

    async def edit(self, message: MessageRef, text: str) -> dict[str, Any]:
        """Edit one of this user's messages; the bot gets an edited_message update."""
        stored = self._state.messages[_message_id(message)]
        stored["text"] = text
        stored["edit_date"] = int(time.time())
        entities = detect_entities(text)
        if entities:
            stored["entities"] = entities
        else:
            stored.pop("entities", None)
        await self._deliver("edited_message", dict(stored))
        return stored

    def replies(self) -> list[SentMessage]:
        """Return everything the bot sent or edited here since the last read, without waiting."""
        fresh = self._state.log[self._cursor :]
        self._cursor = len(self._state.log)
        return fresh

    async def wait_replies(self, count: int = 1, timeout: float = 5.0) -> list[SentMessage]:  # noqa: ASYNC109
        """Wait for the next `count` sends/edits in this chat and return exactly those."""
        log = self._state.log
        ready = await wait_until(self._state, lambda: len(log) - self._cursor >= count, timeout)
        if not ready:
            got = [entry.text[:60] for entry in log[self._cursor :]]
            raise TimeoutError(f"expected {count} replies in chat {self.chat_id}, got {got}")
        fresh = log[self._cursor : self._cursor + count]
        self._cursor += count
        return fresh

    async def no_replies(self, within: float = 0.3) -> bool:
        """Return True when the bot sends nothing here for `within` seconds."""
        log = self._state.log
        arrived = await wait_until(self._state, lambda: len(log) > self._cursor, within)
        return not arrived

    async def collect(
        self,
        *,
        quiet: float = 0.3,
        timeout: float = 10.0,  # noqa: ASYNC109 - an overall deadline
        min_count: int = 1,
    ) -> list[SentMessage]:
        """Return replies once at least `min_count` arrived and then nothing for `quiet` s.

        For a terminal chat, where the number of replies to an input is not known up front.
        """
        log = self._state.log
        deadline = time.monotonic() + timeout
        await wait_until(self._state, lambda: len(log) - self._cursor >= min_count, timeout)
        seen = len(log)
        while time.monotonic() < deadline:
            remaining = min(quiet, deadline - time.monotonic())
            await wait_until(self._state, partial(_grew, log, seen), remaining)
            if len(log) == seen:
                break
            seen = len(log)
        return self.replies()

    def _find_button(self, message: dict[str, Any], button: str | int) -> dict[str, Any]:
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        buttons = [b for row in rows for b in row]
        if isinstance(button, int):
            if not 0 <= button < len(buttons):
                raise LookupError(f"no button #{button} in {[b['text'] for b in buttons]}")
            return dict(buttons[button])
        for candidate in buttons:
            if candidate.get("text") == button:
                return dict(candidate)
        raise LookupError(f"no button {button!r} in {[b['text'] for b in buttons]}")

    async def press(
        self,
        message: MessageRef,
        button: str | int,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> CallbackAnswer:
        """Press an inline button (by text or index) and wait for answerCallbackQuery."""
        current = self._state.messages.get(_message_id(message))
        if current is None:
            raise LookupError(f"message {_message_id(message)} is gone")
        found = self._find_button(current, button)
        if "callback_data" not in found:
            raise LookupError(f"button {found.get('text')!r} has no callback_data")
        return await self.press_data(current, str(found["callback_data"]), timeout=timeout)

    async def press_data(
        self,
        message: MessageRef,
        data: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> CallbackAnswer:
        """Send a callback query with arbitrary data (a forged or stale button)."""
        current = self._state.messages.get(_message_id(message))
        if current is None:
            raise LookupError(f"message {_message_id(message)} is gone")
        query_id = self._core.new_query_id()
        future: asyncio.Future[CallbackAnswer] = asyncio.get_running_loop().create_future()
        self._core.callbacks[query_id] = future
        query = {
            "id": query_id,
            "from": self.user,
            "message": dict(current),
            "chat_instance": str(abs(self.chat_id) * 7919 % 10**12),
            "data": data,
        }
        await self._core.queue.put("callback_query", query)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            self._core.callbacks.pop(query_id, None)
            raise TimeoutError(f"the bot did not answer callback query {data!r}") from None

    async def inline(self, query: str, offset: str = "", *, timeout: float = 5.0) -> InlineAnswer:  # noqa: ASYNC109
        """Type `@bot query` in this chat and wait for answerInlineQuery."""
        query = query[:256]  # Telegram clients cap inline queries at 256 UTF-16 units
        while utf16_len(query) > 256:
            query = query[:-1]
        query_id = self._core.new_query_id()
        future: asyncio.Future[InlineAnswer] = asyncio.get_running_loop().create_future()
        self._core.inline_queries[query_id] = future
        chat_type = "sender" if self.chat_id == self.user_id else str(self._state.chat["type"])
        payload = {
            "id": query_id,
            "from": self.user,
            "query": query,
            "offset": offset,
            "chat_type": chat_type,
        }
        await self._core.queue.put("inline_query", payload)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            self._core.inline_queries.pop(query_id, None)
            raise TimeoutError(f"the bot did not answer inline query {query!r}") from None
