"""The article and story records shared by the store, search, stories, digests and rendering."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime

# Long work (an index rebuild) reports through this: it opens a display for (what, total) and
# yields the function that advances it; the CLI passes tqdm bars, everything else no_progress.
ProgressFactory = Callable[[str, int], AbstractContextManager[Callable[[int], None]]]


def no_progress(what: str, total: int) -> AbstractContextManager[Callable[[int], None]]:
    """Show nothing."""
    return nullcontext(lambda done: None)


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
    """A story as users see it: headline, its newest articles, sources, size, times.

    `articles` holds the newest VIEW_ARTICLES (bot.stories.views) of the story's `size`: a
    story followed for weeks can have thousands, and a user is shown the newest 30 at most.
    """

    id: str
    headline: str
    articles: tuple[Article, ...]  # newest first
    best: Article  # the article whose title is the headline: the one to link
    sources: tuple[str, ...]  # distinct source names, in order of first report
    first_seen: datetime
    last_updated: datetime
    size: int  # how many articles the story has in all
    source_count: int  # distinct sources; an article without one counts alone
    score: float = 0.0
    report_count: int = 0  # distinct texts (reprints of one text count once); 0: not known


@dataclass(frozen=True, slots=True)
class RankedStory:
    """A story's place in a ranking, before its view is read: a fan-out shows 10 of thousands."""

    id: str
    score: float
    source_count: int


@dataclass(frozen=True, slots=True)
class Development:
    """One report of a story that brought something: what it said first, where and when."""

    article_id: str
    added: datetime  # when this bot got it: what a chat has not seen is measured by
    published: datetime
    source: str | None
    title: str
    url: str | None
    facts: tuple[str, ...]
    first: bool = False  # the story's first report
