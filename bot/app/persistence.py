"""Chat state across restarts: PTB persistence of `ChatData` in the data dir's `chats.json`.

Why a `BasePersistence` of our own rather than `PicklePersistence`: the file is JSON written
by the same atomic, fsynced replace as every other data file (a `kill -9` leaves the old or
the new state), it is readable and backed up like the rest, and loading it cannot run code.
What is stored is whatever the `ChatData` dataclass holds, encoded field by field
(`encode`/`decode` below follow the type hints), so new per-chat state needs no code here.
Only chat data is kept: `bot_data` holds live services, and user data is unused.

PTB calls `update_chat_data` for the chats an update touched every `update_interval` seconds
and once more on shutdown; the file is written in a worker thread, never in the event loop.
Lists older than a day are dropped on save and on load, so the file stays small.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import types
import typing
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from bot.app.context import BotData, ChatData
from bot.archive.storage import StorageError, read_json_file, write_json_atomic
from bot.models import utcnow

log = logging.getLogger(__name__)

STATE_FILE = "chats.json"
MAX_AGE = timedelta(days=1)
UPDATE_INTERVAL = 60.0  # seconds between saves of the chats that changed
VERSION = 1
IDLE_FIELDS = ("next_listing", "blocked")  # what an idle chat keeps once its lists expired

# PTB's own aliases for what this class does not keep (they live in a private module).
ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]


def encode(value: Any) -> Any:
    """Return a JSON-ready form of dataclasses, dicts (as pairs: keys keep type and order), lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return [[encode(k), encode(v)] for k, v in value.items()]
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def decode(hint: Any, raw: Any) -> Any:
    """Rebuild a value of type `hint` from `encode`'s output; ValueError when it does not fit."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return raw
    if origin in (typing.Union, types.UnionType):
        if raw is None and type(None) in args:
            return None
        return decode(next(a for a in args if a is not type(None)), raw)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(raw, dict):
            raise ValueError(f"{hint.__name__}: expected an object")
        hints = typing.get_type_hints(hint)
        known = {f.name for f in dataclasses.fields(hint) if f.init}
        # Fields this version does not know are ignored; missing ones take their defaults.
        return hint(**{k: decode(hints[k], v) for k, v in raw.items() if k in known})
    if origin in (dict, OrderedDict):
        key_type, value_type = args
        return origin((decode(key_type, k), decode(value_type, v)) for k, v in raw)
    if origin in (list, tuple):
        return origin(decode(args[0], v) for v in raw)
    if hint is datetime:
        return datetime.fromisoformat(raw)
    if isinstance(hint, type) and isinstance(raw, hint):
        return raw
    raise ValueError(f"expected {hint}, got {type(raw).__name__}")


def decode_chats(saved: dict[str, Any], cutoff: datetime, where: str) -> dict[int, ChatData]:
    """Rebuild stored chats (id -> encoded state), without lists older than cutoff or unreadable."""
    chats: dict[int, ChatData] = {}
    for key, raw in saved.items():
        try:
            data = decode(ChatData, raw)
            data.drop_older_than(cutoff)  # also refuses times without a zone (TypeError)
            chats[int(key)] = data
        except (ValueError, TypeError, KeyError, StopIteration) as exc:
            log.warning("chat %s: state in %s not loaded: %s", key, where, exc)
    return chats


class ChatOnlyPersistence(BasePersistence[dict[Any, Any], ChatData, BotData]):
    """A PTB persistence of `ChatData` alone; where it is kept is the subclass's."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = utcnow,
        max_age: timedelta = MAX_AGE,
        update_interval: float = UPDATE_INTERVAL,
    ) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=True, user_data=False, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.clock = clock
        self.max_age = max_age

    def kept(self, data: ChatData) -> Any | None:
        """Return the chat's encoded state without expired lists, or None when nothing is left."""
        data.drop_older_than(self.clock() - self.max_age)
        encoded = encode(data)
        return None if encoded == encode(ChatData()) else encoded  # e.g. just after /forget

    # What this persistence does not keep: bot data, user data, callback data, conversations.

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        """Return no user data (not kept)."""
        return {}

    async def get_bot_data(self) -> BotData:
        """Return fresh bot data (never called: bot_data is not kept)."""
        return BotData()

    async def get_callback_data(self) -> CDCData | None:
        """Return no callback data (not kept)."""
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        """Return no conversations (the bot has none)."""
        return {}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Keep nothing."""

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        """Keep nothing."""

    async def update_bot_data(self, data: BotData) -> None:
        """Keep nothing."""

    async def update_callback_data(self, data: CDCData) -> None:
        """Keep nothing."""

    async def drop_user_data(self, user_id: int) -> None:
        """Keep nothing."""

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        """Nothing to refresh: user data is not kept."""

    async def refresh_chat_data(self, chat_id: int, chat_data: ChatData) -> None:
        """Nothing to refresh: this process is the only writer."""

    async def refresh_bot_data(self, bot_data: BotData) -> None:
        """Nothing to refresh."""


class ChatStatePersistence(ChatOnlyPersistence):
    """Keep each chat's `ChatData` in one JSON file of the data directory."""

    def __init__(
        self,
        path: Path,
        *,
        clock: Callable[[], datetime] = utcnow,
        max_age: timedelta = MAX_AGE,
        update_interval: float = UPDATE_INTERVAL,
    ) -> None:
        super().__init__(clock=clock, max_age=max_age, update_interval=update_interval)
        self.path = path
        self._chats: dict[int, Any] = {}  # chat id -> encoded ChatData
        self._touched: dict[int, datetime] = {}  # chat id -> last update (or load)
        self._dirty = False
        self._write_lock = asyncio.Lock()

    async def get_chat_data(self) -> dict[int, ChatData]:
        """Load the chats' state, dropping what expired and what this version cannot read."""
        try:
            stored = await asyncio.to_thread(read_json_file, self.path)
        except StorageError as exc:  # a damaged state file costs the lists, never the bot
            log.warning("chat state not loaded: %s", exc)
            stored = None
        saved = (stored or {}).get("chats", {})
        if not isinstance(saved, dict):
            log.warning("chat state not loaded: %s holds no chats object", self.path)
            saved = {}
        chats = decode_chats(saved, self.clock() - self.max_age, str(self.path))
        self._chats = {chat_id: encode(data) for chat_id, data in chats.items()}
        self._touched = dict.fromkeys(self._chats, self.clock())
        return chats

    async def update_chat_data(self, chat_id: int, data: ChatData) -> None:
        """Remember the chat's state (PTB hands a deep copy) and save the file."""
        if (encoded := self.kept(data)) is None:  # keep not even the id
            await self.drop_chat_data(chat_id)
            return
        self._chats[chat_id] = encoded
        self._touched[chat_id] = self.clock()
        await self._save()

    async def drop_chat_data(self, chat_id: int) -> None:
        """Forget the chat (e.g. after /forget) and save the file."""
        self._touched.pop(chat_id, None)
        if self._chats.pop(chat_id, None) is not None:
            await self._save()

    async def flush(self) -> None:
        """Save whatever is not on disk yet (PTB calls this on shutdown)."""
        await self._save()

    async def _save(self) -> None:
        """Write the file in a thread; calls that arrive during a write share the next one."""
        self._dirty = True
        async with self._write_lock:
            if not self._dirty:
                return
            self._dirty = False
            self._compact_idle()
            document = {
                "_meta": {"version": VERSION},
                "chats": {str(k): v for k, v in self._chats.items()},
            }
            await asyncio.to_thread(write_json_atomic, self.path, document)

    def _compact_idle(self) -> None:
        """Shrink each chat untouched for max_age to its counters, or drop it if they are new.

        PTB updates only the chats an update touched, so without this a chat seen once kept
        its expired lists here and in the file until a restart. Its lists were all made
        before its last update, so they have expired; what is left is `next_listing` (an old
        button must never page a newer list) and `blocked`: a few bytes, or nothing at all.
        """
        cutoff = self.clock() - self.max_age
        fresh = encode(ChatData())
        for chat_id in [c for c, when in self._touched.items() if when < cutoff]:
            del self._touched[chat_id]
            counters = {k: self._chats[chat_id].get(k, fresh[k]) for k in IDLE_FIELDS}
            if counters == {k: fresh[k] for k in IDLE_FIELDS}:
                del self._chats[chat_id]
            else:
                self._chats[chat_id] = counters
