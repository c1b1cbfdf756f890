"""Chat state in the users' tables when several bot processes share one database.

A lone bot keeps its chats' lists in `chats.json` (bot/app/persistence.py). With a shared
database only the leader takes updates, and the lead moves. A new leader with a file of its
own answered "expired" to the lists the old one had shown, and worse, it handed out listing
keys the old leader's buttons already carried, so an old "More »" could page another list.
Here each chat's state is one row of the users' table `chat_state`, written when PTB saves
it (every UPDATE_INTERVAL, at shutdown, and when a process steps down), and read again by a
process when it begins to lead; until a chat's next update the process keeps what it had.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.app.context import ChatData
from bot.app.persistence import (
    MAX_AGE,
    STATE_FILE,
    UPDATE_INTERVAL,
    ChatOnlyPersistence,
    ChatStatePersistence,
    decode_chats,
    encode,
)
from bot.archive.storage import StorageError, read_json_file
from bot.archive.usertables import UserTables
from bot.models import utcnow

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

TABLE = "chat_state"
# Listing keys a leader hands out start at its term (bot/pg/leader.py) times this: a leader
# killed -9 loses up to UPDATE_INTERVAL of its chats' state, the keys it gave out among it,
# and the next leader must not give them again. A chat gets at most about a message a second,
# so no chat sees a million lists in one term (eleven days of nothing else).
TERM_SPAN = 1_000_000


class SharedChatState(ChatOnlyPersistence):
    """Each chat's `ChatData` as a row of the shared users' tables."""

    def __init__(
        self,
        users: UserTables,
        *,
        clock: Callable[[], datetime] = utcnow,
        max_age: timedelta = MAX_AGE,
        update_interval: float = UPDATE_INTERVAL,
    ) -> None:
        super().__init__(clock=clock, max_age=max_age, update_interval=update_interval)
        self.users = users
        self._stored: dict[int, ChatData] = {}  # read at the last takeover, not yet applied
        self._taken = False  # a takeover's state waits for each chat's next update
        self._first_key = 1  # the lowest listing key of this leadership
        self._applied: set[int] = set()  # chats given the stored state since the takeover

    async def get_chat_data(self) -> dict[int, ChatData]:
        """Load every chat's state (at start), dropping expired lists and unreadable rows."""
        return await asyncio.to_thread(self._read)

    async def take_over(self, term: int) -> None:
        """Read the state again as this process begins to lead term (another may have led since)."""
        await self.users.flush()  # this process's own rows first: the read must hold them
        self._stored = await asyncio.to_thread(self._read)
        self._taken = True
        self._applied = set()
        self._first_key = term * TERM_SPAN

    async def refresh_chat_data(self, chat_id: int, chat_data: ChatData) -> None:
        """Before a chat's first update since the takeover, replace its state by the stored one.

        Its listing keys start at the term's, or past what this process or the table gave out.
        """
        if not self._taken or chat_id in self._applied:
            return
        self._applied.add(chat_id)
        stored = self._stored.pop(chat_id, None) or ChatData()
        after = max(stored.next_listing, chat_data.next_listing, self._first_key)
        for field in dataclasses.fields(ChatData):
            setattr(chat_data, field.name, getattr(stored, field.name))
        chat_data.next_listing = after

    async def update_chat_data(self, chat_id: int, data: ChatData) -> None:
        """Queue the chat's row (PTB hands a deep copy); an empty state drops the row."""
        if (encoded := self.kept(data)) is None:  # keep not even the row
            await self.drop_chat_data(chat_id)
            return
        self.users.put(TABLE, str(chat_id), {"chat_id": chat_id, "state": encoded})

    async def drop_chat_data(self, chat_id: int) -> None:
        """Forget the chat (e.g. after /forget)."""
        self.users.delete(TABLE, [str(chat_id)])

    async def flush(self) -> None:
        """Wait until the queued rows are stored (PTB calls this on shutdown)."""
        await self.users.flush()

    def _read(self) -> dict[int, ChatData]:
        saved: dict[str, Any] = {}
        for doc in self.users.load(TABLE):
            if "chat_id" in doc:
                saved[str(doc["chat_id"])] = doc.get("state")
        return decode_chats(saved, self.clock() - self.max_age, f"the {TABLE} table")


def rows_of_file(path: Path, now: datetime) -> dict[str, dict[str, Any]]:
    """Return a lone bot's `chats.json` as this table's rows (key: the chat id), for migrate.

    The file is read as the lone bot reads it: lists older than MAX_AGE and unreadable chats
    are left out, and a chat left with nothing to keep has no row, as `update_chat_data` writes.
    """
    try:
        stored = read_json_file(path)
    except StorageError as exc:  # a damaged state file costs the lists, as at a start
        log.warning("chat state not copied: %s", exc)
        stored = None
    saved = stored.get("chats") if isinstance(stored, dict) else None
    chats = decode_chats(saved if isinstance(saved, dict) else {}, now - MAX_AGE, str(path))
    empty = encode(ChatData())
    encoded = {chat_id: encode(data) for chat_id, data in chats.items()}
    return {
        str(chat_id): {"chat_id": chat_id, "state": state}
        for chat_id, state in encoded.items()
        if state != empty
    }


def chat_persistence(services: Services) -> SharedChatState | ChatStatePersistence:
    """Return where chat state is kept: the shared database's tables, or the data dir's file."""
    if services.database is not None:  # the lead moves between processes
        return SharedChatState(services.users)
    return ChatStatePersistence(services.config.data_dir / STATE_FILE)
