"""The read side of the stories: lookups, views and rankings over the service's records.

Every query first lets the service settle its records with the store (`StoryService.ready`):
an open may leave that to the first need.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from bot.models import RankedStory, Story
from bot.stories.journal import StoryRecord
from bot.stories.reader import ArticleReader
from bot.stories.views import ViewCache, member_facts, ranked, story_view


class StoryQueries:
    """What readers ask of the stories; `StoryService` owns the state and the writes."""

    _lock: threading.RLock
    _store: ArticleReader
    _records: dict[str, StoryRecord]
    _story_of: dict[str, str]
    _views: ViewCache

    def ready(self) -> None:
        """Settle the records with the store if the open left it for later (no lock held)."""

    def __len__(self) -> int:
        self.ready()
        return len(self._records)

    def story_of(self, article_id: str) -> str | None:
        """Return the id of the article's story."""
        self.ready()
        return self._story_of.get(article_id)

    def story(self, story_id: str, *, lang: str | None = None) -> Story | None:
        """Return a story with its articles, or None when it is unknown."""
        self.ready()
        with self._lock:
            record = self._records.get(story_id)
            if record is None:
                return None
            key = (story_id, len(record.members), record.members[-1], record.headline, lang)
            cached = self._views.get(key)
            if cached is not None:  # a fan-out asks for the same few stories 10,000 times
                return cached
            record = record.copy()
        view = story_view(record, member_facts(record, self._store), self._store.get, lang)
        if view is not None:
            self._views.put(key, view)
        return view

    def story_for_article(self, article_id: str, *, lang: str | None = None) -> Story | None:
        """Return the story an article belongs to."""
        story_id = self.story_of(article_id)
        return self.story(story_id, lang=lang) if story_id else None

    def group(self, article_ids: Sequence[str]) -> list[tuple[str, list[str]]]:
        """Collapse an ordered list of articles into (story id, its articles in the list), in order."""
        self.ready()
        groups: dict[str, list[str]] = {}
        for article_id in article_ids:
            key = self._story_of.get(article_id) or f"article:{article_id}"
            groups.setdefault(key, []).append(article_id)
        return list(groups.items())

    def rank(
        self, now: datetime, period: timedelta, *, within: Collection[str] | None = None
    ) -> list[RankedStory]:
        """Return the stories with an article in the period ending at now, most important first.

        `within` (article ids, e.g. a topic's search hits) narrows the candidates first: only
        stories holding one of them are ranked, but each is scored on all its articles. Reads
        no article: `views` reads the few a user is shown.
        """
        self.ready()
        start = now - period
        with self._lock:  # copy the candidates, rank them without the lock
            if within is not None:
                ids = {self._story_of[a] for a in within if a in self._story_of}
                found = [self._records[i] for i in ids if i in self._records]
            else:
                found = list(self._records.values())
            candidates = [r.copy() for r in found if r.last is not None and r.last > start]
        at, span = now.timestamp(), period.total_seconds()
        placed = (ranked(r, member_facts(r, self._store), at, span) for r in candidates)
        return sorted(filter(None, placed), key=lambda r: (-r.score, -r.source_count, r.id))

    def views(self, ranking: Iterable[RankedStory], *, lang: str | None = None) -> list[Story]:
        """Return the user-facing stories of ranked ones (any that vanished since are left out)."""
        out = []
        for place in ranking:
            view = self.story(place.id, lang=lang)
            if view is not None:
                out.append(view if view.score == place.score else replace(view, score=place.score))
        return out

    def top(
        self,
        now: datetime,
        period: timedelta,
        *,
        within: Collection[str] | None = None,
        lang: str | None = None,
        limit: int | None = None,
    ) -> list[Story]:
        """Return the views of the `limit` most important stories of the period (`rank`)."""
        return self.views(self.rank(now, period, within=within)[:limit], lang=lang)

    def newest(self) -> datetime | None:
        """Return the newest publication time of any story's article."""
        self.ready()
        with self._lock:
            return max((r.last for r in self._records.values() if r.last), default=None)
