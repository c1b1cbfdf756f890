"""Story records in PostgreSQL: the `story_records` table instead of `<data_dir>/stories/`.

The same records as the file (`journal.StoryRecord`, one JSON document each), keyed by the
engine settings' identity and the story id. An append is an upsert, a tombstone a delete,
so the table holds one row per live story and never needs compacting; `lines` counts rows,
and the service's compaction test never fires. Each bot process derives the same stories
from the same arrival order (`bot/pg/articles.py` hands every process the articles in seq
order), so processes writing one record write the same document.
"""

from __future__ import annotations

import orjson
from psycopg import Cursor
from psycopg.rows import TupleRow

from bot.archive.heap import collector_paused
from bot.pg.database import Database
from bot.stories.journal import StoryRecord, parse_record

UPSERT = (
    "INSERT INTO story_records (identity, id, doc) VALUES (%s, %s, %s::jsonb)"
    " ON CONFLICT (identity, id) DO UPDATE SET doc = excluded.doc RETURNING (xmax = 0)"
)


class PgStoryJournal:
    """The story records of one engine identity, in the `story_records` table."""

    def __init__(self, database: Database, identity: str, *, readonly: bool = False) -> None:
        self._db = database
        self._identity = identity
        self._readonly = readonly
        self.lines = 0
        self.outdated = False
        self.rewrite_at_close = False  # a table has no snapshot to write

    def load(self) -> dict[str, StoryRecord]:
        """Return the stories of this identity (none when they were made with other settings)."""
        with collector_paused(), self._db.connection() as conn:  # half a million new records
            rows = conn.execute(
                "SELECT doc::text FROM story_records WHERE identity = %s", (self._identity,)
            )
            found = (parse_record(orjson.loads(row[0])) for row in rows)
            stories = {r.id: r for r in found if isinstance(r, StoryRecord)}
        self.lines = len(stories)
        return stories

    def append(self, records: list[StoryRecord], gone: list[str]) -> None:
        """Upsert changed records and delete gone ones, in one transaction."""
        if self._readonly or not (records or gone):
            return
        params = [(self._identity, r.id, r.to_line().decode()) for r in records]
        with self._db.connection() as conn, conn.transaction(), conn.cursor() as cur:
            if params:
                cur.executemany(UPSERT, params, returning=True)
                self.lines += sum(_inserted(cur))
            if gone:
                cur.execute(
                    "DELETE FROM story_records WHERE identity = %s AND id = ANY(%s)",
                    (self._identity, gone),
                )
                self.lines -= cur.rowcount

    def rewrite(self, stories: dict[str, StoryRecord]) -> None:
        """Replace every record (and those of other settings) with these, in one transaction."""
        if self._readonly:
            return
        with self._db.connection() as conn, conn.transaction(), conn.cursor() as cur:
            cur.execute("DELETE FROM story_records")
            cur.execute("DELETE FROM story_identities")
            cur.execute("INSERT INTO story_identities VALUES (%s)", (self._identity,))
            with cur.copy("COPY story_records (identity, id, doc) FROM STDIN") as copy:
                for record in stories.values():
                    copy.write_row((self._identity, record.id, record.to_line().decode()))
        self.lines = len(stories)

    def exists(self) -> bool:
        """Return whether the records of this identity were ever written whole."""
        with self._db.connection() as conn:
            row = conn.execute(
                "SELECT EXISTS (SELECT 1 FROM story_identities WHERE identity = %s)",
                (self._identity,),
            ).fetchone()
        return bool(row and row[0])

    def close(self) -> None:
        """Nothing to close: connections go back to the pool after each write."""


def _inserted(cur: Cursor[TupleRow]) -> list[bool]:
    """Return, per upserted row, whether it was new (xmax = 0) rather than an update."""
    out: list[bool] = []
    while True:
        row = cur.fetchone()
        out.append(bool(row and row[0]))
        if not cur.nextset():
            return out
