"""The article and story records shared by the store, search, stories, digests and rendering."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """An article as it comes in from an import or a feed, before the store gives it an id."""

    title: str
    body: str
    url: str | None = None
    published: datetime | None = None
    source: str | None = None
    category: str | None = None
    guid: str | None = None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """A stored article; `published` and `added` are aware UTC datetimes."""

    id: str
    title: str
    body: str
    published: datetime
    added: datetime
    url: str | None = None
    source: str | None = None
    category: str | None = None
    guid: str | None = None
    lang: str = "en"


@dataclass(frozen=True, slots=True)
class Story:
    """A story as users see it: headline, its articles (newest first), sources, times."""

    id: str
    headline: str
    articles: tuple[Article, ...]
    best: Article  # the article whose title is the headline: the one to link
    sources: tuple[str, ...]  # distinct source names, in order of first report
    first_seen: datetime
    last_updated: datetime
    score: float = 0.0

    @property
    def source_count(self) -> int:
        """Return the number of distinct sources (an article without one counts alone)."""
        named = len(self.sources)
        return named + sum(1 for a in self.articles if not a.source)
