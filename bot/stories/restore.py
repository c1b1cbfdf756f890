"""What the engine needs again after a restart: the articles of the stories still open."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from datetime import timedelta

from bot.models import Article
from bot.stories.journal import StoryRecord
from bot.stories.reader import ArticleReader
from bot.stories.values import StoryItem


def to_item(article: Article) -> StoryItem:
    """Return the engine's view of an article."""
    return StoryItem(
        article.id,
        article.title,
        article.body,
        article.published,
        article.source or "",
        article.lang,
    )


MAX_RESTORE = 5000


def open_members(records: Iterable[StoryRecord], window: timedelta) -> dict[str, str]:
    """Return member -> story id of the stories still open: newest article within `window` of
    the newest of all stories, like the engine's own clock. Reads no article (cheap enough to
    call holding the records' lock)."""
    dated = [(r.last, r) for r in records if r.last is not None]
    if not dated:
        return {}
    cutoff = max(last for last, _ in dated) - window
    return {m: r.id for last, r in dated if last >= cutoff for m in r.members}


def window_items(
    story_of: Mapping[str, str], store: ArticleReader, limit: int = MAX_RESTORE
) -> list[tuple[str, StoryItem]]:
    """Return (story id, item) of the newest `limit` of these articles, in arrival order.

    Arrival order (by `added`) makes the restored centroids match the original ones. The
    limit bounds the start-up work (half a millisecond of CPU per article): an import of
    undated news puts everything in one window, and the newest reports carry a story anyway.
    The newest are picked from the store's light keys, so only they are read (at 1M the open
    stories held 700,000 articles: reading them all took 6.6 s and 100 MB).
    """
    newest = heapq.nlargest(limit, store.light(story_of, "added", "published", "id"))
    chosen = [a for *_, aid in reversed(newest) if (a := store.get(aid)) is not None]
    return [(story_of[a.id], to_item(a)) for a in chosen]
