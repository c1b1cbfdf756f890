"""The article record shared by the store, search, summaries, digests and rendering."""

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
