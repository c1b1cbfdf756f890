"""An Article whose body, URL, GUID and category are read from its segment on first use.

`ArticleStore.get` answers with one of these when the article is not cached: callers that
only ask whether an article exists, or want its title and dates (the story service does,
for every stored article when it opens), cost a dict lookup instead of a disk read. The
first access to a disk field loads the full article through the store's cache; the object
keeps no reference to it, so holding many of these never pins their bodies.
"""

from __future__ import annotations

from bot.archive.entries import ArticleCache, Entry, load_articles
from bot.archive.records import from_micros
from bot.models import Article

_MISSING = Article(id="", title="", body="", published=from_micros(0), added=from_micros(0))


class StoredArticle(Article):
    """A stored article with its light fields set and its heavy ones loaded on demand."""

    __slots__ = ("_cache", "_entry")

    def __init__(self, entry: Entry, cache: ArticleCache) -> None:
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
            ("_cache", cache),
        ):
            object.__setattr__(self, name, value)

    def _full(self) -> Article:
        """Return the full article (a pruned one reads as empty)."""
        entry: Entry = object.__getattribute__(self, "_entry")
        found = load_articles(object.__getattribute__(self, "_cache"), [entry])
        return found[0] if found else _MISSING

    @property
    def body(self) -> str:
        """Return the body, read from the segment (or the cache)."""
        return self._full().body

    @property
    def url(self) -> str | None:
        """Return the URL, read from the segment (or the cache)."""
        return self._full().url

    @property
    def guid(self) -> str | None:
        """Return the feed GUID, read from the segment (or the cache)."""
        return self._full().guid

    @property
    def category(self) -> str | None:
        """Return the category, read from the segment (or the cache)."""
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


def lazy_articles(cache: ArticleCache, entries: list[Entry]) -> list[Article]:
    """Return the articles of entries without reading a body: cached ones whole, others lazy."""
    cached = cache.get_many([entry.id for entry in entries])
    return [found or StoredArticle(e, cache) for found, e in zip(cached, entries, strict=True)]


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
