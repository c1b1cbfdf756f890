"""What the engine needs again after a restart: the articles of the stories still open."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from bot.archive.writer import paced
from bot.models import Article
from bot.stories.journal import StoryRecord
from bot.stories.reader import ArticleReader
from bot.stories.values import StoryItem


def to_item(article: Article) -> StoryItem:
    """Return the engine's view of an article.

    The store stamps an article without a date of its own with the moment it was added
    (`bot.archive.records.new_article`), so `published == added` exactly marks it undated. A
    feed entry without a date gets the fetch time instead, a fair guess for a live feed.
    """
    return StoryItem(
        article.id,
        article.title,
        article.body,
        article.published,
        article.source or "",
        article.lang,
        undated=article.published == article.added,
    )


MAX_RESTORE = 5000
PICK_CHUNK = 10_000  # ids whose keys are read per step of window_items (about 2 ms)


def open_members(
    records: Sequence[StoryRecord],
    window: timedelta,
    give_way: Callable[[], object] | None = None,
) -> dict[str, str]:
    """Return member -> story id of the stories still open: newest article within `window` of
    the newest of all stories. (The engine's present is its last article's; after an older
    archive imported last, a restart keeps the newer stories and closes the archive's, as the
    next current article would.) Reads no article, nor the records' lock: the caller lists the
    records under it (at 1M a pass over 700,000 members), and goes PICK_CHUNK records at a
    time, calling give_way between chunks (`paced`)."""
    chunks = [records[at : at + PICK_CHUNK] for at in range(0, len(records), PICK_CHUNK)]
    lasts = [r.last for chunk in paced(chunks, give_way) for r in chunk if r.last is not None]
    if not lasts:
        return {}
    cutoff = max(lasts) - window
    members: dict[str, str] = {}
    for chunk in paced(chunks, give_way):
        for record in chunk:
            if record.last is not None and record.last >= cutoff:
                members.update(dict.fromkeys(record.members, record.id))
    return members


def window_items(
    story_of: Mapping[str, str],
    store: ArticleReader,
    limit: int = MAX_RESTORE,
    give_way: Callable[[], object] | None = None,
) -> list[tuple[str, StoryItem]]:
    """Return (story id, item) of the newest `limit` of these articles, in arrival order.

    Arrival order (by `added`) makes the restored centroids match the original ones. The
    limit bounds the start-up work (half a millisecond of CPU per article): an import of
    undated news puts everything in one window, and the newest reports carry a story anyway.
    The newest are picked from the store's light keys, so only they are read (at 1M the open
    stories held 700,000 articles: reading them all took 6.6 s and 100 MB), PICK_CHUNK ids at a
    time: one pass over 700,000 ran in C, holding the GIL (and the store's lock) from the
    replies for its whole length, in the bot's first minute. Ids are unique, so the chunked
    pick is the same as one over all of them. give_way is called between chunks (`paced`).
    """
    ids = list(story_of)
    newest: list[tuple[Any, ...]] = []
    for at in paced(range(0, len(ids), PICK_CHUNK), give_way):
        picked = store.light(ids[at : at + PICK_CHUNK], "added", "published", "id")
        newest = heapq.nlargest(limit, [*newest, *picked])
    newest.reverse()  # oldest first; then read a slice at a time, as the pick went
    chosen = [a for *_, aid in paced(newest, give_way) if (a := store.get(aid)) is not None]
    return [(story_of[a.id], to_item(a)) for a in chosen]
