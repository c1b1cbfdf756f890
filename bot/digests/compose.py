"""What a digest holds: the new articles of each subscription, ranked, capped, grouped by topic.

Pure of Telegram: `compose()` picks articles, `render_digest()` turns them into HTML messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.digests.records import Subscription, topic_key
from bot.models import Article
from bot.search import SearchResult

FIRST_DIGEST_WINDOW = timedelta(hours=24)
DEFAULT_CAP = 10
PAGE = 100  # SearchService's largest page
MAX_PAGES = 50
RANK_CACHE_SIZE = 512
RankCache = dict[tuple[str, str, str, int], list["Article"]]


class ArticleSource(Protocol):
    """The part of ArticleStore a digest reads."""

    def added_since(self, since: datetime) -> list[Article]: ...


class Searcher(Protocol):
    """The part of SearchService a digest reads."""

    def search(
        self, query: str, *, limit: int = 10, offset: int = 0, sort: str = "relevance"
    ) -> SearchResult: ...


@dataclass(frozen=True, slots=True)
class Section:
    """One subscription's part of a digest: the articles shown and how many more matched."""

    sub: Subscription
    articles: list[Article]
    more: int = 0


@dataclass(frozen=True, slots=True)
class Digest:
    """One chat's digest: a section per subscription, and the cursor it moves them to."""

    chat_id: int
    sections: list[Section] = field(default_factory=list)
    upto: datetime | None = None  # newest `added` considered; the cursor after delivery

    @property
    def empty(self) -> bool:
        """Return whether there is nothing new to send."""
        return not any(section.articles for section in self.sections)

    @property
    def sub_ids(self) -> list[str]:
        """Return the subscriptions this digest delivers."""
        return [section.sub.sub_id for section in self.sections]


def since_of(sub: Subscription, now: datetime) -> datetime:
    """Return where the digest starts: the cursor, else the last 24 hours."""
    return sub.cursor if sub.cursor is not None else now - FIRST_DIGEST_WINDOW


def compose(
    chat_id: int,
    subs: Sequence[Subscription],
    store: ArticleSource,
    searcher: Searcher,
    now: datetime,
    *,
    cap: int = DEFAULT_CAP,
    cache: RankCache | None = None,
) -> Digest:
    """Return the digest of a chat's subscriptions as of `now`.

    `cache` shares rankings between chats with the same topic and the same new articles
    (the common case in a fan-out), so 10,000 subscribers do not mean 10,000 searches.
    """
    oldest = min((since_of(s, now) for s in subs), default=now)
    fresh = [a for a in store.added_since(oldest) if a.added <= now]
    upto = max((a.added for a in fresh), default=None)
    sections = []
    for sub in subs:
        since = since_of(sub, now)
        candidates = [a for a in fresh if a.added > since]
        ranked = _cached_rank(sub.topic, candidates, searcher, cache)
        sections.append(Section(sub, ranked[:cap], max(0, len(ranked) - cap)))
    return Digest(chat_id, sections, upto)


def _cached_rank(
    topic: str, candidates: list[Article], searcher: Searcher, cache: RankCache | None
) -> list[Article]:
    """Rank through the cache; candidates are a run of arrivals, so its ends name it."""
    if cache is None or not candidates:
        return rank(topic, candidates, searcher)
    key = (topic_key(topic), candidates[0].id, candidates[-1].id, len(candidates))
    found = cache.get(key)
    if found is None:
        if len(cache) >= RANK_CACHE_SIZE:
            cache.clear()
        found = cache[key] = rank(topic, candidates, searcher)
    return found


def rank(topic: str, candidates: list[Article], searcher: Searcher) -> list[Article]:
    """Return the candidates matching the topic, best first (newest first for all news)."""
    if not candidates:
        return []
    if not topic.strip():
        return sorted(candidates, key=lambda a: (a.published, a.added), reverse=True)
    wanted = {a.id: a for a in candidates}
    first_day = min(a.published for a in candidates).date()
    # A trailing space: the topic's last word is a whole word, not a prefix being typed.
    query = f"{topic} since:{first_day.isoformat()} "
    found: list[Article] = []
    for page in range(MAX_PAGES):
        result = searcher.search(query, limit=PAGE, offset=page * PAGE)
        if result.relaxed:
            break  # not every word matched: a digest holds only real matches
        found += [wanted[h.article.id] for h in result.hits if h.article.id in wanted]
        if len(found) >= len(wanted) or (page + 1) * PAGE >= result.total:
            break
    return _unique(found)


def _unique(articles: list[Article]) -> list[Article]:
    seen: set[str] = set()
    out = []
    for article in articles:
        if article.id not in seen:
            seen.add(article.id)
            out.append(article)
    return out
