"""The article and story records shared by the store, search, stories, digests and rendering.

Also the two hooks long work reports through (progress bars, the laps of a start), and the ISO
form the stored documents keep times in.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime

# Long work (an index rebuild) reports through this: it opens a display for (what, total) and
# yields the function that advances it; the CLI passes tqdm bars, everything else no_progress.
ProgressFactory = Callable[[str, int], AbstractContextManager[Callable[[int], None]]]


def no_progress(what: str, total: int) -> AbstractContextManager[Callable[[int], None]]:
    """Show nothing."""
    return nullcontext(lambda done: None)


@dataclass
class Laps:
    """The steps of a start in order and the seconds each took, for one log line."""

    clock: Callable[[], float] = time.monotonic
    steps: dict[str, float] = field(default_factory=dict)
    mark: float = field(init=False)

    def __post_init__(self) -> None:
        self.mark = self.clock()

    def lap(self, step: str) -> None:
        """Charge the time since the last lap (or the start) to step."""
        now = self.clock()
        self.steps[step] = self.steps.get(step, 0.0) + now - self.mark
        self.mark = now

    def line(self) -> str:
        """Return "store 1.02 s, users 0.05 s, ..., total 1.07 s"."""
        parts = [f"{step} {seconds:.2f} s" for step, seconds in self.steps.items()]
        return ", ".join([*parts, f"total {sum(self.steps.values()):.2f} s"])


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def from_iso(value: object) -> datetime | None:
    """Return the time a stored ISO string holds; None for a missing or empty one."""
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def to_iso(moment: datetime | None) -> str | None:
    """Return a time as the ISO string a document stores; None stays None."""
    return moment.isoformat() if moment is not None else None


def later(a: datetime | None, b: datetime | None) -> datetime | None:
    """Return the later of two times, either of which may be unknown."""
    if a is None or b is None:
        return a or b
    return max(a, b)


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

    def __post_init__(self) -> None:
        # A NUL byte is never text, and PostgreSQL's text columns refuse it: one stray NUL in
        # an import would fail its whole batch there and be kept on files. Dropped here, at
        # the one door every article comes in by, both stores keep the same text.
        for name in ("title", "body", "url", "source", "category", "guid", "id"):
            value = getattr(self, name)
            if value is not None and "\x00" in value:
                object.__setattr__(self, name, value.replace("\x00", ""))


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
    lang: str | None = None
    # Its report was the story's first in its language and gave no number the story had not:
    # most likely the story retold (a translation, another outlet's account), news only to
    # readers of that language (bot/stories/facts.py).
    retold: bool = False


def told_to(developments: Iterable[Development], lang: str) -> list[Development]:
    """Return the developments a reader of lang is told: a retelling only in its own language."""
    return [d for d in developments if not d.retold or d.lang == lang]
