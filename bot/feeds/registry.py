"""The feeds table: one document per feed (key: its id), with its polling state.

A feed's id is minted once, from its canonical URL, and stored; it is never recomputed.
A feed is found by URL by comparing canonical forms of the stored URLs, so a change of the
canonical form (schema 4, `bot/archive/dedup.py`) leaves the stored ids, and the
`/removefeed ID` an admin was shown, working, and an old feed is still refused when re-added.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from functools import lru_cache
from typing import Any

from bot.archive.dedup import canonical_url, unique_id
from bot.archive.usertables import UserTables

TABLE = "feeds"
_TIME_FIELDS = ("added", "last_fetch", "last_success", "first_failure", "next_poll")


@dataclass
class FeedRecord:
    """One feed and everything the poller remembers about it."""

    id: str
    url: str
    added: datetime
    title: str = ""
    interval: int = 15 * 60  # seconds between polls
    active: bool = True
    etag: str | None = None
    last_modified: str | None = None
    last_fetch: datetime | None = None
    last_success: datetime | None = None
    last_status: str = "not fetched yet"
    last_error: str | None = None
    failures: int = 0  # consecutive
    first_failure: datetime | None = None
    next_poll: datetime | None = None
    items: int = 0  # items in the last document read
    articles: int = 0  # new articles this feed brought in, all time
    note: str | None = None  # why the feed was deactivated

    def to_doc(self) -> dict[str, Any]:
        """Return the record as a JSON-ready document."""
        doc = asdict(self)
        for name in _TIME_FIELDS:
            value = doc[name]
            doc[name] = value.isoformat() if value is not None else None
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> FeedRecord:
        """Build a record from a stored document, ignoring fields this version does not know."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in doc.items() if k in known}
        for name in _TIME_FIELDS:
            if values.get(name):
                values[name] = datetime.fromisoformat(values[name])
        return cls(**values)


FEEDS_KEYED = 65_536  # feed_key's memo: far more feeds than one bot polls


# Finding a feed by URL compares the canonical forms of every stored URL, on the event loop
# (/addfeed, /removefeed): computed each time, 20 ms per 1,000 feeds; remembered, a lookup.
@lru_cache(maxsize=FEEDS_KEYED)
def feed_key(url: str) -> str:
    """Return the form in which two feed URLs are compared: canonical when it has one."""
    return canonical_url(url) or url.strip()


def feed_id(url: str, *taken: Container[str]) -> str:
    """Return the id a new feed gets: from its canonical URL, salted past the ids taken."""
    return unique_id("feed:" + feed_key(url), *taken)


class FeedRegistry:
    """The feeds table of the users tables; every change is written through.

    The process that writes keeps the table's documents in memory and reads from there. A
    change updates that memory at once and queues its write in the same order, then awaits
    it: a poll cycle's write-back that comes after a /removefeed sees the feed gone and
    leaves it gone. A read-only process (the CLI beside a running bot) loads
    the table each time, to see the writer's changes.
    """

    def __init__(self, users: UserTables) -> None:
        self._users = users
        self._docs: dict[str, dict[str, Any]] | None = None  # loaded on first use

    def _current(self) -> dict[str, dict[str, Any]]:
        if self._docs is not None:
            return self._docs
        docs = {str(doc["id"]): dict(doc) for doc in self._users.load(TABLE)}
        if not self._users.readonly:
            self._docs = docs
        return docs

    def all(self) -> list[FeedRecord]:
        """Return every feed, oldest first."""
        records = [FeedRecord.from_doc(doc) for doc in self._current().values()]
        return sorted(records, key=lambda r: r.added)  # stable: same time keeps insertion order

    def get(self, ident: str) -> FeedRecord | None:
        """Return the feed with this id."""
        doc = self._current().get(ident)
        return FeedRecord.from_doc(doc) if doc is not None else None

    def find(self, ref: str) -> FeedRecord | None:
        """Return the feed named by id or by URL (compared canonically)."""
        ref = ref.strip()
        if (record := self.get(ref)) is not None:
            return record
        key = feed_key(ref)
        doc = next((d for d in self._current().values() if feed_key(d["url"]) == key), None)
        return FeedRecord.from_doc(doc) if doc is not None else None

    def read_table(self) -> list[dict[str, Any]]:
        """Return the table's documents as stored now (blocking: from a worker thread)."""
        return list(self._users.load(TABLE))

    def mirror(self, docs: list[dict[str, Any]]) -> None:
        """Replace the memory with documents read again: other processes poll feeds too."""
        if self._docs is not None:
            self._docs = {str(doc["id"]): dict(doc) for doc in docs}

    def remember(self, record: FeedRecord) -> None:
        """Mirror a record stored by another path (a claimed poll), unless it was removed."""
        if self._docs is not None and record.id in self._docs:
            self._docs[record.id] = record.to_doc()

    def ids(self) -> set[str]:
        """Return the ids of every feed."""
        return set(self._current())

    async def save(self, record: FeedRecord) -> None:
        """Insert or replace the record."""
        doc = self._current()[record.id] = record.to_doc()
        self._users.put(TABLE, record.id, doc)
        await self._users.flush()

    def insert_many(self, records: list[FeedRecord]) -> None:
        """Insert new records in one write, waiting for it (start-up and the CLI, off the loop)."""
        if records:
            docs = {r.id: r.to_doc() for r in records}
            self._current().update(docs)
            self._users.put_many(TABLE, docs)
            self._users.flush_sync()

    async def update_existing(self, records: list[FeedRecord]) -> None:
        """Write back the records still in the table in one write; removed ones stay removed."""
        current = self._current()
        by_id = {r.id: r.to_doc() for r in records if r.id in current}
        if by_id:
            current.update(by_id)
            self._users.put_many(TABLE, by_id)
            await self._users.flush()

    async def remove(self, ident: str) -> bool:
        """Delete the feed; return whether it existed."""
        removed = self._current().pop(ident, None) is not None
        self._users.delete(TABLE, [ident])
        await self._users.flush()
        return removed
