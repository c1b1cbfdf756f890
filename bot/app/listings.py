"""Pages of /latest and /search: one row per story, fetched, rendered and remembered.

Rows are stories, not articles: the articles of a page are collapsed by story (the first,
i.e. newest or best ranked, stands for it, with "+N sources"), and the story's other articles
are one tap away behind its 📚 button. Paging counts rows, so a page fetches enough articles
to fill its rows from the top (bounded by MAX_SCAN).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot import render
from bot.app.context import LineCache, Listing
from bot.models import Article
from bot.search import SearchResult
from bot.search.results import Hit as SearchHit
from bot.services import Services
from bot.summarize import one_line

PAGE_SIZE = 5
_COUNT = re.compile(r"[0-9]{1,6}")  # ASCII only: str.isdigit() accepts '¹'
MAX_LATEST = 20
MAX_QUERY = 256  # characters; Telegram's own inline query limit
MAX_PAGES = 200  # deeper pages are refused: nobody pages that far, and offsets stay cheap
# Lists and inline cards summarise an article's lead: news puts the essentials first, and
# ranking cost grows with the sentence count (a few long articles took 20 ms each in full).
LEAD_CHARS = 2000
LINE_LIMIT = 200  # render.article_list shortens lines further to fit one message
MAX_SCAN = 2000  # articles a page may look through to fill its rows with distinct stories
SEARCH_PAGE = 100  # SearchService's largest page


@dataclass(frozen=True, slots=True)
class Page:
    """One rendered page of a listing and what the buttons need to know."""

    html: str
    article_ids: list[str]
    page: int
    pages: int
    first_number: int = 1
    suggestion: str | None = None
    relaxed: bool = False
    story_ids: tuple[str | None, ...] = ()  # per row: its story, when it has other articles

    @property
    def empty(self) -> bool:
        """Return whether the page shows no article."""
        return not self.article_ids


def clean_query(text: str | None) -> str:
    """Return the query on one line, without control characters, at most MAX_QUERY long."""
    if not text:
        return ""
    printable = "".join(ch if ch.isprintable() else " " for ch in text[: MAX_QUERY * 4])
    return " ".join(printable.split())[:MAX_QUERY].strip()


def parse_latest_args(args: Sequence[str]) -> tuple[int, str]:
    """Split `/latest [N] [words]` into a count (1..MAX_LATEST) and the words."""
    words = list(args)
    count = PAGE_SIZE
    if words and _COUNT.fullmatch(words[0]):
        count = max(1, min(int(words.pop(0)), MAX_LATEST))
    return count, clean_query(" ".join(words))


class Lister:
    """Build pages of listings from the store and the search index."""

    def __init__(self, services: Services, lines: LineCache) -> None:
        self._services = services
        self._lines = lines

    def page(self, listing: Listing, page: int, tz: ZoneInfo) -> Page:
        """Render page `page` (0-based) of a listing and remember what it showed."""
        offset = page * listing.page_size
        items, result = self._fetch(listing, offset)
        stories = [self._services.stories.story_for_article(i.article.id) for i in items]
        items = [
            render.ListItem(i.article, i.summary, i.snippet_html, render.story_note(s) if s else "")
            for i, s in zip(items, stories, strict=True)
        ]
        listing.page = page
        listing.suggestion = result.did_you_mean if result else None
        listing.remember(offset + 1, [item.article.id for item in items])
        relaxed = result.relaxed if result else False
        if items:
            header = _header(listing, offset + 1, len(items), relaxed)
            html = render.article_list(items, tz, header, start=offset + 1)
        else:
            html = _nothing(listing, page)
        return Page(
            html=html,
            article_ids=[item.article.id for item in items],
            page=page,
            pages=max(1, min(MAX_PAGES, math.ceil(listing.total / listing.page_size))),
            first_number=offset + 1,
            suggestion=listing.suggestion,
            relaxed=relaxed,
            story_ids=tuple(s.id if s and len(s.articles) > 1 else None for s in stories),
        )

    def _fetch(
        self, listing: Listing, offset: int
    ) -> tuple[list[render.ListItem], SearchResult | None]:
        """Return the rows of one page (and the search result behind them, if any)."""
        size = listing.page_size
        if listing.kind == "latest" and not listing.query:
            store = self._services.store
            listing.total = min(len(self._services.stories) or len(store), len(store))
            rows, _ = self._rows(lambda k: store.latest(k), offset, size, len(store))
            return [self._item(a) for a in rows], None
        sort = "date" if listing.kind == "latest" else "relevance"
        found: dict[str, SearchHit] = {}
        result: SearchResult | None = None

        def fetch(k: int) -> list[Article]:
            nonlocal result
            while len(found) < k:
                page = self._services.search.search(
                    listing.query, limit=SEARCH_PAGE, offset=len(found), sort=sort
                )
                result = result or page
                found.update((h.article.id, h) for h in page.hits)
                if not page.hits or len(found) >= page.total:
                    break
            return [h.article for h in found.values()][:k]

        rows, stories = self._rows(fetch, offset, size, MAX_SCAN)
        final = result or self._services.search.search(listing.query, limit=1, sort=sort)
        # Every hit seen: the number of stories is known; else the hits bound it.
        listing.total = stories if len(found) >= final.total else final.total
        if listing.kind == "latest":
            return [self._item(a) for a in rows], final
        return [render.ListItem(a, "", snippet_html=found[a.id].snippet) for a in rows], final

    def _rows(
        self, fetch: Callable[[int], list[Article]], offset: int, size: int, limit: int
    ) -> tuple[list[Article], int]:
        """Return rows offset..offset+size of the fetched order, one per story, and the stories seen."""
        want = offset + size
        k = min(max(want * 3, SEARCH_PAGE), limit)
        while True:
            articles = fetch(k)
            by_id = {a.id: a for a in articles}
            groups = self._services.stories.group([a.id for a in articles])
            if len(groups) >= want or len(articles) < k or k >= limit:
                return [by_id[ids[0]] for _, ids in groups[offset:want]], len(groups)
            k = min(k * 2, limit)

    def _item(self, article: Article) -> render.ListItem:
        """Return a list item with a one-line summary sized for the page."""
        limit = LINE_LIMIT
        key = f"{article.id}:{limit}"
        line = self._lines.get(key)
        if line is None:
            line = one_line(article.body[:LEAD_CHARS], article.title, limit=limit)
            self._lines.put(key, line)
        return render.ListItem(article, line)


def _header(listing: Listing, first: int, shown: int, relaxed: bool) -> str:
    """Return the first line of a page (plain text): what it is and which items it shows."""
    span = f"{first}–{first + shown - 1} of {listing.total}"
    if listing.kind == "latest" and not listing.query:
        return f"Latest news · {span}"
    title = "Latest on" if listing.kind == "latest" else "Search:"
    note = " (no article has every word; some of them match)" if relaxed else ""
    return f"{title} {listing.query} · {span}{note}"


def _nothing(listing: Listing, page: int) -> str:
    """Return the HTML shown when a page has no article."""
    if page > 0:
        return "No more articles."
    if listing.kind == "latest" and not listing.query:
        return "No articles yet. Feeds are checked regularly; try again later."
    return f"Nothing found for <b>{render.escape(listing.query)}</b>."
