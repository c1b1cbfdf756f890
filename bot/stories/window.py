"""What the engine needs again after a restart: the articles of the stories still open."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from typing import Protocol, TypeVar

from bot.models import Article
from bot.stories.model import StoryItem


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
PACE_EVERY = 100
PACE_SECONDS = 0.002
T = TypeVar("T")


class ArticleReader(Protocol):
    """The part of ArticleStore the stories read."""

    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Article]: ...
    def get(self, article_id: str) -> Article | None: ...
    def add_listener(self, listener: Callable[[list[Article]], None]) -> None: ...
    def add_removal_listener(self, listener: Callable[[list[str]], None]) -> None: ...


def window_items(
    story_of: Mapping[str, str],
    store: ArticleReader,
    window: timedelta,
    limit: int = MAX_RESTORE,
) -> list[tuple[str, StoryItem]]:
    """Return (story id, item) of the newest `limit` articles of stories open in the window.

    The window ends at the newest article of any story, like the engine's own clock. Items
    come in arrival order (by `added`), so the restored centroids match the original ones.
    The limit bounds the start-up work (half a millisecond of CPU per article): an import of
    undated news puts everything in one window, and the newest reports carry a story anyway.
    """
    members = [a for aid in story_of if (a := store.get(aid)) is not None]
    if not members:
        return []
    cutoff = max(a.published for a in members) - window
    open_stories = {story_of[a.id] for a in members if a.published >= cutoff}
    chosen = [a for a in members if story_of[a.id] in open_stories]
    chosen.sort(key=lambda a: (a.added, a.published, a.id))
    return [(story_of[a.id], to_item(a)) for a in chosen[-limit:]]


def paced(items: list[T]) -> Iterator[T]:
    """Yield items, pausing briefly every hundred: a background warm-up leaves the GIL to replies."""
    for n, item in enumerate(items, start=1):
        yield item
        if n % PACE_EVERY == 0:
            time.sleep(PACE_SECONDS)
