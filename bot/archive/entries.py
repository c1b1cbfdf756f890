"""What the store keeps in memory per article, how it loads it, and its bounded article cache.

At a million articles every byte per article is a megabyte. An `Entry` holds what
the hot paths sort, filter and list by (id, title, dates, source, language) and where
the full document lies; bodies, URLs, GUIDs and categories stay on disk. The dedup keys
are in `keyindex.py`.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

import numpy as np
import numpy.typing as npt
from cachetools import LRUCache

from bot.archive.heap import collector_paused
from bot.archive.keyindex import KeyIndex
from bot.archive.lightsnapshot import read_light_snapshot, stamp
from bot.archive.records import Document, doc_to_article
from bot.archive.segments import SEGMENT_GLOB, Segment, segment_number
from bot.models import Article, ProgressFactory, no_progress

log = logging.getLogger(__name__)


class StoreReadOnly(Exception):
    """A write was asked of a store opened for reading only."""


@dataclass
class AddResult:
    """What one batch did: the articles it added and how many drafts were duplicates."""

    added: list[Article] = field(default_factory=list)
    duplicates: int = 0


@dataclass(slots=True, eq=False)
class Entry:
    """One article as held in memory; dates are integer microseconds since the epoch (UTC)."""

    id: str
    title: str
    published: int
    added: int
    source: str | None
    lang: str
    segment: Segment
    span: int  # offset << 32 | length of the full document: one int object, not two (40 MB at 1M)

    @property
    def offset(self) -> int:
        """Return where the full document starts in the segment's records file."""
        return self.span >> 32

    @property
    def length(self) -> int:
        """Return the full document's length in bytes."""
        return self.span & 0xFFFF_FFFF


def entry_of(doc: Document, segment: Segment) -> Entry:
    """Return the in-memory entry of a light document."""
    offset, length = doc["at"]
    source = doc["source"]
    return Entry(
        doc["id"],
        doc["title"],
        doc["published"],
        doc["added"],
        sys.intern(source) if source else None,  # a few hundred sources, a million articles
        sys.intern(doc["lang"]),
        segment,
        offset << 32 | length,
    )


def load_segments(
    directory: Path, readonly: bool, progress: ProgressFactory | None = None
) -> tuple[list[Segment], list[Entry], KeyIndex[Entry], int]:
    """Open every segment: its segments, entries, dedup-key index, and how many were parsed.

    A segment whose files are as the light snapshot saw them comes from it (`lightsnapshot.py`);
    the others' light files are parsed. A migration of older segments reports through
    progress("migrating article segments", segments left), shown from the first that needed one.
    """
    with collector_paused(), ExitStack() as stack:
        return _load_segments(directory, readonly, stack, progress or no_progress)


def _load_segments(
    directory: Path, readonly: bool, stack: ExitStack, progress: ProgressFactory
) -> tuple[list[Segment], list[Entry], KeyIndex[Entry], int]:
    snapshot = read_light_snapshot(directory)
    segments: list[Segment] = []
    entries: list[Entry] = []
    key_chunks: list[npt.NDArray[np.uint64]] = []  # per segment: 1M keys as ints weigh 100 MB
    owner_chunks: list[npt.NDArray[np.object_]] = []
    taken: list[tuple[int, int, int]] = []  # snapshot spans used: (start, end, where they went)
    paths = sorted(directory.glob(SEGMENT_GLOB), key=segment_number)
    step: Callable[[int], None] | None = None
    for index, path in enumerate(paths):
        segment = Segment(segment_number(path), path, readonly=readonly)
        segments.append(segment)
        known = snapshot.segments.get(segment.number) if snapshot is not None else None
        if snapshot is not None and known is not None and known[0] == stamp(segment):
            _, segment.count, start, end = known
            taken.append((start, end, len(entries)))
            ids, titles, published, added, sources, langs, spans = snapshot.fields(start, end)
            entries.extend(
                map(Entry, ids, titles, published, added, sources, langs, repeat(segment), spans)
            )
            continue
        docs = segment.load()
        if segment.migrated and step is None:
            log.info("migrating %d article segments to the current schema", len(paths) - index)
            step = stack.enter_context(progress("migrating article segments", len(paths) - index))
        if step is not None:
            step(1)
        size = segment.size()
        keys: list[int] = []
        owners: list[Entry] = []
        for doc in docs:
            if sum(doc["at"]) > size:  # e.g. a backup copied while a prune ran
                log.warning("%s lacks the record of %s; skipped", segment.records, doc["id"])
                continue
            entry = entry_of(doc, segment)
            entries.append(entry)
            keys.extend(doc["keys"])
            owners.extend([entry] * len(doc["keys"]))
        key_chunks.append(np.array(keys, dtype=np.uint64))
        owner_chunks.append(np.empty(len(owners), dtype=object))
        owner_chunks[-1][:] = owners
    if snapshot is not None and taken:
        keys_taken, at = snapshot.keys_of(taken)
        every = np.empty(len(entries), dtype=object)
        every[:] = entries
        key_chunks.append(keys_taken)
        owner_chunks.append(every[at])
    parsed = len(segments) - len(taken)
    return segments, entries, KeyIndex.from_arrays(key_chunks, owner_chunks), parsed


def scan(entries: list[Entry]) -> Iterator[Article]:
    """Yield the full articles of entries, reading each run of one segment in one go."""
    run: list[Entry] = []
    for entry in [*entries, None]:
        if run and (entry is None or entry.segment is not run[0].segment):
            docs = run[0].segment.read([(e.offset, e.length) for e in run])
            yield from (doc_to_article(doc) for doc in docs if doc is not None)
            run = []
        if entry is not None:
            run.append(entry)


class ArticleCache:
    """A bounded, thread-safe LRU of full articles by id (the bodies the hot paths re-read)."""

    def __init__(self, capacity: int) -> None:
        """Hold at most capacity articles."""
        self.capacity = capacity
        # cachetools is not thread-safe, and even a get reorders: every access takes the lock.
        self._items: LRUCache[str, Article] = LRUCache(max(capacity, 1))
        self._lock = threading.Lock()

    def get(self, article_id: str) -> Article | None:
        """Return a cached article and mark it recently used."""
        with self._lock:
            return self._items.get(article_id)

    def get_many(self, article_ids: list[str]) -> list[Article | None]:
        """Return cached articles (None where not cached) under one lock."""
        with self._lock:
            return [self._items.get(article_id) for article_id in article_ids]

    def put_all(self, articles: Iterable[Article]) -> None:
        """Cache articles, dropping the least recently used beyond capacity."""
        if self.capacity <= 0:
            return
        with self._lock:
            for article in articles:
                self._items[article.id] = article

    def drop(self, article_ids: Iterable[str]) -> None:
        """Forget articles (pruned ones)."""
        with self._lock:
            for article_id in article_ids:
                self._items.pop(article_id, None)

    def __len__(self) -> int:
        return len(self._items)


def load_articles(cache: ArticleCache, entries: list[Entry]) -> list[Article]:
    """Return the full articles of entries, in order: from the cache, else one read per segment."""
    found = cache.get_many([e.id for e in entries])
    wanted: dict[Segment, list[int]] = {}
    for at, article in enumerate(found):
        if article is None:
            wanted.setdefault(entries[at].segment, []).append(at)
    fresh = []
    for segment, ats in wanted.items():
        docs = segment.read([(entries[at].offset, entries[at].length) for at in ats])
        for at, doc in zip(ats, docs, strict=True):
            if doc is not None:
                found[at] = doc_to_article(doc)
                fresh.append(found[at])
    cache.put_all(a for a in fresh if a is not None)
    return [a for a in found if a is not None]


def loaded(cache: ArticleCache, entries: list[Entry | None]) -> list[Article | None]:
    """Return the full article of each entry (None for None or one pruned meanwhile)."""
    found = {a.id: a for a in load_articles(cache, [e for e in entries if e is not None])}
    return [found.get(e.id) if e is not None else None for e in entries]
