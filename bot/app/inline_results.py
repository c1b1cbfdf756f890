"""Inline mode results: one page of articles for `@bot words`, with the next offset."""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot import render
from bot.app.context import LineCache
from bot.app.listings import LEAD_CHARS, clean_query
from bot.i18n import Translator
from bot.models import Article
from bot.services import Services
from bot.summarize import split_sentences

INLINE_PAGE = 10
MAX_OFFSET = 500  # deeper offsets end the list instead of costing a deep search
TITLE_LIMIT = 200
DESCRIPTION_LIMIT = 120
CARD_SENTENCES = 3
_OFFSET = re.compile(r"[0-9]{1,4}")
_WEB_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class InlineArticle:
    """What one inline result shows: title, description, the message it sends."""

    article_id: str
    title: str
    description: str
    card_html: str
    url: str | None


@dataclass(frozen=True, slots=True)
class InlinePage:
    """A page of results and the offset of the next ("" when there is none)."""

    items: list[InlineArticle]
    next_offset: str


def parse_offset(raw: str | None) -> int:
    """Return the offset the client sent back, or 0 for anything this bot did not write."""
    if raw and _OFFSET.fullmatch(raw):
        return min(int(raw), MAX_OFFSET)
    return 0


def inline_page(
    services: Services,
    lines: LineCache,
    query: str,
    offset: str,
    tz: ZoneInfo,
    tr: Translator | None = None,
) -> InlinePage:
    """Return the articles for the query (the latest for an empty one) at the offset."""
    start = parse_offset(offset)
    words = clean_query(query)
    if words:
        result = services.search.search(words, limit=INLINE_PAGE, offset=start)
        articles, total = [hit.article for hit in result.hits], result.total
    else:
        articles, total = services.store.latest(INLINE_PAGE, start), len(services.store)
    after = start + len(articles)
    more = bool(articles) and after < total and after < MAX_OFFSET
    items = [_item(article, lines, tz, tr or Translator.english()) for article in articles]
    return InlinePage(items, str(after) if more else "")


def _item(article: Article, lines: LineCache, tz: ZoneInfo, tr: Translator) -> InlineArticle:
    """Return the inline view of one article: the lead serves card and description."""
    card_key, line_key = f"card:{tz.key}:{tr.lang}:{article.id}", f"inline:{article.id}"
    card, description = lines.get(card_key), lines.get(line_key)
    if card is None or description is None:
        # The lead, not a ranked summary: ten cards are built per keystroke and news
        # puts the essentials first; /summary and the Summary button rank sentences.
        sentences = split_sentences(article.body[:LEAD_CHARS], article.lang)[:CARD_SENTENCES]
        card = render.article_card(article, sentences, tz, tr)  # fits one message by design
        first = render.one_line(sentences[0]) if sentences else ""
        description = render.truncate(first, DESCRIPTION_LIMIT)
        lines.put(card_key, card)
        lines.put(line_key, description)
    title = render.truncate(render.one_line(article.title), TITLE_LIMIT) or tr.gettext("(untitled)")
    url = article.url if article.url and _WEB_URL.fullmatch(article.url) else None
    return InlineArticle(article.id, title, description or title, card, url)
