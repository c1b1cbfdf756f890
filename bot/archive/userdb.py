"""Users, subscriptions and feeds: one small TinyDB file, written through on every change.

Each change is an atomic, fsynced write, because a lost subscription is not acceptable.
Those writes run on a thread of their own, never on the event loop: a /subscribe must not
stall every other user's reply for an fsync. We chose a dedicated single thread for this
file over the store's writer thread (`bot/archive/writer.py`): a person's /subscribe must
not queue behind a feed cycle committing 10,000 articles, and the users file shares nothing
with the store that would need the two kept in one order. One thread, first come first
served, keeps the users file's own writes in the order they were asked and single-writer
(TinyDB is not thread-safe). Callers change their in-memory view on the loop, queue the
write (`submit`), and await it (`run`, `flush`) before they reply, so "Subscribed" still
means it is on disk. Reads stay on the caller's thread: they never touch TinyDB's query
cache (`all`, `get`) and the file is replaced atomically, so they see the file before or
after a write, never half of one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from tinydb import TinyDB
from tinydb.table import Table

from bot.archive.records import META_TABLE, SCHEMA_VERSION, SchemaError
from bot.archive.storage import AtomicJSONStorage, ReadOnlyJSONStorage

USERS_FILE = "users.json"
KIND = "users"
THREAD_NAME = "newsbrief-users"

T = TypeVar("T")


class UserDB:
    """The TinyDB file holding chats, subscriptions and feeds; services own their tables."""

    def __init__(self, data_dir: Path, *, readonly: bool = False) -> None:
        self.path = data_dir / USERS_FILE
        self.readonly = readonly
        self._db: TinyDB | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._unsettled: list[Future[Any]] = []  # writes asked for, not yet seen by a flush

    def initialize(self) -> None:
        """Open the file, stamping a new one with the schema version."""
        storage = ReadOnlyJSONStorage if self.readonly else AtomicJSONStorage
        if self.readonly and not self.path.exists():
            # A reader beside no writer yet: an empty in-file view is enough.
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = TinyDB(self.path, storage=storage)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=THREAD_NAME)
        meta = self._db.table(META_TABLE)
        stamp = meta.get(doc_id=1)
        if stamp is None:
            if not self.readonly:
                self.call(meta.insert, {"schema": SCHEMA_VERSION, "kind": KIND})
        elif stamp.get("kind") != KIND or int(stamp.get("schema", 1)) > SCHEMA_VERSION:
            raise SchemaError(f"{self.path} is not a users file of this newsbrief version")

    def shutdown(self) -> None:
        """Let the writes already asked for land, then close the file."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        if self._db is not None:
            self._db.close()
            self._db = None

    def table(self, name: str) -> Table:
        """Return a table with TinyDB's query cache off, so every read sees the file."""
        if self._db is None:
            raise RuntimeError("UserDB used before initialize()")
        return self._db.table(name, cache_size=0)

    # --- writes: one thread, in the order asked ------------------------------------------

    def submit(self, fn: Callable[..., T], /, *args: Any) -> Future[T]:
        """Queue fn(*args) on the users thread, after every write asked before; don't wait."""
        if self._pool is None:
            raise RuntimeError("UserDB used before initialize() or after shutdown()")
        future = self._pool.submit(fn, *args)
        # Writes that landed need no more watching; a failed one waits for a flush to report it.
        self._unsettled = [f for f in self._unsettled if not _landed(f)]
        self._unsettled.append(future)
        return future

    async def run(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Run fn(*args) on the users thread in turn; wait for it without blocking the loop.

        A cancelled caller does not cancel a write already queued: it still lands, in order
        (the memory it mirrors has changed already).
        """
        return await asyncio.shield(asyncio.wrap_future(self.submit(fn, *args)))

    def call(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Run fn(*args) on the users thread in turn and wait (start-up, shutdown, the CLI)."""
        return self.submit(fn, *args).result()

    async def flush(self) -> None:
        """Wait until every write asked for so far is on disk; raise the first that failed."""
        pending = list(self._unsettled)
        if pending:  # shielded: a cancelled caller must not cancel the writes still queued
            waiting = (asyncio.wrap_future(f) for f in pending)
            await asyncio.shield(asyncio.gather(*waiting, return_exceptions=True))
        self._settle(pending)

    def flush_sync(self) -> None:
        """Wait as `flush` does, from a thread that is not running the event loop."""
        pending = list(self._unsettled)
        for future in pending:
            future.exception()  # waits
        self._settle(pending)

    def _settle(self, pending: list[Future[Any]]) -> None:
        """Forget the writes a flush waited for; raise the first that failed."""
        waited = set(pending)
        self._unsettled = [f for f in self._unsettled if f not in waited]
        for future in pending:
            if future.exception() is not None:
                future.result()  # re-raises it


def _landed(future: Future[Any]) -> bool:
    return future.done() and future.exception() is None
