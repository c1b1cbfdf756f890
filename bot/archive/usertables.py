"""The users' data of a deployment as keyed JSON documents in named tables, and its embedded store.

`UserTables` is the seam: the subscriptions, chats, follows, quiet hours, feeds and `_meta`
stores write by key through it and keep their own in-memory mirrors; `EmbeddedUserTables`
(here) keeps them in files, `bot/pg/usertables.py` in PostgreSQL.

Why an append-only file per table (`bot/archive/tablefile.py`) rather than TinyDB: TinyDB
rewrites its whole file on every change, and the users file held every subscription with up
to 300 sent stories each (56 MB, ~0.5 s per /subscribe at 10,000 subscribers). Sharding it
into many TinyDB files would only divide that cost; a log of puts and deletes writes what
changed and nothing else, and compacts a table only once half of it is dead (after each
subscriber's document was replaced once, e.g. by a day's fan-out), like the archive's
append-only records files (`segments.py`).

Writes: `put`/`delete` serialise on the caller's thread (the event loop: a document is
small) and queue the line; one writer thread appends everything queued in one `write()` and
one fsync per table (group commit: a fan-out of 10,000 deliveries costs a few fsyncs, not
10,000), in the order asked. `flush` waits for that, so "Subscribed" still means on disk.
On the loop, the drain starts at the end of the loop's turn (or at `flush`), not at the
first put, so a command's writes share one drain; the tables a drain touches are appended
and fsynced side by side. A new chat's /subscribe puts its chat settings and its
subscription: it waits for one fsync's time, where it waited for two in a row.
A read-only view (a second process) reads the files each time `load` is called.
"""

from __future__ import annotations

import asyncio
import logging
import queue
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any, Protocol

from bot.archive.pending import PendingWrites
from bot.archive.records import META_TABLE, SCHEMA_VERSION, SchemaError
from bot.archive.tablefile import SUFFIX, TableFile, delete_line, put_line, read_docs
from bot.archive.usermigrate import LEGACY_FILE, META_KEY, legacy_docs, migrate_legacy

TABLES_DIR = "users"
KIND = "users"
THREAD_NAME = "newsbrief-users"
SIDE_BY_SIDE = 3  # threads appending a drain's other tables beside the writer's own

log = logging.getLogger(__name__)

__all__ = ["META_KEY", "EmbeddedUserTables", "UserTables"]

Op = tuple[str, str, bytes, bool]  # table, key, line, is_put
SCRUB: Op = ("", "", b"", False)  # rewrite every table without its dead lines (/forget)


class UserTables(Protocol):
    """Keyed JSON documents in named tables: the users' data of one deployment."""

    readonly: bool

    def load(self, table: str) -> Iterable[dict[str, Any]]:
        """Return every doc of a table (start-up); iterate it once."""

    def put(self, table: str, key: str, doc: dict[str, Any]) -> None:
        """Queue an upsert, in order."""

    def put_many(self, table: str, docs: Mapping[str, dict[str, Any]]) -> None:
        """Queue many upserts, in order."""

    def delete(self, table: str, keys: Iterable[str]) -> None:
        """Queue removals, in order."""

    def scrub(self) -> None:
        """Queue, behind every write asked before, the erasure of deleted docs' old text."""

    async def flush(self) -> None:
        """Wait until every queued write is durable; raise the first failure."""

    def flush_sync(self) -> None:
        """Wait as `flush` does, from a thread that is not the loop."""

    def initialize(self) -> None:
        """Open the tables (migrating older files), stamping a new deployment."""

    def shutdown(self) -> None:
        """Let the queued writes land, then close."""


class EmbeddedUserTables:
    """The tables as append-only files in `<data dir>/users/`, written on one thread."""

    def __init__(self, data_dir: Path, *, readonly: bool = False) -> None:
        self.data_dir = data_dir
        self.directory = data_dir / TABLES_DIR
        self.readonly = readonly
        self._files: dict[str, TableFile] = {}  # the writer thread's (a drain lends files out)
        self._queue: queue.SimpleQueue[Op] = queue.SimpleQueue()
        self._pool: ThreadPoolExecutor | None = None
        self._beside: ThreadPoolExecutor | None = None  # a drain's other tables, in parallel
        self._last: Future[None] | None = None  # the newest drain asked for
        self._unkicked = False  # ops queued that no drain was asked to take yet
        self._pending = PendingWrites()  # writes queued, not yet seen by a flush
        self._legacy: dict[str, list[dict[str, Any]]] | None = None  # read-only, unmigrated

    # --- life cycle -----------------------------------------------------------------------

    def initialize(self) -> None:
        """Migrate a users.json once, open the tables, check or stamp the schema."""
        if self.readonly:
            if not self.directory.is_dir() and (self.data_dir / LEGACY_FILE).exists():
                self._legacy = legacy_docs(self.data_dir / LEGACY_FILE)
        else:
            migrate_legacy(self.data_dir, self.directory)
            self.directory.mkdir(parents=True, exist_ok=True)
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=THREAD_NAME)
            self._beside = ThreadPoolExecutor(SIDE_BY_SIDE, thread_name_prefix=f"{THREAD_NAME}+")
        stamp = next((d for d in self.load(META_TABLE) if d), None)
        if stamp is None:
            if not self.readonly:
                self.put(META_TABLE, META_KEY, {"schema": SCHEMA_VERSION, "kind": KIND})
                self.flush_sync()
        elif stamp.get("kind") != KIND or int(stamp.get("schema", 1)) > SCHEMA_VERSION:
            raise SchemaError(f"{self.directory} does not hold users of this newsbrief version")

    def shutdown(self) -> None:
        """Let the writes already asked for land, then close the files."""
        if self._pool is not None:
            self._kick()  # what the loop queued in its last turn
            self._pool.shutdown(wait=True)
            self._pool = None
            if self._beside is not None:
                self._beside.shutdown(wait=True)
                self._beside = None
            for file in self._files.values():
                file.close()
            self._files.clear()

    # --- reads ----------------------------------------------------------------------------

    def load(self, table: str) -> Iterator[dict[str, Any]]:
        """Yield every doc of a table; the writer opens its file for appending on the way."""
        if self._legacy is not None:
            return iter(self._legacy.get(table, []))
        path = self.directory / f"{table}{SUFFIX}"
        if self.readonly:
            return read_docs(path)
        self.flush_sync()  # the writer thread owns the file handles; it is idle now
        file = self._files.get(table)
        if file is not None:
            file.close()
        file = self._files[table] = TableFile(path)
        return file.open()

    # --- writes: one thread, in the order asked ------------------------------------------

    def put(self, table: str, key: str, doc: dict[str, Any]) -> None:
        """Queue an upsert behind every write asked before."""
        self._queue_ops([(table, key, put_line(key, doc), True)])

    def put_many(self, table: str, docs: Mapping[str, dict[str, Any]]) -> None:
        """Queue many upserts at once."""
        self._queue_ops([(table, k, put_line(k, d), True) for k, d in docs.items()])

    def delete(self, table: str, keys: Iterable[str]) -> None:
        """Queue removals behind every write asked before."""
        self._queue_ops([(table, k, delete_line(k), False) for k in keys])

    def scrub(self) -> None:
        """Queue a rewrite of every table that holds dead lines, so nothing deleted stays.

        A delete only appends a line; the document's old lines stay until a compaction, and
        a table is compacted by itself only once half of it is dead, which a small
        deployment may never reach. /forget promises the chat's data is gone from disk.
        """
        self._queue_ops([SCRUB])

    def _queue_ops(self, ops: list[Op]) -> None:
        if self._pool is None:
            raise PermissionError(f"{self.directory} is opened read-only or closed")
        for op in ops:
            self._queue.put(op)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop on this thread: nothing else of this turn to wait for
            self._unkicked = True
            self._kick()
            return
        if not self._unkicked:
            self._unkicked = True
            loop.call_soon(self._kick)  # unless a flush asks first

    def _kick(self) -> None:
        """Have a drain take what is queued (one not yet started takes it anyway)."""
        if not self._unkicked or self._pool is None:
            return
        self._unkicked = False
        last = self._last
        if last is not None and not last.running() and not last.done():
            return  # a drain not yet started takes these too
        self._last = self._pool.submit(self._drain)
        self._pending.add(self._last)

    def _drain(self) -> None:
        """Append everything queued, one write and one fsync per table, the tables side by side."""
        batches: dict[str, list[tuple[str, bytes, bool]]] = {}
        scrub = False
        while True:
            try:
                op = self._queue.get_nowait()
            except queue.Empty:
                break
            if op is SCRUB:
                scrub = True
                continue
            table, key, line, is_put = op
            batches.setdefault(table, []).append((key, line, is_put))
        appends = [(self._file(table), ops) for table, ops in batches.items()]
        if appends:
            self._append(appends)
        if scrub:  # after the appends: the deletes it follows are in them or drained before
            for path in sorted(self.directory.glob(f"*{SUFFIX}")):
                self._file(path.name.removesuffix(SUFFIX)).scrub()

    def _append(self, appends: list[tuple[TableFile, list[tuple[str, bytes, bool]]]]) -> None:
        """Append each table's ops, the first on this thread and the others beside it."""
        assert self._beside is not None
        # Each file is touched by one thread only, and the next drain starts after all.
        beside = [self._beside.submit(file.append, ops) for file, ops in appends[1:]]
        try:
            appends[0][0].append(appends[0][1])
        finally:
            wait(beside)
        for future in beside:
            future.result()  # the first failure, once every append has stopped

    def _file(self, table: str) -> TableFile:
        file = self._files.get(table)
        if file is None:
            file = self._files[table] = TableFile(self.directory / f"{table}{SUFFIX}")
        return file

    async def flush(self) -> None:
        """Wait until every write asked for so far is durable; raise the first that failed."""
        self._kick()
        await self._pending.flush()

    def flush_sync(self) -> None:
        """Wait as `flush` does, from a thread that is not running the event loop."""
        self._kick()
        self._pending.flush_sync()

    def compactions(self, table: str) -> int:
        """Return how often a table's file was rewritten in this process (benchmarks, tests)."""
        file = self._files.get(table)
        return file.compactions if file is not None else 0
