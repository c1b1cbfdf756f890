"""The users' tables in PostgreSQL: keyed JSON documents, one SQL table per user table.

`PgUserTables` implements `bot.archive.usertables.UserTables` for `NEWSBRIEF_DATABASE_URL`.
Reads (`load`) run on the caller's thread at start-up. Writes are queued, in call order, on
one thread of their own, as the embedded store's are: a /subscribe never waits behind a feed
commit, and the rows see the changes in the order the callers' memory did. Each queued write
is one transaction, so it is durable once it has run; `flush` waits for them and raises the
first failure. Documents are serialised when queued, so a caller may change its dict after.

Several processes write these tables. A process only mirrors what it loaded and what it
changed, so a subscription saved by one process could carry delivery fields older than the
ones another process's send queue stored meanwhile; the upsert of `subscriptions` keeps the
stored cursor, last due and sent map when they are the later ones (`_SUBS_UPSERT`), so a
delivery is never undone by a process whose memory is older.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import orjson
from psycopg import sql

from bot.archive.pending import PendingWrites
from bot.pg.database import Database

THREAD_NAME = "newsbrief-pg-users"
# The user tables there are, and their SQL tables (migrations/0010_user_tables.sql); any
# other name lands in `user_other`, apart by its name.
SQL_TABLES = {
    "subscriptions": "user_subscriptions",
    "chats": "user_chats",
    "follows": "user_follows",
    "follow_quiet": "user_follow_quiet",
    "feeds": "user_feeds",
    "_meta": "user_meta",
}
OTHER = "user_other"
_UPSERT = (
    "INSERT INTO {} AS t (key, doc) VALUES (%s, %s::json)"
    " ON CONFLICT (key) DO UPDATE SET doc = excluded.doc"
)
_UPSERT_OTHER = (
    "INSERT INTO user_other AS t (tbl, key, doc) VALUES (%s, %s, %s::json)"
    " ON CONFLICT (tbl, key) DO UPDATE SET doc = excluded.doc"
)
# Keep the stored delivery fields when either of their times is later than the incoming ones.
_SUBS_UPSERT = """
INSERT INTO {} AS t (key, doc) VALUES (%s, %s::json)
ON CONFLICT (key) DO UPDATE SET doc = CASE
    WHEN coalesce((t.doc ->> 'cursor')::timestamptz, '-infinity')
            > coalesce((excluded.doc ->> 'cursor')::timestamptz, '-infinity')
        OR coalesce((t.doc ->> 'last_due')::timestamptz, '-infinity')
            > coalesce((excluded.doc ->> 'last_due')::timestamptz, '-infinity')
    THEN (excluded.doc::jsonb || jsonb_build_object(
        'cursor', t.doc -> 'cursor', 'last_due', t.doc -> 'last_due', 'sent', t.doc -> 'sent'
    ))::json
    ELSE excluded.doc END
"""


class PgUserTables:
    """Keyed JSON documents in PostgreSQL tables: the users' data of one deployment."""

    def __init__(self, database: Database, *, readonly: bool = False) -> None:
        self.readonly = readonly
        self.url = database.url  # the send queue's own connections (bot/digests/pgqueue.py)
        self._database = database
        self._pool: ThreadPoolExecutor | None = None
        self._pending = PendingWrites()  # writes queued, not yet seen by a flush

    def initialize(self) -> None:
        """Start the writer thread (the schema is the database's migrations)."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=THREAD_NAME)

    def shutdown(self) -> None:
        """Let the queued writes land, then stop the writer thread."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def load(self, table: str) -> list[dict[str, Any]]:
        """Return every document of a table, in the order they were first written."""
        with self._database.connection() as conn:
            if table in SQL_TABLES:
                query = sql.SQL("SELECT doc FROM {} ORDER BY ord").format(_table(table))
                rows = conn.execute(query)
            else:
                rows = conn.execute(
                    "SELECT doc FROM user_other WHERE tbl = %s ORDER BY ord", (table,)
                )
            return [dict(row[0]) for row in rows]

    def put(self, table: str, key: str, doc: dict[str, Any]) -> None:
        """Queue an upsert of one document, after every write asked before."""
        self.put_many(table, {key: doc})

    def put_many(self, table: str, docs: Mapping[str, dict[str, Any]]) -> None:
        """Queue upserts of many documents as one transaction."""
        rows = [(db_key(key), orjson.dumps(doc).decode()) for key, doc in docs.items()]
        if not rows:
            return
        if table not in SQL_TABLES:
            self._submit(_execute_many, sql.SQL(_UPSERT_OTHER).format(), _named(table, rows))
            return
        upsert = sql.SQL(_SUBS_UPSERT if table == "subscriptions" else _UPSERT)
        self._submit(_execute_many, upsert.format(_table(table)), rows)

    def delete(self, table: str, keys: Iterable[str]) -> None:
        """Queue the removal of documents by key, after every write asked before."""
        rows = [(db_key(key),) for key in keys]
        if not rows:
            return
        if table not in SQL_TABLES:
            query = sql.SQL("DELETE FROM user_other WHERE tbl = %s AND key = %s").format()
            self._submit(_execute_many, query, _named(table, rows))
            return
        query = sql.SQL("DELETE FROM {} WHERE key = %s").format(_table(table))
        self._submit(_execute_many, query, rows)

    def scrub(self) -> None:
        """Nothing to do: a DELETE leaves no row to read, and PostgreSQL's vacuum reclaims it."""

    async def flush(self) -> None:
        """Wait until every write asked for so far is durable; raise the first that failed."""
        await self._pending.flush()

    def flush_sync(self) -> None:
        """Wait as `flush` does, from a thread that is not running the event loop."""
        self._pending.flush_sync()

    def _submit(self, work: Callable[..., None], *args: Any) -> None:
        if self.readonly:
            raise PermissionError("the users' tables were opened read-only")
        if self._pool is None:
            raise RuntimeError("PgUserTables used before initialize() or after shutdown()")
        future = self._pool.submit(work, self._database, *args)
        # Writes that landed need no more watching; a failed one waits for a flush to report it.
        self._pending.add(future)


def db_key(key: str) -> str:
    """Return the stored form of a key: itself, unless it holds what text cannot (U+0000)."""
    if "\x00" not in key and "\\" not in key:
        return key
    return key.replace("\\", "\\\\").replace("\x00", "\\0")  # one-to-one


def _table(name: str) -> sql.Identifier:
    return sql.Identifier(SQL_TABLES[name])


def _named(table: str, rows: Sequence[tuple[str, ...]]) -> list[tuple[str, ...]]:
    return [(table, *row) for row in rows]


def _execute_many(database: Database, query: sql.Composed, rows: Sequence[tuple[str, ...]]) -> None:
    """Run one statement for every row in one transaction (on the writer thread)."""
    with database.connection() as conn, conn.transaction(), conn.cursor() as cur:
        cur.executemany(query, rows)
