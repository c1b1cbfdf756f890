"""What an open needs from the store: which members it still holds, and stories' newest times.

At a million articles the stories hold a million member ids. Opening checks them all with one
call that reads no article (`ArticleReader.shared_ids`), and keeps the store's own id strings
rather than the copies parsed from the stories file, so the ids are in memory once.

A first build (a new data dir's import, other engine settings, an archive from before the
stories) assigns the store's articles a thousand at a time as it reads them, so a million
articles' bodies are never in memory at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from itertools import chain, repeat
from typing import cast

from bot.archive.records import from_micros
from bot.models import Article
from bot.stories.analysis_worker import Prepared, prepared_chunks
from bot.stories.journal import StoryRecord
from bot.stories.reader import ArticleReader
from bot.stories.values import EngineSettings


def share_members(
    records: Iterable[StoryRecord], store: ArticleReader
) -> tuple[dict[str, str], list[str]]:
    """Swap members for the store's id strings; return (member -> story id, members it lost)."""
    records = list(records)
    flat = [m for record in records for m in record.members]
    shared = store.shared_ids(flat)
    gone = [m for m, s in zip(flat, shared, strict=True) if s is None] if None in shared else []
    owners = chain.from_iterable(repeat(r.id, len(r.members)) for r in records)
    keys = [s or m for m, s in zip(flat, shared, strict=True)] if gone else cast(list[str], shared)
    at = 0
    for record in records:
        size = len(record.members)
        record.members = keys[at : at + size]
        at += size
    return dict(zip(keys, owners, strict=True)), gone


def newest_time(record: StoryRecord, store: ArticleReader) -> datetime | None:
    """Return the newest publication time of a story's stored members, read from the store."""
    times = store.light(record.members, "published", "id")
    return from_micros(max(times)[0]) if times else None


BUILD_CHUNK = 1000


def unassigned(
    store: ArticleReader, story_of: Mapping[str, str], settings: EngineSettings
) -> Iterator[Iterator[Prepared]]:
    """Yield the store's articles no story holds, in arrival order, BUILD_CHUNK at a time.

    Ready for the engine: a second process analyses the next ones while a chunk is assigned.
    """
    return prepared_chunks(_unassigned(store, story_of), settings)


def _unassigned(store: ArticleReader, story_of: Mapping[str, str]) -> Iterator[list[Article]]:
    chunk: list[Article] = []
    for article in store:
        if article.id not in story_of:
            chunk.append(article)
            if len(chunk) == BUILD_CHUNK:
                yield chunk
                chunk = []
    if chunk:
        yield chunk
