"""The article store: the one source of truth, segment files plus light in-memory indexes.

Writes are batched: `add_many` dedups a whole batch, then writes each touched segment
once. Every index here (dedup keys, newest-first order, arrival order) is derived from the
segment files on open. Only light entries live in memory (`entries.py`); full articles are
read from the segments on demand through a bounded LRU cache (`cache_size` articles), so
memory grows by a few hundred bytes per article whatever the bodies weigh.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from operator import attrgetter
from pathlib import Path
from typing import Any

from bot.archive.dedup import canonical_url, content_hash, unique_id
from bot.archive.entries import (
    AddResult,
    ArticleCache,
    Entry,
    StoreReadOnly,
    by_arrival,
    by_published,
    entry_of,
    load_articles,
    load_segments,
    loaded,
    merged,
    ordered,
    scan,
)
from bot.archive.keyindex import KeyIndex
from bot.archive.lazy import SegmentLoader, lazy_articles
from bot.archive.protocol import ArticleListener, ArticleStoreLike, RemovalListener
from bot.archive.records import Document, article_to_doc, dedup_keys, key64, new_article, to_micros
from bot.archive.segments import Segment, writable_segment
from bot.archive.writer import paced
from bot.models import Article, ArticleDraft, ProgressFactory, utcnow

SEGMENT_CAPACITY = 1000
INSORT_UP_TO = 8
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
        self._lock = threading.Lock()
        self._cache = ArticleCache(cache_size)
        self._loader = SegmentLoader(self._cache)
        self._by_id: dict[str, Entry] = {}
        self._keys: KeyIndex[Entry] = KeyIndex()
        self._segments: list[Segment] = []
        self._newest: list[Entry] = []
        self._arrivals: list[Entry] = []
        self._listeners: list[ArticleListener] = []
        self._removal_listeners: list[RemovalListener] = []
        self._version = 0  # bumped by every publish and prune
        self._since_memo: tuple[tuple[int, int], list[Article]] | None = None

    def initialize(self, progress: ProgressFactory | None = None) -> None:
        """Open every segment's light file (never a body), migrating older ones; derive indexes."""
        if not self.readonly:
            self.directory.mkdir(parents=True, exist_ok=True)
            for stale in self.directory.glob(".*.tmp"):
                stale.unlink()  # a write killed before its rename; the old file is intact
        self._segments, entries, self._keys = load_segments(self.directory, self.readonly, progress)
        self._by_id = {entry.id: entry for entry in entries}
        # Segments are read in arrival order: ties stay in arrival order in both orders.
        self._arrivals = ordered(entries, "added")
        self._newest = ordered(entries, "published")

    def shutdown(self) -> None:
        """Nothing is buffered: every batch was on disk before add_many returned."""
        self._listeners.clear()
        self._removal_listeners.clear()

    def add_listener(self, listener: ArticleListener) -> None:
        """Call listener with the new articles after each committed batch."""
        self._listeners.append(listener)

    def add_removal_listener(self, listener: RemovalListener) -> None:
        """Call listener with the ids of articles that retention removed."""
        self._removal_listeners.append(listener)

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_id)

    def __iter__(self) -> Iterator[Article]:
        """Yield every article in arrival order, read segment by segment (bypassing the cache)."""
        with self._lock:
            snapshot = list(self._arrivals)
        return scan(snapshot)

    def get(self, article_id: str) -> Article | None:
        """Return the article with this id, if stored (its body read on first use, lazy.py)."""
        with self._lock:
            entry = self._by_id.get(article_id)
        if entry is None:
            return None
        return lazy_articles(self._cache, [entry], self._loader)[0]

    def get_many(self, article_ids: Sequence[str]) -> list[Article | None]:
        """Return the articles of ids (None where not stored), each segment read once."""
        with self._lock:
            entries = [self._by_id.get(article_id) for article_id in article_ids]
        return loaded(self._cache, entries)

    def shared_ids(self, article_ids: Iterable[str]) -> list[str | None]:
        """Return the store's own string of each id (None if not stored): holders share them."""
        with self._lock:
            found = list(map(self._by_id.get, article_ids))  # C loops: 1M ids in 0.4 s, not 0.7
        if len(stored := list(filter(None, found))) < len(found):  # `None in` calls __eq__
            return [e.id if e is not None else None for e in found]
        return list(map(attrgetter("id"), stored))

    def light(self, ids: Iterable[str], one: str, two: str, *more: str) -> list[tuple[Any, ...]]:
        """Return tuples of `Entry` fields (dates in µs) of the stored ids; builds no Article."""
        with self._lock:
            found = list(filter(None, map(self._by_id.get, ids)))
        return list(map(attrgetter(one, two, *more), found))

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
        with self._lock:
            end = len(self._newest) - offset
            picked = self._newest[max(0, end - limit) : max(end, 0)]
        return load_articles(self._cache, picked[::-1])

    def added_since(self, since: datetime) -> list[Article]:
        """Return the articles added after since, oldest arrival first; bodies are read on use.

        A fan-out ranks a day's news (9,000 articles at 1M) by ids and dates: no body needed.
        """
        with self._lock:
            start = bisect.bisect_right(self._arrivals, to_micros(since), key=by_arrival)
            picked = self._arrivals[start:]
            key = (start, self._version)
        # A digest fan-out asks this of every chat: 10,000 times the same answer.
        memo = self._since_memo
        if memo is None or memo[0] != key:
            memo = self._since_memo = (key, lazy_articles(self._cache, picked, self._loader))
        return list(memo[1])

    def _live(self, key: int) -> Entry | None:
        """Return the live entry holding a dedup key (the index may still hold a pruned one)."""
        entry = self._keys.get(key)
        return entry if entry is not None and self._by_id.get(entry.id) is entry else None

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
            if (draft.id and (draft.id in self._by_id or draft.id in taken_ids)) or any(
                k in taken_keys or self._live(k) for k in keys
            ):
                result.duplicates += 1
                continue
            article = new_article(
                draft,
                draft.id or unique_id(url_key or draft.guid or content_key, self._by_id, taken_ids),
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
        """Make written entries visible to readers at once."""
        new = [entry for entry, _ in entries]
        few = len(new) <= INSORT_UP_TO  # an insort moves 8 MB at 1M; a copy moves it twice
        if not few:  # new lists outside the lock (only the writer changes them), swapped in
            newest = merged(self._newest, new, by_published)
            arrivals = merged(self._arrivals, new, by_arrival)
        keys = self._keys.merged() if self._keys.needs_merge() else self._keys
        with self._lock:
            if few:
                for entry in new:
                    bisect.insort(self._newest, entry, key=by_published)
                    bisect.insort(self._arrivals, entry, key=by_arrival)
            else:
                self._newest, self._arrivals = newest, arrivals
            self._keys = keys
            self._version += 1
            for entry, entry_keys in entries:
                self._by_id[entry.id] = entry
                for key in entry_keys:
                    keys.add(key, entry)

    def prune(self) -> int:
        """Drop articles that arrived more than retention_days ago; return how many.

        Age counts from arrival, not publication, so an imported archive of old
        news is kept for the retention period like fresh news.
        """
        if self.retention_days <= 0 or self.readonly:
            return 0
        cutoff = to_micros(self._clock() - timedelta(days=self.retention_days))
        count = bisect.bisect_left(self._arrivals, cutoff, key=by_arrival)
        if not count:
            return 0
        expired = self._arrivals[:count]
        by_segment: dict[Segment, set[str]] = {}
        for entry in expired:
            by_segment.setdefault(entry.segment, set()).add(entry.id)
        for segment, ids in by_segment.items():
            segment.remove(ids)
        dead = set(expired)
        newest = [entry for entry in self._newest if entry not in dead]
        keys = self._keys.without(dead)
        with self._lock:
            self._newest, self._arrivals, self._keys = newest, self._arrivals[count:], keys
            self._version += 1
            for entry in expired:
                del self._by_id[entry.id]
            self._segments = [s for s in self._segments if len(s)]
        gone = [entry.id for entry in expired]
        self._cache.drop(gone)
        for segment in by_segment:
            if not len(segment):
                segment.delete()  # after the swap: no new read is sent to it
        for listener in self._removal_listeners:
            listener(gone)
        return count
