"""Article <-> stored document, and the schema versions of the data files.

Every data file carries `{"_meta": {"1": {"schema": N, "kind": ...}}}`. A file of
an older schema is migrated step by step on open (`MIGRATIONS[n]` turns a
version-n document into a version-n+1 one); a newer one is refused.

Schema 3 splits an article in two (see `segments.py`): the full document (body, url,
guid, category: what only a reader of that one article needs) goes to the segment's
records file, and the segment's TinyDB file keeps a light document per article: what
the store holds in memory, its 64-bit dedup keys and where the full document lies.

Schema 4 changes the canonical URL form (courlan, `dedup.py`), so the URL key of every
stored article changes. A schema-3 segment keeps its layout; its light documents get keys
recomputed from the URLs in its records file (`segments.py`), once, by the first writer.
The full documents keep the `url_key` they were written with: nothing reads it after
schema 3, the light document's keys are the ones that count.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.archive.dedup import canonical_url
from bot.models import Article, ArticleDraft
from bot.text.lang import detect_language

SCHEMA_VERSION = 4
LIGHT_SINCE = 3  # the first schema whose segment files hold light documents
META_TABLE = "_meta"

Document = dict[str, Any]


def _v1_to_v2(doc: Document) -> Document:
    """Schema 2 stores the detected language; v1 files predate it."""
    doc.setdefault("lang", detect_language(f"{doc.get('title', '')} {doc.get('body', '')}"))
    return doc


def _v2_to_v3(doc: Document) -> Document:
    """Schema 3 changes where a document lives (segments.py), not what it holds."""
    return doc


def _v3_to_v4(doc: Document) -> Document:
    """Schema 4 keys URLs by courlan's canonical form (dedup.py)."""
    url = doc.get("url")
    doc["url_key"] = canonical_url(url) if url else None
    return doc


MIGRATIONS: dict[int, Callable[[Document], Document]] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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


def to_micros(moment: datetime) -> int:
    """Return an aware datetime as integer microseconds since the epoch (exact, unlike floats)."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def from_micros(micros: int) -> datetime:
    """Return the aware UTC datetime of integer microseconds since the epoch."""
    return EPOCH + timedelta(microseconds=micros)


def key64(kind: str, value: str) -> int:
    """Return a 64-bit dedup key: 8 bytes instead of a URL string for each of a million articles.

    Two different keys clash with probability about n²/2⁶⁵ (3·10⁻⁷ for 3 million keys);
    `find_by_url` checks the stored URL, so only dedup could ever fold two articles.
    """
    digest = hashlib.blake2b(f"{kind}:{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def dedup_keys(url_key: str | None, guid: str | None, content_key: str) -> list[int]:
    """Return the 64-bit keys of an article's canonical URL, GUID and content hash."""
    keys = [key64("h", content_key)]
    if url_key:
        keys.append(key64("u", url_key))
    if guid:
        keys.append(key64("g", guid))
    return keys


def light_doc(article: Article, keys: list[int], offset: int, length: int) -> Document:
    """Return the light document of an article whose full one is at offset/length."""
    return {
        "id": article.id,
        "title": article.title,
        "published": to_micros(article.published),
        "added": to_micros(article.added),
        "source": article.source,
        "lang": article.lang,
        "keys": keys,
        "at": [offset, length],
    }


def new_article(draft: ArticleDraft, article_id: str, now: datetime) -> Article:
    """Return the article a new draft becomes."""
    return Article(
        id=article_id,
        title=draft.title,
        body=draft.body,
        published=draft.published or now,
        added=now,
        url=draft.url,
        source=draft.source,
        category=draft.category,
        guid=draft.guid,
        lang=detect_language(f"{draft.title}\n{draft.body}"),
    )
