"""PgArticleStore: the article store in PostgreSQL, shared by every bot process.

The `articles` table is the source of truth. Each process holds the light entries in memory
(id, title, dates, source, language: what lists, stories and digests sort by), derived from
the table on open, and reads bodies on demand through a bounded cache, as the embedded store
does. Writers take turns under an advisory lock, so rows commit in `seq` order: `catch_up`
reads what other processes added since the highest seq seen (and what their retention
removed, from `article_removals`) and tells the listeners, which keep each process's search
index and stories in step. Dedup is the table's unique keys (canonical URL, GUID, content
hash: `bot/archive/dedup.py`), so two processes adding one article at once store it once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.archive.dedup import canonical_url, content_hash, unique_id
from bot.archive.entries import AddResult, ArticleCache, StoreReadOnly
from bot.archive.lazy import LightEntry, lazy_articles
from bot.archive.lightindex import LightIndex
from bot.archive.protocol import ArticleListener, ArticleStoreLike, RemovalListener
from bot.archive.records import new_article, to_micros
from bot.archive.store import CACHE_SIZE
from bot.models import Article, ArticleDraft, ProgressFactory, utcnow
from bot.pg import article_rows as rows
from bot.pg.article_rows import PgEntry
from bot.pg.database import Database

ITER_BATCH = 1000


class PgArticleStore(ArticleStoreLike):
    """Articles in the `articles` table; the threading contract of `ArticleStoreLike`."""

    def __init__(
        self,
        database: Database,
        *,
        retention_days: int = 90,
        clock: Callable[[], datetime] = utcnow,
        readonly: bool = False,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        self._db = database
        self.retention_days = retention_days
        self.readonly = readonly
        self._clock = clock
        self._cache = ArticleCache(cache_size)
        self._index: LightIndex[PgEntry] = LightIndex()  # readers never wait on SQL for it
        self._seen = 0  # the highest article seq taken in
        self._removals_seen = 0
        self._listeners: list[ArticleListener] = []
        self._removal_listeners: list[RemovalListener] = []

    def initialize(self, progress: ProgressFactory | None = None) -> None:
        """Load every light entry from one snapshot of the table."""
        with self._db.connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            self._removals_seen = rows.last_removal(conn)
            loaded = rows.light_since(conn, 0)
        self._seen = loaded[-1][0] if loaded else 0
        self._index.reset([entry for _, entry in loaded])

    def shutdown(self) -> None:
        """Forget the listeners; every batch was committed before add_many returned."""
        self._listeners.clear()
        self._removal_listeners.clear()

    def add_listener(self, listener: ArticleListener) -> None:
        """Call listener with new articles: this process's batches and other processes'."""
        self._listeners.append(listener)

    def add_removal_listener(self, listener: RemovalListener) -> None:
        """Call listener with the ids of articles that retention removed (here or elsewhere)."""
        self._removal_listeners.append(listener)

    def __len__(self) -> int:
        return len(self._index)

    def __iter__(self) -> Iterator[Article]:
        """Yield every article in arrival order, a batch of rows at a time (bypassing the cache)."""
        snapshot = [entry.id for entry in self._index.in_arrival_order()]
        for start in range(0, len(snapshot), ITER_BATCH):
            ids = snapshot[start : start + ITER_BATCH]
            with self._db.connection() as conn:
                found = rows.full_articles(conn, ids)
            yield from (found[i] for i in ids if i in found)

    def get(self, article_id: str) -> Article | None:
        """Return the article with this id, if stored (its body read on first use)."""
        entry = self._index.get(article_id)
        return None if entry is None else lazy_articles(self._cache, [entry], self)[0]

    def get_many(self, article_ids: Sequence[str]) -> list[Article | None]:
        """Return the articles of ids (None where not stored), in one query for the uncached."""
        entries = self._index.get_many(article_ids)
        found = {a.id: a for a in self.load([e for e in entries if e is not None])}
        return [found.get(e.id) if e is not None else None for e in entries]

    def shared_ids(self, article_ids: Iterable[str]) -> list[str | None]:
        """Return the store's own string of each id (None if not stored): holders share them."""
        return self._index.shared_ids(article_ids)

    def light(self, ids: Iterable[str], one: str, two: str, *more: str) -> list[tuple[Any, ...]]:
        """Return tuples of entry fields (dates in µs) of the stored ids; reads no row."""
        return self._index.light(ids, one, two, *more)

    def find_by_url(self, url: str) -> Article | None:
        """Return the article stored under this URL (compared canonically)."""
        key = canonical_url(url)
        if key is None:
            return None
        with self._db.connection() as conn:
            return rows.by_url_key(conn, key)

    def latest(self, limit: int, offset: int = 0) -> list[Article]:
        """Return up to limit articles, newest published first, skipping offset."""
        return self.load(self._index.latest(limit, offset))

    def added_since(self, since: datetime) -> list[Article]:
        """Return the articles added after since, oldest arrival first; bodies are read on use."""
        return self._index.added_since(to_micros(since), self._lazy)

    def _lazy(self, entries: list[PgEntry]) -> list[Article]:
        return lazy_articles(self._cache, entries, self)

    def load(self, entries: Sequence[LightEntry]) -> list[Article]:
        """Return the full articles of the entries still stored, in order (the cache first)."""
        found = self._cache.get_many([entry.id for entry in entries])
        missing = [entry.id for entry, article in zip(entries, found, strict=True) if not article]
        if missing:
            with self._db.connection() as conn:
                fresh = rows.full_articles(conn, missing)
            self._cache.put_all(fresh.values())
            found = [article or fresh.get(e.id) for article, e in zip(found, entries, strict=True)]
        return [article for article in found if article is not None]

    def add_many(self, drafts: Iterable[ArticleDraft]) -> AddResult:
        """Dedup and store a batch in one transaction; take in others' articles first."""
        if self.readonly:
            raise StoreReadOnly("the store is open read-only")
        result = AddResult()
        batch = self._prepare(drafts, result)
        seqs = self._write(batch)
        added = [(seqs[a.id], a) for a, _, _ in batch if a.id in seqs]
        result.duplicates += len(batch) - len(added)
        result.added = [article for _, article in added]
        self._publish(added)
        return result

    def _write(self, batch: list[tuple[Article, str | None, str]]) -> dict[str, int]:
        """Insert under the write lock after taking in the others' changes; return seq by id."""
        with self._db.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (rows.WRITE_LOCK,))
            others = rows.full_since(conn, self._seen)
            removals = rows.removals_since(conn, self._removals_seen)
            seqs = rows.insert(conn, batch) if batch else {}
        self._take_in(others, removals)
        return seqs

    def _prepare(
        self, drafts: Iterable[ArticleDraft], result: AddResult
    ) -> list[tuple[Article, str | None, str]]:
        """Return the new articles of drafts with their keys; duplicates within the batch count."""
        now = self._clock()
        batch: list[tuple[Article, str | None, str]] = []
        taken: set[str] = set()
        taken_ids: set[str] = set()
        for draft in drafts:
            url_key = canonical_url(draft.url) if draft.url else None
            content_key = content_hash(draft.title, draft.body)
            keys = {f"h:{content_key}", f"u:{url_key}" if url_key else "", f"g:{draft.guid or ''}"}
            keys -= {"", "g:"}
            if (
                draft.id and (draft.id in self._index.by_id or draft.id in taken_ids)
            ) or keys & taken:
                result.duplicates += 1
                continue
            seed = url_key or draft.guid or content_key
            article = new_article(
                draft, draft.id or unique_id(seed, self._index.by_id, taken_ids), now
            )
            taken |= keys
            taken_ids.add(article.id)
            batch.append((article, url_key, content_key))
        return batch

    def add_stored(self, articles: list[Article]) -> int:
        """Store articles as they are (ids, arrival, language kept: a migration); return how many.

        An article whose id or dedup key the table holds is skipped, so a re-run adds nothing twice.
        """
        if self.readonly:
            raise StoreReadOnly("the store is open read-only")
        batch = [(a, canonical_url(a.url) if a.url else None, content_hash(a.title, a.body))
                 for a in articles]  # fmt: skip
        seqs = self._write(batch)
        self._publish([(seqs[a.id], a) for a in articles if a.id in seqs])
        return len(seqs)

    def add(self, draft: ArticleDraft) -> Article | None:
        """Store one draft; return the new article, or None for a duplicate."""
        added = self.add_many([draft]).added
        return added[0] if added else None

    def catch_up(self) -> int:
        """Take in what other processes added and removed since last seen; return how many."""
        with self._db.connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            others = rows.full_since(conn, self._seen)
            removals = rows.removals_since(conn, self._removals_seen)
        return self._take_in(others, removals)

    def _take_in(self, others: list[tuple[int, Article]], removals: tuple[int, list[str]]) -> int:
        """Publish other processes' articles, then apply their removals."""
        fresh = [(seq, a) for seq, a in others if a.id not in self._index.by_id]
        self._publish(fresh)
        if others:
            self._seen = max(self._seen, others[-1][0])
        self._removals_seen, removed = removals
        self._forget([i for i in removed if i in self._index.by_id])
        return len(fresh) + len(removed)

    def _publish(self, added: list[tuple[int, Article]]) -> None:
        """Make committed articles visible to readers at once, then tell the listeners."""
        if not added:
            return
        self._index.publish([rows.entry_of_article(article) for _, article in added])
        self._seen = max(self._seen, max(seq for seq, _ in added))
        articles = [article for _, article in added]
        self._cache.put_all(articles)
        for listener in self._listeners:
            listener(articles)

    def prune(self) -> int:
        """Drop articles that arrived more than retention_days ago; return how many."""
        if self.retention_days <= 0 or self.readonly:
            return 0
        cutoff = self._clock() - timedelta(days=self.retention_days)
        with self._db.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (rows.WRITE_LOCK,))
            others = rows.full_since(conn, self._seen)
            removals = rows.removals_since(conn, self._removals_seen)
            removed = rows.prune_before(conn, cutoff)
            last = rows.last_removal(conn)
        self._take_in(others, removals)
        self._removals_seen = last  # this prune's own removals are the ones forgotten below
        self._forget(removed)
        return len(removed)

    def _forget(self, gone: list[str]) -> None:
        """Drop removed articles from memory and tell the removal listeners."""
        if not gone:
            return
        held = self._index.by_id
        self._index.remove({held[i] for i in gone if i in held})
        self._cache.drop(gone)
        for listener in self._removal_listeners:
            listener(gone)
