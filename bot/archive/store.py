"""The article store: the one source of truth, TinyDB segment files plus in-memory indexes.

Writes are batched: `add_many` dedups a whole batch, then writes each touched
segment once. Every index here (dedup keys, newest-first order, arrival order)
is derived from the segment files when the store opens.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bot.archive.dedup import canonical_url, content_hash, short_id
from bot.archive.records import article_to_doc, doc_to_article
from bot.archive.segments import SEGMENT_GLOB, Segment, segment_number, segment_path
from bot.models import Article, ArticleDraft, utcnow
from bot.text.lang import detect_language

SEGMENT_CAPACITY = 1000
ArticleListener = Callable[[list[Article]], None]
RemovalListener = Callable[[list[str]], None]


class StoreReadOnly(Exception):
    """A write was asked of a store opened for reading only."""


@dataclass
class AddResult:
    """What one batch did: the articles it added and how many drafts were duplicates."""

    added: list[Article] = field(default_factory=list)
    duplicates: int = 0


@dataclass(frozen=True, slots=True)
class _Keys:
    url: str | None
    guid: str | None
    hash: str


class ArticleStore:
    """Articles in bounded TinyDB segment files under `<data_dir>/articles`."""

    def __init__(
        self,
        data_dir: Path,
        *,
        retention_days: int = 90,
        clock: Callable[[], datetime] = utcnow,
        readonly: bool = False,
        segment_capacity: int = SEGMENT_CAPACITY,
    ) -> None:
        self.directory = data_dir / "articles"
        self.retention_days = retention_days
        self.readonly = readonly
        self._clock = clock
        self.segment_capacity = segment_capacity
        self._articles: dict[str, Article] = {}
        self._keys: dict[str, _Keys] = {}
        self._segment_of: dict[str, Segment] = {}
        self._segments: list[Segment] = []
        self._by_url: dict[str, str] = {}
        self._by_guid: dict[str, str] = {}
        self._by_hash: dict[str, str] = {}
        self._newest: list[tuple[datetime, str]] = []
        self._arrivals: list[tuple[datetime, str]] = []
        self._listeners: list[ArticleListener] = []
        self._removal_listeners: list[RemovalListener] = []

    def initialize(self) -> None:
        """Open every segment and derive the in-memory indexes from them."""
        if not self.readonly:
            self.directory.mkdir(parents=True, exist_ok=True)
            for stale in self.directory.glob(".*.tmp"):
                stale.unlink()  # a write killed before its rename; the old file is intact
        paths = sorted(self.directory.glob(SEGMENT_GLOB), key=segment_number)
        for path in paths:
            segment = Segment(segment_number(path), path, readonly=self.readonly)
            self._segments.append(segment)
            for doc in segment.load():
                self._remember(doc_to_article(doc), _Keys(doc["url_key"], doc["guid"], doc["hash"]))
                self._segment_of[doc["id"]] = segment
        self._newest.sort()
        self._arrivals.sort()

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
        return len(self._articles)

    def __iter__(self) -> Iterator[Article]:
        return iter(list(self._articles.values()))

    def get(self, article_id: str) -> Article | None:
        """Return the article with this id, if stored."""
        return self._articles.get(article_id)

    def find_by_url(self, url: str) -> Article | None:
        """Return the article stored under this URL (compared canonically)."""
        key = canonical_url(url)
        found = self._by_url.get(key) if key else None
        return self._articles.get(found) if found else None

    def latest(self, limit: int, offset: int = 0) -> list[Article]:
        """Return up to limit articles, newest published first, skipping offset."""
        end = len(self._newest) - offset
        start = max(0, end - limit)
        return [self._articles[aid] for _, aid in reversed(self._newest[start : max(end, 0)])]

    def added_since(self, since: datetime) -> list[Article]:
        """Return the articles added to the store after since, oldest arrival first."""
        start = bisect.bisect_right(self._arrivals, (since, "\uffff"))
        return [self._articles[aid] for _, aid in self._arrivals[start:]]

    def add_many(self, drafts: Iterable[ArticleDraft]) -> AddResult:
        """Dedup and store a batch, writing each touched segment once."""
        if self.readonly:
            raise StoreReadOnly("the store is open read-only; another process is writing")
        result = AddResult()
        now = self._clock()
        for draft in drafts:
            article, keys = self._prepare(draft, now)
            if article is None:
                result.duplicates += 1
                continue
            self._remember(article, keys, keep_sorted=True)
            result.added.append(article)
        if result.added:
            self._persist(result.added)
            for listener in self._listeners:
                listener(result.added)
        return result

    def add(self, draft: ArticleDraft) -> Article | None:
        """Store one draft; return the new article, or None for a duplicate."""
        added = self.add_many([draft]).added
        return added[0] if added else None

    def _prepare(self, draft: ArticleDraft, now: datetime) -> tuple[Article | None, _Keys]:
        """Return the article a draft becomes, or None when it duplicates a stored one."""
        keys = _Keys(
            canonical_url(draft.url) if draft.url else None,
            draft.guid or None,
            content_hash(draft.title, draft.body),
        )
        if (
            (draft.id and draft.id in self._articles)
            or (keys.url and keys.url in self._by_url)
            or (keys.guid and keys.guid in self._by_guid)
            or keys.hash in self._by_hash
        ):
            return None, keys
        article_id = draft.id or self._new_id(keys.url or keys.guid or keys.hash)
        article = Article(
            id=article_id,
            title=draft.title,
            body=draft.body,
            published=draft.published or now,
            added=now,
            url=draft.url,
            source=draft.source,
            category=draft.category,
            guid=draft.guid,
            lang=detect_language(f"{draft.title}\n{draft.body}"),
        )
        return article, keys

    def _new_id(self, key: str) -> str:
        candidate = short_id(key)
        salt = 0
        while candidate in self._articles:  # a 48-bit clash is rare, but ids must stay unique
            salt += 1
            candidate = short_id(f"{key}#{salt}")
        return candidate

    def _remember(self, article: Article, keys: _Keys, *, keep_sorted: bool = False) -> None:
        self._articles[article.id] = article
        self._keys[article.id] = keys
        if keys.url:
            self._by_url[keys.url] = article.id
        if keys.guid:
            self._by_guid[keys.guid] = article.id
        self._by_hash[keys.hash] = article.id
        if keep_sorted:
            bisect.insort(self._newest, (article.published, article.id))
            bisect.insort(self._arrivals, (article.added, article.id))
        else:
            self._newest.append((article.published, article.id))
            self._arrivals.append((article.added, article.id))

    def _persist(self, articles: list[Article]) -> None:
        """Fill the newest segment, then new ones, each written once."""
        pending = list(articles)
        while pending:
            segment = self._open_segment()
            room = self.segment_capacity - len(segment)
            chunk, pending = pending[:room], pending[room:]
            docs = [article_to_doc(a, self._keys[a.id].url, self._keys[a.id].hash) for a in chunk]
            segment.append(docs)
            for article in chunk:
                self._segment_of[article.id] = segment

    def _open_segment(self) -> Segment:
        if self._segments and len(self._segments[-1]) < self.segment_capacity:
            return self._segments[-1]
        number = self._segments[-1].number + 1 if self._segments else 1
        segment = Segment(number, segment_path(self.directory, number))
        self._segments.append(segment)
        return segment

    def prune(self) -> int:
        """Drop articles that arrived more than retention_days ago; return how many.

        Age counts from arrival, not publication, so an imported archive of old
        news is kept for the retention period like fresh news.
        """
        if self.retention_days <= 0 or self.readonly:
            return 0
        cutoff = self._clock() - timedelta(days=self.retention_days)
        expired = [aid for added, aid in self._arrivals if added < cutoff]
        by_segment: dict[int, list[str]] = {}
        for aid in expired:
            by_segment.setdefault(self._segment_of[aid].number, []).append(aid)
        for segment in list(self._segments):
            if segment.number in by_segment:
                segment.remove(by_segment[segment.number])
                if not len(segment):
                    self._segments.remove(segment)
        for aid in expired:
            self._forget(aid)
        gone = set(expired)
        self._newest = [item for item in self._newest if item[1] not in gone]
        self._arrivals = [item for item in self._arrivals if item[1] not in gone]
        if expired:
            for listener in self._removal_listeners:
                listener(expired)
        return len(expired)

    def _forget(self, article_id: str) -> None:
        keys = self._keys.pop(article_id)
        del self._articles[article_id]
        del self._segment_of[article_id]
        for index, key in ((self._by_url, keys.url), (self._by_guid, keys.guid)):
            if key and index.get(key) == article_id:
                del index[key]
        if self._by_hash.get(keys.hash) == article_id:
            del self._by_hash[keys.hash]
