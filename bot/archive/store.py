"""The article store: the one source of truth, segment files plus light in-memory indexes.

Writes are batched: `add_many` dedups a whole batch, then writes each touched segment
once. Every index here (dedup keys, newest-first order, arrival order) is derived from the
segment files on open. Only light entries live in memory (`entries.py`); full articles are
read from the segments on demand through a bounded LRU cache (`cache_size` articles), so
memory grows by a few hundred bytes per article whatever the bodies weigh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.archive.dedup import canonical_url, content_hash, unique_id
from bot.archive.entries import (
    AddResult,
    ArticleCache,
    Entry,
    StoreReadOnly,
    entry_of,
    load_articles,
    load_segments,
    loaded,
    scan,
)
from bot.archive.keyindex import KeyIndex
from bot.archive.lazy import SegmentLoader, lazy_articles
from bot.archive.lightindex import LightIndex
from bot.archive.lightsnapshot import stamp, write_light_snapshot
from bot.archive.protocol import ArticleListener, ArticleStoreLike, RemovalListener
from bot.archive.records import Document, article_to_doc, dedup_keys, key64, new_article, to_micros
from bot.archive.segments import Segment, writable_segment
from bot.archive.writer import paced
from bot.models import Article, ArticleDraft, ProgressFactory, utcnow

SEGMENT_CAPACITY = 1000
CACHE_SIZE = 5_000  # full articles: what lists, hits and shown stories re-read (~15 MB)


class ArticleStore(ArticleStoreLike):
    """Articles in bounded segment files under `<data_dir>/articles`.

    Threading contract (`protocol.py`): one writer at a time, maybe a worker thread, and any
    number of readers on other threads. The writer puts a batch on disk first, then publishes
    it under a lock readers take only to copy references (never during disk work): every read
    sees the store before or after a whole batch or prune. Full articles are read outside the
    lock; a reader racing a prune may miss an article pruned at that instant. Listeners run on
    the writer's thread after the batch is visible.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        retention_days: int = 90,
        clock: Callable[[], datetime] = utcnow,
        readonly: bool = False,
        segment_capacity: int = SEGMENT_CAPACITY,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        self.directory = data_dir / "articles"
        self.retention_days = retention_days
        self.readonly = readonly
        self._clock = clock
        self.segment_capacity = segment_capacity
        self._cache = ArticleCache(cache_size)
        self._loader = SegmentLoader(self._cache)
        self._index: LightIndex[Entry] = LightIndex()  # its lock guards the keys and segments too
        self._keys: KeyIndex[Entry] = KeyIndex()
        self._segments: list[Segment] = []
        self._snapshot_stale = False  # the store changed since its light snapshot was written
        self.parsed = 0  # segments the open read from their light files, not the snapshot
        self._listeners: list[ArticleListener] = []
        self._removal_listeners: list[RemovalListener] = []

    def initialize(self, progress: ProgressFactory | None = None) -> None:
        """Open every segment's light file (never a body), migrating older ones; derive indexes."""
        if not self.readonly:
            self.directory.mkdir(parents=True, exist_ok=True)
            for stale in self.directory.glob(".*.tmp"):
                stale.unlink()  # a write killed before its rename; the old file is intact
        self._segments, entries, self._keys, self.parsed = load_segments(
            self.directory, self.readonly, progress
        )
        self._index.reset(entries)  # segments are read in arrival order
        # Written at close, not here: an open that parsed segments (the first after an upgrade
        # or a copy, one after a kill) costs what it did before the snapshot, not more.
        self._snapshot_stale = self.parsed > 0

    def _write_snapshot(self) -> None:
        """Write the light snapshot of what the store holds now (`lightsnapshot.py`)."""
        if self.readonly or not self._snapshot_stale:
            return
        stamped = [(s, st) for s in self._segments if s.inline is None and (st := stamp(s))]
        with self._index.lock:  # stamps first: a segment written after them fails its stamp
            entries, keys = list(self._index.by_id.values()), self._keys
        write_light_snapshot(self.directory, stamped, entries, keys.pairs())
        self._snapshot_stale = False

    def shutdown(self) -> None:
        """Write the light snapshot; nothing else is buffered (every batch is on disk)."""
        self._write_snapshot()
        self._listeners.clear()
        self._removal_listeners.clear()

    def add_listener(self, listener: ArticleListener) -> None:
        """Call listener with the new articles after each committed batch."""
        self._listeners.append(listener)

    def add_removal_listener(self, listener: RemovalListener) -> None:
        """Call listener with the ids of articles that retention removed."""
        self._removal_listeners.append(listener)

    def __len__(self) -> int:
        return len(self._index)

    def __iter__(self) -> Iterator[Article]:
        """Yield every article in arrival order, read segment by segment (bypassing the cache)."""
        return scan(self._index.in_arrival_order())

    def get(self, article_id: str) -> Article | None:
        """Return the article with this id, if stored (its body read on first use, lazy.py)."""
        entry = self._index.get(article_id)
        if entry is None:
            return None
        return lazy_articles(self._cache, [entry], self._loader)[0]

    def get_many(self, article_ids: Sequence[str]) -> list[Article | None]:
        """Return the articles of ids (None where not stored), each segment read once."""
        return loaded(self._cache, self._index.get_many(article_ids))

    def shared_ids(self, article_ids: Iterable[str]) -> list[str | None]:
        """Return the store's own string of each id (None if not stored): holders share them."""
        return self._index.shared_ids(article_ids)

    def light(self, ids: Iterable[str], one: str, two: str, *more: str) -> list[tuple[Any, ...]]:
        """Return tuples of `Entry` fields (dates in µs) of the stored ids; builds no Article."""
        return self._index.light(ids, one, two, *more)

    def find_by_url(self, url: str) -> Article | None:
        """Return the article stored under this URL (compared canonically)."""
        key = canonical_url(url)
        entry = self._live(key64("u", key)) if key else None
        found = load_articles(self._cache, [entry]) if entry is not None else []
        # The key is a 64-bit hash of the URL: the stored URL settles it.
        if found and canonical_url(found[0].url or "") == key:
            return found[0]
        return None

    def latest(self, limit: int, offset: int = 0) -> list[Article]:
        """Return up to limit articles, newest published first, skipping offset."""
        return load_articles(self._cache, self._index.latest(limit, offset))

    def added_since(self, since: datetime) -> list[Article]:
        """Return the articles added after since, oldest arrival first; bodies are read on use.

        A fan-out ranks a day's news (9,000 articles at 1M) by ids and dates: no body needed.
        """
        return self._index.added_since(to_micros(since), self._lazy)

    def _lazy(self, entries: list[Entry]) -> list[Article]:
        return lazy_articles(self._cache, entries, self._loader)

    def _live(self, key: int) -> Entry | None:
        """Return the live entry holding a dedup key (the index may still hold a pruned one)."""
        entry = self._keys.get(key)
        return entry if entry is not None and self._index.by_id.get(entry.id) is entry else None

    def add_many(self, drafts: Iterable[ArticleDraft]) -> AddResult:
        """Dedup and store a batch, writing each touched segment once."""
        if self.readonly:
            raise StoreReadOnly("the store is open read-only; another process is writing")
        result = AddResult()
        now = self._clock()
        batch: list[tuple[Article, Document, list[int]]] = []
        taken_keys: set[int] = set()
        taken_ids: set[str] = set()
        for draft in paced(drafts):  # on the writer thread: replies get the GIL between
            url_key = canonical_url(draft.url) if draft.url else None
            content_key = content_hash(draft.title, draft.body)
            keys = dedup_keys(url_key, draft.guid or None, content_key)
            if (draft.id and (draft.id in self._index.by_id or draft.id in taken_ids)) or any(
                k in taken_keys or self._live(k) for k in keys
            ):
                result.duplicates += 1
                continue
            article = new_article(
                draft,
                draft.id
                or unique_id(url_key or draft.guid or content_key, self._index.by_id, taken_ids),
                now,
            )
            taken_keys.update(keys)
            taken_ids.add(article.id)
            batch.append((article, article_to_doc(article, url_key, content_key), keys))
            result.added.append(article)
        if batch:
            self._persist(batch)
            for listener in self._listeners:
                listener(result.added)
        return result

    def add(self, draft: ArticleDraft) -> Article | None:
        """Store one draft; return the new article, or None for a duplicate."""
        added = self.add_many([draft]).added
        return added[0] if added else None

    def _persist(self, batch: list[tuple[Article, Document, list[int]]]) -> None:
        """Write the batch (filling the newest segment, then new ones), then publish it."""
        pending = list(batch)
        entries: list[tuple[Entry, list[int]]] = []
        while pending:
            segment = writable_segment(self._segments, self.directory, self.segment_capacity)
            room = self.segment_capacity - len(segment)
            chunk, pending = pending[:room], pending[room:]
            light = segment.append([(doc, keys) for _, doc, keys in chunk])
            entries.extend(
                (entry_of(doc, segment), keys)
                for doc, (_, _, keys) in zip(light, chunk, strict=True)
            )
        self._publish(entries)
        self._cache.put_all(article for article, _, _ in batch)  # new articles are the hot ones

    def _publish(self, entries: list[tuple[Entry, list[int]]]) -> None:
        """Make written entries and their dedup keys visible to readers at once."""
        keys = self._keys.merged() if self._keys.needs_merge() else self._keys

        def add_keys() -> None:
            self._keys = keys
            for entry, entry_keys in entries:
                for key in entry_keys:
                    keys.add(key, entry)

        self._index.publish([entry for entry, _ in entries], add_keys)
        self._snapshot_stale = True

    def prune(self) -> int:
        """Drop articles that arrived more than retention_days ago; return how many.

        Age counts from arrival, not publication, so an imported archive of old
        news is kept for the retention period like fresh news.
        """
        if self.retention_days <= 0 or self.readonly:
            return 0
        cutoff = to_micros(self._clock() - timedelta(days=self.retention_days))
        expired = self._index.arrived_before(cutoff)
        if not expired:
            return 0
        by_segment: dict[Segment, set[str]] = {}
        for entry in expired:
            by_segment.setdefault(entry.segment, set()).add(entry.id)
        for segment, ids in by_segment.items():
            segment.remove(ids)
        keys = self._keys.without(set(expired))

        def drop_keys() -> None:
            self._keys = keys
            self._segments = [s for s in self._segments if len(s)]

        self._index.remove_oldest(len(expired), drop_keys)
        self._snapshot_stale = True
        gone = [entry.id for entry in expired]
        self._cache.drop(gone)
        for segment in by_segment:
            if not len(segment):
                segment.delete()  # after the swap: no new read is sent to it
        for listener in self._removal_listeners:
            listener(gone)
        return len(expired)
