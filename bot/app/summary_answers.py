"""Answers to /summary and the Summary button: find the article(s), summarise, render."""

from __future__ import annotations

from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from bot import render
from bot.app.article_links import as_link, find_by_link
from bot.app.context import ChatData
from bot.app.items import item_numbers, no_item
from bot.app.query_problems import query_problem
from bot.i18n import Translator
from bot.models import Article
from bot.services import Services
from bot.summarize import summarize, topic_summary

ARTICLE_SENTENCES = 3
TOPIC_SENTENCES = 5
TOPIC_ARTICLES = 5
MAX_ID = 100


@dataclass(frozen=True, slots=True)
class SummaryAnswer:
    """The messages to send (Telegram HTML, each within 4096 characters)."""

    parts: list[str]
    articles: tuple[Article, ...] = ()  # a topic's search hits, for the model's brief
    heading: str = ""  # a topic's first line (HTML): its words, and whether only some matched


def _answer(html: str) -> SummaryAnswer:
    """Split HTML into Telegram-sized messages."""
    return SummaryAnswer(render.split_message(html))


def article_summary_html(article: Article, tz: ZoneInfo, tr: Translator) -> str:
    """Return the article card with its summary sentences."""
    lines = summarize(article.body, article.title, sentences=ARTICLE_SENTENCES, lang=article.lang)
    return render.article_card(article, lines, tz, tr)


def summary_for_article(
    services: Services, article_id: str, tz: ZoneInfo, tr: Translator
) -> SummaryAnswer | None:
    """Return the summary of a stored article, or None when it is gone."""
    article = services.store.get(article_id)
    return None if article is None else _answer(article_summary_html(article, tz, tr))


def summary_for_ref(
    services: Services, chat: ChatData, ref: str, tz: ZoneInfo, tr: Translator
) -> SummaryAnswer:
    """Answer `/summary N|id|URL|words` (several numbers: each item's summary in turn)."""
    _ = tr.gettext
    numbers = item_numbers(ref)
    if numbers is not None:
        missing = next((n for n in numbers if chat.item(n) is None), None)
        if missing is not None:
            return _answer(no_item(chat, missing, "summary", tr))
        parts: list[str] = []
        for number in numbers:
            found = summary_for_article(services, chat.item(number) or "", tz, tr)
            parts += found.parts if found else [_("That article is no longer available.")]
        return SummaryAnswer(parts)
    if len(ref) <= MAX_ID and " " not in ref:  # an id first: an imported one may hold "a.b/c"
        by_id = summary_for_article(services, ref, tz, tr)
        if by_id is not None:
            return by_id
    if (link := as_link(ref)) is not None:
        article = find_by_link(services.store, link)
        if article is None:
            return _answer(_("I have no article with that link."))
        return _answer(article_summary_html(article, tz, tr))
    return topic_answer(services, ref, tr)


def topic_answer(services: Services, words: str, tr: Translator) -> SummaryAnswer:
    """Summarise the top articles for the words, each sentence linked to its article."""
    _ = tr.gettext
    result = services.search.search(words, limit=TOPIC_ARTICLES)
    query = render.escape(words)
    if not result.hits:
        problem = query_problem(result, tr)
        if problem:
            return _answer(problem)
        text = _("Nothing found for {query}.").format(query=f"<b>{query}</b>")
        if result.did_you_mean:
            hint = f"<b>{render.escape(result.did_you_mean)}</b>"
            text += " " + _("Did you mean {words}?").format(words=hint)
        return _answer(text)
    readable = _in_reader_language(services, [hit.article for hit in result.hits], tr.lang)
    sentences = topic_summary(readable, sentences=TOPIC_SENTENCES)
    heading = "<b>" + _("Summary:") + f"</b> {query}"
    if result.relaxed:  # as lists say it: the summary is not of every word asked
        heading += " " + _("(no article has every word; some of them match)")
    if result.did_you_mean:  # and that its articles were found as other words
        heading += " " + _("(showing results for {words})").format(
            words=render.escape(result.did_you_mean)
        )
    lines = [heading, ""]
    for sentence in sentences:
        source = render.link(sentence.url, render.truncate(render.one_line(sentence.title), 80))
        lines.append(f"• {render.escape(sentence.text)} ({source})")
    answer = _answer("\n".join(lines))
    return replace(answer, articles=tuple(h.article for h in result.hits), heading=heading)


def _in_reader_language(services: Services, hits: list[Article], lang: str) -> list[Article]:
    """Return the hits, each story's cut to those in the reader's language when it has any.

    As a list's row shows a story in the reader's language, so its summary is told in it:
    the same event in another language only repeats it in words the reader may not read.
    """
    by_id = {article.id: article for article in hits}
    kept: set[str] = set()
    for _, ids in services.stories.group(list(by_id)):
        readable = [i for i in ids if by_id[i].lang == lang]
        kept.update(readable or ids)
    return [article for article in hits if article.id in kept]


def topic_brief_answer(heading: str, brief_html: str) -> SummaryAnswer:
    """Answer `/summary words` with the model's brief of the search hits (bot.briefs)."""
    return _answer(f"{heading}\n\n{brief_html}")
