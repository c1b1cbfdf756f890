"""Views of a story record over the store: its place in a ranking, and what users see.

Both start from the members' light fields (`Fact`s, from `ArticleReader.light`), which cost
no Article: a story followed for weeks can hold thousands of articles, and a ranking reads
every candidate story. Only the newest VIEW_ARTICLES of a story shown are read as articles.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Hashable
from operator import itemgetter

from cachetools import LRUCache

from bot.archive.records import from_micros
from bot.models import Article, RankedStory, Story
from bot.stories.journal import StoryRecord
from bot.stories.ranking import arrival_importance
from bot.stories.reader import ArticleReader

# A story's listing shows its newest 30; its summary picks 4 among them and the best article.
VIEW_ARTICLES = 30
FACT_FIELDS = ("published", "source", "id", "title")
Fact = tuple[int, str | None, str, str]  # a member's published (µs), source, id, title
MICROS = 1_000_000


def member_facts(record: StoryRecord, store: ArticleReader) -> list[Fact]:
    """Return the light fields of a story's stored members, in arrival order."""
    return store.light(record.members, *FACT_FIELDS)


def source_key(source: str | None, article_id: str) -> Hashable:
    """Return what counts as one source: the source name, or the article when it has none."""
    return source if source else ("article", article_id)


def source_count(facts: list[Fact]) -> int:
    """Return the story's distinct sources (a digest compares a ranking's with a view's)."""
    return len({source_key(source, aid) for _, source, aid, _ in facts})


def report_count(record: StoryRecord, facts: list[Fact]) -> int:
    """Return the story's reports: its stored members' distinct texts (copies count once)."""
    return len({record.report_of(aid) for _, _, aid, _ in facts})


def ranked(record: StoryRecord, facts: list[Fact], now: float, period: float) -> RankedStory | None:
    """Return the story's place in a ranking of the period ending at now (epoch seconds),
    or None when it has no article in the period."""
    arrivals = [
        (published / MICROS, source_key(source, aid), record.report_of(aid))
        for published, source, aid, _ in facts
    ]
    score = arrival_importance(arrivals, now, period)
    if score <= 0:
        return None
    return RankedStory(record.id, score, source_count(facts))


def story_view(
    record: StoryRecord,
    facts: list[Fact],
    read: Callable[[str], Article | None],
    lang: str | None,
    score: float = 0.0,
) -> Story | None:
    """Return the user-facing story: headline in lang when it has one, best article, sources."""
    newest = heapq.nlargest(VIEW_ARTICLES, facts, key=itemgetter(0, 2))  # (published, id)
    articles = tuple(a for *_, aid, _ in newest if (a := read(aid)) is not None)
    if not articles:
        return None
    headline = record.headlines.get(lang, record.headline) if lang else record.headline
    best_id = next((aid for *_, aid, title in facts if title == headline), facts[0][2])
    # The same object as in `articles` when kept there: one article is one article.
    best = next((a for a in articles if a.id == best_id), None) or read(best_id) or articles[0]
    named: dict[str, None] = {}
    for _, source, _, _ in sorted(facts, key=itemgetter(0)):  # in order of first report
        if source:
            named.setdefault(source, None)
    return Story(
        id=record.id,
        headline=headline or best.title,
        articles=articles,
        best=best,
        sources=tuple(named),
        first_seen=from_micros(min(f[0] for f in facts)),
        last_updated=from_micros(max(f[0] for f in facts)),
        size=len(facts),
        source_count=source_count(facts),
        score=score,
        report_count=report_count(record, facts),
    )


class ViewCache:
    """Story views until their story changes (its size, newest member or headline).

    A view reads its members' light fields and its newest articles, and lists ask for the
    same stories over and over. Readers on any thread share it, so every access holds a
    lock (an LRU reorders even on a read); stale keys are never asked for again and age out.
    """

    def __init__(self, size: int) -> None:
        self._views: LRUCache[tuple[object, ...], Story] = LRUCache(size)
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> Story | None:
        """Return the view stored under key, if any."""
        with self._lock:
            return self._views.get(key)

    def put(self, key: tuple[object, ...], view: Story) -> None:
        """Keep a view, dropping the least recently used when full."""
        with self._lock:
            self._views[key] = view
