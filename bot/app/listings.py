"""Pages of /latest and /search: one row per story (`bot.app.rows`), rendered and remembered.

A row with more than one article notes "+N sources" and gets a 📚 button for the rest.
Pages are built in worker threads, which only read a listing; the event loop owns it (and
persists it), so it records what a page showed with `record_page` once the page is back.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot import render
from bot.app.context import LineCache, Listing
from bot.app.query_problems import query_problem
from bot.app.rows import StoryRows
from bot.i18n import Translator
from bot.models import Article, Story
from bot.search import SearchResult
from bot.search.query import INVISIBLE
from bot.services import Services
from bot.summarize import one_line

PAGE_SIZE = 5
_COUNT = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() accepts '¹'
_NOT_POSITIVE = re.compile(r"-[0-9]+|0+")  # a count asked wrong, not an exclusion query
MAX_LATEST = 20
MAX_QUERY = 256  # characters; Telegram's own inline query limit
MAX_PAGES = 200  # deeper pages are refused: nobody pages that far, and offsets stay cheap
# Lists and inline cards summarise an article's lead: news puts the essentials first, and
# ranking cost grows with the sentence count (a few long articles took 20 ms each in full).
LEAD_CHARS = 2000
LINE_LIMIT = 200  # render.article_list shortens lines further to fit one message


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
    follow_ids: tuple[str, ...] = ()  # per row of a brief: its story, to follow with 🔔
    total: int = 0  # rows (or stories) of the whole listing as of this page
    stories: tuple[Story, ...] = ()  # a brief page's stories, for the model's briefs

    @property
    def empty(self) -> bool:
        """Return whether the page shows no article."""
        return not self.article_ids


def page_count(listing: Listing, total: int | None = None) -> int:
    """Return how many pages a listing has (of `total` rows, else its own; 1 to MAX_PAGES)."""
    rows = listing.total if total is None else total
    return max(1, min(MAX_PAGES, math.ceil(rows / listing.page_size)))


def record_page(listing: Listing, page: Page) -> None:
    """Make the listing remember a page it showed (on the event loop, which owns it)."""
    listing.total = page.total
    listing.page = page.page
    listing.suggestion = page.suggestion
    listing.remember(page.first_number, page.article_ids)


def clean_query(text: str | None) -> str:
    """Return the query on one line, without control characters, at most MAX_QUERY long."""
    if not text:
        return ""
    kept = text[: MAX_QUERY * 4].translate(INVISIBLE)  # shown as searched
    printable = "".join(ch if ch.isprintable() else " " for ch in kept)
    return " ".join(printable.split())[:MAX_QUERY].strip()


def parse_latest_args(args: Sequence[str]) -> tuple[int, str] | None:
    """Split `/latest [N] [words]` into a count (1..MAX_LATEST) and the words; None if N < 1."""
    words = list(args)
    count = PAGE_SIZE
    if words and _NOT_POSITIVE.fullmatch(words[0]):
        return None
    if words and _COUNT.fullmatch(words[0]):
        digits = words.pop(0).lstrip("0")
        # Any count above the cap asks for all it allows; int() of 5000 digits would raise.
        count = MAX_LATEST if len(digits) > 6 else min(int(digits), MAX_LATEST)
    return count, clean_query(" ".join(words))


class Lister:
    """Build pages of listings from the store and the search index."""

    def __init__(self, services: Services, lines: LineCache) -> None:
        self._services = services
        self._lines = lines

    def page(self, listing: Listing, page: int, tz: ZoneInfo, tr: Translator) -> Page:
        """Render page `page` (0-based) of a listing; read the listing, never change it."""
        offset = page * listing.page_size
        items, result, total = self._fetch(listing, offset, tr.lang)
        stories = [
            self._services.stories.story_for_article(i.article.id, lang=tr.lang) for i in items
        ]
        items = [
            render.ListItem(
                i.article, i.summary, i.snippet_html, render.story_note(s, tr) if s else ""
            )
            for i, s in zip(items, stories, strict=True)
        ]
        relaxed = result.relaxed if result else False
        suggestion = result.did_you_mean if result else None
        if items:
            header = _header(listing, offset + 1, len(items), total, relaxed, tr, suggestion)
            html = render.article_list(items, tz, header, start=offset + 1, tr=tr)
        else:
            html = query_problem(result, tr) or _nothing(listing, page, tr)
        return Page(
            html=html,
            article_ids=[item.article.id for item in items],
            page=page,
            pages=page_count(listing, total),
            first_number=offset + 1,
            suggestion=suggestion,
            relaxed=relaxed,
            story_ids=tuple(s.id if s and s.size > 1 else None for s in stories),
            total=total,
        )

    def _fetch(
        self, listing: Listing, offset: int, lang: str
    ) -> tuple[list[render.ListItem], SearchResult | None, int]:
        """Return the rows of one page, the search result behind them (if any), the total.

        A story's row shows its article in the reader's language when it has one (`lang`).
        """
        plain = listing.kind == "latest" and not listing.query
        sort = "date" if listing.kind == "latest" else "relevance"
        source = StoryRows(self._services, listing.query, sort, lang)
        # One row more than the page shows: a More button must lead to a row. A query's hits
        # bound its rows, five stories of five reports read "1–5 of 25" over an empty page 2.
        rows = source.rows(offset, listing.page_size + 1)
        more, rows = len(rows) > listing.page_size, rows[: listing.page_size]
        # The archive's rows are its stories; a query's are known once every hit was seen,
        # and bounded by its hits until then.
        if not more:
            total = offset + len(rows)
        elif plain:
            total = len(self._services.stories) or len(self._services.store)
        else:
            total = source.stories if source.exhausted else source.total_articles
        total = max(total, offset + len(rows) + more)
        if plain:
            return [self._item(a) for a in rows], None, total
        if listing.kind == "latest":
            return [self._item(a) for a in rows], source.result, total
        items = [
            render.ListItem(a, "", snippet_html=hit.snippet)
            if (hit := source.hits.get(a.id))
            else self._item(a)
            for a in rows
        ]
        return items, source.result, total

    def _item(self, article: Article) -> render.ListItem:
        """Return a list item with a one-line summary sized for the page."""
        limit = LINE_LIMIT
        key = f"{article.id}:{limit}"
        line = self._lines.get(key)
        if line is None:
            line = one_line(
                article.body[:LEAD_CHARS], article.title, limit=limit, lang=article.lang
            )
            self._lines.put(key, line)
        return render.ListItem(article, line)


def span_text(first: int, shown: int, total: int, tr: Translator) -> str:
    """Return "1–5 of 30" in tr's language ("6 of 6" for one item, not "6–6 of 6")."""
    if shown == 1:
        return tr.gettext("{first} of {total}").format(first=first, total=tr.number(total))
    return tr.gettext("{first}–{last} of {total}").format(
        first=first, last=first + shown - 1, total=tr.number(total)
    )


def _header(
    listing: Listing,
    first: int,
    shown: int,
    total: int,
    relaxed: bool,
    tr: Translator,
    corrected: str | None = None,
) -> str:
    """Return the first line of a page (plain text): what it is and which items it shows.

    `corrected`: the query as its typos were matched, for rows found as those words.
    """
    _ = tr.gettext
    span = span_text(first, shown, total, tr)
    if listing.kind == "latest" and not listing.query:
        return _("Latest news · {span}").format(span=span)
    if listing.kind == "latest":
        head = _("Latest on {query} · {span}")
    else:
        head = _("Search: {query} · {span}")
    note = " " + _("(no article has every word; some of them match)") if relaxed else ""
    if corrected:
        note += " " + _("(showing results for {words})").format(words=corrected)
    return head.format(query=render.ltr_after(listing.query), span=span) + note


def _nothing(listing: Listing, page: int, tr: Translator) -> str:
    """Return the HTML shown when a page has no article."""
    _ = tr.gettext
    if page > 0:
        return _("No more articles.")
    if listing.kind == "latest" and not listing.query:
        return _("No articles yet. Feeds are checked regularly; try again later.")
    query = f"<b>{render.escape(listing.query)}</b>"
    return _("Nothing found for {query}.").format(query=query)
