"""Article <-> stored document, and the schema versions of the data files.

Every data file carries `{"_meta": {"1": {"schema": N, "kind": ...}}}`. A file of
an older schema is migrated step by step on open (`MIGRATIONS[n]` turns a
version-n document into a version-n+1 one); a newer one is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.models import Article

SCHEMA_VERSION = 2
META_TABLE = "_meta"

Document = dict[str, Any]


def _v1_to_v2(doc: Document) -> Document:
    """Schema 2 stores the detected language; v1 files predate it."""
    from bot.text.lang import detect_language

    doc.setdefault("lang", detect_language(f"{doc.get('title', '')} {doc.get('body', '')}"))
    return doc


MIGRATIONS: dict[int, Callable[[Document], Document]] = {1: _v1_to_v2}


class SchemaError(Exception):
    """A data file was written by a newer newsbrief, or is not a newsbrief file."""


def check_version(version: int, where: object) -> None:
    """Refuse a file written by a newer newsbrief: migrating down would lose what it knows."""
    if version > SCHEMA_VERSION:
        raise SchemaError(
            f"{where} was written by a newer newsbrief (schema {version} > {SCHEMA_VERSION})"
        )


def migrate(doc: Document, from_version: int) -> Document:
    """Bring one document from from_version up to SCHEMA_VERSION."""
    check_version(from_version, "a document")
    for version in range(from_version, SCHEMA_VERSION):
        doc = MIGRATIONS[version](doc)
    return doc


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def parse_utc(text: str) -> datetime:
    """Parse an ISO 8601 timestamp; a naive one is taken as UTC."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def article_to_doc(article: Article, url_key: str | None, content_key: str) -> Document:
    """Return the stored form of an article, with its dedup keys."""
    return {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "url": article.url,
        "url_key": url_key,
        "hash": content_key,
        "published": _iso(article.published),
        "added": _iso(article.added),
        "source": article.source,
        "category": article.category,
        "guid": article.guid,
        "lang": article.lang,
    }


def doc_to_article(doc: Document) -> Article:
    """Return the Article a stored document describes."""
    return Article(
        id=doc["id"],
        title=doc["title"],
        body=doc["body"],
        published=parse_utc(doc["published"]),
        added=parse_utc(doc["added"]),
        url=doc.get("url"),
        source=doc.get("source"),
        category=doc.get("category"),
        guid=doc.get("guid"),
        lang=doc.get("lang", "en"),
    )
