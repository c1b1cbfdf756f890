"""Views of a story record over its stored articles: for ranking, and for users."""

from __future__ import annotations

from datetime import datetime

from bot.models import Article, Story
from bot.stories.journal import StoryRecord
from bot.stories.model import StorySummary


def source_key(article: Article) -> str:
    """Return what counts as one source: the source name, or the article when it has none."""
    return f"source:{article.source}" if article.source else f"article:{article.id}"


def ranking_summary(
    record: StoryRecord, articles: list[Article], start: datetime, now: datetime
) -> StorySummary | None:
    """Return the ranking view of a story with an article in (start, now], else None."""
    if not any(start < a.published <= now for a in articles):
        return None
    arrivals = tuple((a.published, source_key(a)) for a in articles)
    return StorySummary(
        id=record.id,
        members=tuple(record.members),
        headline=record.headline,
        first_seen=min(a.published for a in articles),
        last_updated=max(a.published for a in articles),
        sources=len({key for _, key in arrivals}),
        arrivals=arrivals,
    )


def story_view(
    record: StoryRecord, articles: list[Article], lang: str | None, score: float = 0.0
) -> Story | None:
    """Return the user-facing story: headline in lang when it has one, best article, sources."""
    if not articles:
        return None
    headline = record.headlines.get(lang, record.headline) if lang else record.headline
    best = next((a for a in articles if a.title == headline), articles[0])
    sources: dict[str, None] = {}
    for article in sorted(articles, key=lambda a: a.published):
        if article.source:
            sources.setdefault(article.source, None)
    newest_first = tuple(sorted(articles, key=lambda a: (a.published, a.id), reverse=True))
    return Story(
        id=record.id,
        headline=headline or best.title,
        articles=newest_first,
        best=best,
        sources=tuple(sources),
        first_seen=min(a.published for a in articles),
        last_updated=max(a.published for a in articles),
        score=score,
    )


class ViewCache:
    """Story views until their story changes (its size, newest member or headline).

    A view reads every member from the store, and lists ask for the same stories over and
    over. Plain dict operations are atomic, so readers on any thread may share it.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._views: dict[tuple[object, ...], Story] = {}

    def get(self, key: tuple[object, ...]) -> Story | None:
        """Return the view stored under key, if any."""
        return self._views.get(key)

    def put(self, key: tuple[object, ...], view: Story) -> None:
        """Keep a view; start over when full (stale keys are never asked for again)."""
        if len(self._views) >= self._size:
            self._views.clear()
        self._views[key] = view
