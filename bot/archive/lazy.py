"""An Article whose body, URL, GUID and category are read from its store on first use.

`ArticleStore.get` answers with one of these when the article is not cached: callers that
only ask whether an article exists, or want its title and dates (the story service does,
for every stored article when it opens), cost a dict lookup instead of a disk read. The
first access to a heavy field loads the full article through the store's `Loader` (its
segment, or a PostgreSQL row) and cache; the object keeps no reference to it, so holding
many of these never pins their bodies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.archive.entries import ArticleCache, load_articles
from bot.archive.records import from_micros
from bot.models import Article


class LightEntry(Protocol):
    """What a store holds in memory per article; dates in integer microseconds (UTC)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def published(self) -> int: ...
    @property
    def added(self) -> int: ...
    @property
    def source(self) -> str | None: ...
    @property
    def lang(self) -> str: ...


class Loader(Protocol):
    """Reads full articles: those of the entries still stored, in order."""

    def load(self, entries: Sequence[LightEntry]) -> list[Article]: ...


class SegmentLoader:
    """The embedded store's loader: the cache, else one read per segment."""

    def __init__(self, cache: ArticleCache) -> None:
        self._cache = cache

    def load(self, entries: Sequence[LightEntry]) -> list[Article]:
        """Return the full articles of segment entries."""
        return load_articles(self._cache, entries)  # type: ignore[arg-type]  # they are Entry


_MISSING = Article(id="", title="", body="", published=from_micros(0), added=from_micros(0))


class StoredArticle(Article):
    """A stored article with its light fields set and its heavy ones loaded on demand."""

    __slots__ = ("_entry", "_loader")

    def __init__(self, entry: LightEntry, loader: Loader) -> None:
        """Set the light fields from the entry (Article's own __init__ would set the heavy ones)."""
        # Article is frozen: its fields are set the way its generated __init__ sets them.
        for name, value in (
            ("id", entry.id),
            ("title", entry.title),
            ("published", from_micros(entry.published)),
            ("added", from_micros(entry.added)),
            ("source", entry.source),
            ("lang", entry.lang),
            ("_entry", entry),
            ("_loader", loader),
        ):
            object.__setattr__(self, name, value)

    def _full(self) -> Article:
        """Return the full article (a pruned one reads as empty)."""
        entry: LightEntry = object.__getattribute__(self, "_entry")
        loader: Loader = object.__getattribute__(self, "_loader")
        found = loader.load([entry])
        return found[0] if found else _MISSING

    @property
    def body(self) -> str:
        """Return the body, read from the store (or the cache)."""
        return self._full().body

    @property
    def url(self) -> str | None:
        """Return the URL, read from the store (or the cache)."""
        return self._full().url

    @property
    def guid(self) -> str | None:
        """Return the feed GUID, read from the store (or the cache)."""
        return self._full().guid

    @property
    def category(self) -> str | None:
        """Return the category, read from the store (or the cache)."""
        return self._full().category

    def __eq__(self, other: object) -> bool:
        """Compare field by field with any Article, lazy or not (dataclass eq wants one class)."""
        if not isinstance(other, Article):
            return NotImplemented
        return _fields(self) == _fields(other)

    def __hash__(self) -> int:
        return hash(_fields(self))

    def __repr__(self) -> str:
        return f"StoredArticle(id={self.id!r}, title={self.title!r})"


def lazy_articles(
    cache: ArticleCache, entries: Sequence[LightEntry], loader: Loader
) -> list[Article]:
    """Return the articles of entries without reading a body: cached ones whole, others lazy."""
    cached = cache.get_many([entry.id for entry in entries])
    return [found or StoredArticle(e, loader) for found, e in zip(cached, entries, strict=True)]


def _fields(article: Article) -> tuple[object, ...]:
    return (
        article.id,
        article.title,
        article.body,
        article.published,
        article.added,
        article.url,
        article.source,
        article.category,
        article.guid,
        article.lang,
    )
