"""Rows of a list: articles in a listing's order, collapsed to one row per story.

The first article of a story in the order (the newest, or the best ranked) stands for it,
unless the reader's language is given and the story has an article in it: then that one does.
Rows are counted in stories, so a page fetches articles from the top until it has enough
distinct stories (doubling, bounded by MAX_SCAN); /latest, search and inline mode share this.
"""

from __future__ import annotations

from bot.models import Article
from bot.search import SearchResult
from bot.search.results import Hit
from bot.services import Services

MAX_SCAN = 2000  # articles a page may look through to fill its rows with distinct stories
SEARCH_PAGE = 100  # SearchService's largest page
FIRST_SCAN = 10


class StoryRows:
    """One listing's articles (newest first, or a query's ranking) as story rows."""

    def __init__(
        self,
        services: Services,
        query: str = "",
        sort: str = "relevance",
        lang: str | None = None,
        *,
        typing: bool = False,
    ) -> None:
        self._services = services
        self._query = query
        self._typing = typing  # inline mode: the query is still being typed (SearchService)
        self._sort = sort
        self._lang = lang  # the reader's: a story's row shows its article in it, when it has one
        self.hits: dict[str, Hit] = {}  # search hits by article id (snippets)
        self.result: SearchResult | None = None  # the first search page (total, did-you-mean)
        self.stories = 0  # distinct stories among the articles looked at
        self.exhausted = False  # every article of the listing was looked at

    @property
    def total_articles(self) -> int:
        """Return how many articles the listing holds."""
        if not self._query:
            return len(self._services.store)
        return self.result.total if self.result is not None else 0

    def rows(self, offset: int, size: int) -> list[Article]:
        """Return the representative articles of rows offset..offset+size."""
        want = offset + size
        # Most rows are single articles: twice the rows usually suffices, and every article
        # fetched costs a search hit's snippet or a body read, so start small and double.
        k = min(max(want * 2, FIRST_SCAN), MAX_SCAN)
        while True:
            articles = self._fetch(k)
            by_id = {a.id: a for a in articles}
            groups = self._services.stories.group([a.id for a in articles])
            self.stories = len(groups)
            self.exhausted = len(articles) < k
            if len(groups) >= want or self.exhausted or k >= MAX_SCAN:
                return [self._standing_for(ids, by_id) for _, ids in groups[offset:want]]
            k = min(k * 2, MAX_SCAN)

    def _standing_for(self, ids: list[str], by_id: dict[str, Article]) -> Article:
        """Return the article a row shows: the first listed, or one in the reader's language.

        A listed one keeps the listing's order (and a search hit its snippet); else the story's
        own article in that language, as /brief, /story and inline cards show it.
        """
        first = by_id[ids[0]]
        if self._lang is None or first.lang == self._lang:
            return first
        listed = next((by_id[i] for i in ids if by_id[i].lang == self._lang), None)
        if listed is not None or self._query:
            # A search's row shows one of its hits: the story's other articles did not match
            # its words or filters (`lang:ru`, `source:`), so they are not what was asked for.
            return listed or first
        story = self._services.stories.story_for_article(first.id, lang=self._lang)
        return story.best if story is not None and story.best.lang == self._lang else first

    def _fetch(self, k: int) -> list[Article]:
        """Return the first k articles of the listing."""
        if not self._query:
            return self._services.store.latest(k)
        while len(self.hits) < k:
            limit = min(k - len(self.hits), SEARCH_PAGE)
            page = self._services.search.search(
                self._query,
                limit=limit,
                offset=len(self.hits),
                sort=self._sort,
                typing=self._typing,
            )
            self.result = self.result or page
            self.hits.update((h.article.id, h) for h in page.hits)
            if not page.hits or len(self.hits) >= page.total:
                break
        if self.result is None:
            self.result = self._services.search.search(
                self._query, limit=1, sort=self._sort, typing=self._typing
            )
        return [h.article for h in self.hits.values()][:k]
