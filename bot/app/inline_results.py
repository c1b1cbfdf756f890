"""Inline mode results: one page of stories for `@bot words`, with the next offset.

A page holds the articles of one search (or the newest) page, collapsed by story: a story
reported by several sources is one result whose card names them ("3 sources: A, B, C"),
so sharing it shares the event, not one outlet's copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot import render
from bot.app.context import LineCache
from bot.app.listings import LEAD_CHARS, clean_query
from bot.app.query_problems import HINT_LIMIT, query_hint
from bot.app.rows import StoryRows
from bot.i18n import Translator
from bot.models import Article, Story
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
    """A page of results, the offset of the next ("" when there is none), and a hint.

    The hint says why a query searched nothing (a filter not understood) or which words its
    typos were matched as; "" otherwise.
    """

    items: list[InlineArticle]
    next_offset: str
    hint: str = ""


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
    tr: Translator,
) -> InlinePage:
    """Return the stories for the query (the latest for an empty one) from the offset on."""
    start = parse_offset(offset)
    rows = StoryRows(services, clean_query(query), typing=True)
    articles = rows.rows(start, INLINE_PAGE) if start < MAX_OFFSET else []
    after = start + len(articles)
    more = bool(articles) and (after < rows.stories or not rows.exhausted) and after < MAX_OFFSET
    items = []
    for article in articles:
        story = services.stories.story_for_article(article.id, lang=tr.lang)
        if story is not None and story.size > 1:
            items.append(_story_item(story, lines, tz, tr))
        else:
            items.append(_item(article, lines, tz, tr))
    hint = query_hint(rows.result, tr) if not items else ""
    if items and rows.result is not None and rows.result.did_you_mean:
        # The chat's lists say it in their heading; inline results have only this button,
        # one line, as short as the other hints.
        words = rows.result.did_you_mean
        hint = render.truncate(
            tr.gettext("Showing results for {words}").format(words=words), HINT_LIMIT
        )
    return InlinePage(items, str(after) if more else "", hint)


def _lead(article: Article) -> list[str]:
    """Return the first sentences of an article: the lead carries the news."""
    return split_sentences(article.body[:LEAD_CHARS], article.lang)[:CARD_SENTENCES]


def _story_item(story: Story, lines: LineCache, tz: ZoneInfo, tr: Translator) -> InlineArticle:
    """Return the inline view of a story: its headline, sources, and the best article's lead."""
    key = f"storycard:{tz.key}:{tr.lang}:{story.id}:{story.size}"
    card = lines.get(key)
    if card is None:
        card = render.story_card(story, _lead(story.best), tz, tr)
        lines.put(key, card)
    untitled = tr.gettext("(untitled)")
    title = render.truncate(render.one_line(story.headline), TITLE_LIMIT) or untitled
    description = render.truncate(render.sources_line(story, tr=tr), DESCRIPTION_LIMIT)
    url = story.best.url if story.best.url and _WEB_URL.fullmatch(story.best.url) else None
    return InlineArticle(story.id, title, description, card, url)


def _item(article: Article, lines: LineCache, tz: ZoneInfo, tr: Translator) -> InlineArticle:
    """Return the inline view of one article: the lead serves card and description."""
    card_key, line_key = f"card:{tz.key}:{tr.lang}:{article.id}", f"inline:{article.id}"
    card, description = lines.get(card_key), lines.get(line_key)
    if card is None or description is None:
        # The lead, not a ranked summary: ten cards are built per keystroke and news
        # puts the essentials first; /summary and the Summary button rank sentences.
        sentences = _lead(article)
        card = render.article_card(article, sentences, tz, tr)  # fits one message by design
        first = render.one_line(sentences[0]) if sentences else ""
        description = render.truncate(first, DESCRIPTION_LIMIT)
        lines.put(card_key, card)
        lines.put(line_key, description)
    title = render.truncate(render.one_line(article.title), TITLE_LIMIT) or tr.gettext("(untitled)")
    url = article.url if article.url and _WEB_URL.fullmatch(article.url) else None
    return InlineArticle(article.id, title, description or title, card, url)
