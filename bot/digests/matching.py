"""Which of a digest's new articles match a subscription's topic: one search, shared by a fan-out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast

from bot.digests.records import topic_key
from bot.memo import Memo
from bot.models import Article
from bot.search import SearchResult

PAGE = 100  # SearchService's largest page
MAX_PAGES = 50
RANK_CACHE_SIZE = 512
RankCache = Memo[tuple[object, ...], Any]  # matches, rankings and picks of a fan-out
T = TypeVar("T")


class Searcher(Protocol):
    """The part of SearchService a digest reads."""

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        offset: int = 0,
        sort: str = "relevance",
        typos: bool = True,
    ) -> SearchResult: ...


def cached_matches(
    topic: str, candidates: list[Article], searcher: Searcher, cache: RankCache | None
) -> list[Article]:
    """Match through the cache; candidates are a run of arrivals, so its ends name it."""
    if cache is None or not candidates:
        return matches(topic, candidates, searcher)
    key: tuple[object, ...] = (topic_key(topic), candidates[0].id, candidates[-1].id)
    key += (len(candidates),)
    return remembered(cache, key, lambda: matches(topic, candidates, searcher))


def remembered(cache: RankCache, key: tuple[object, ...], make: Callable[[], list[T]]) -> list[T]:
    """Return the list remembered for key, made first when missing."""
    return cast(list[T], cache.remembered(key, make))


def matches(topic: str, candidates: list[Article], searcher: Searcher) -> list[Article]:
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
        # A digest cannot ask "did you mean": a word no article has yet matches nothing, not
        # its neighbours ("Путин" → "пути"), and the topic's other words keep their matches.
        result = searcher.search(query, limit=PAGE, offset=page * PAGE, typos=False)
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
