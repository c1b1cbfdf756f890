"""Article cards and numbered lists as Telegram HTML that always fits one message."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from bot.i18n import Translator
from bot.models import Article
from bot.render.html import (
    MESSAGE_LIMIT,
    bold,
    clean,
    escape,
    link,
    ltr_after,
    plain_text,
    utf16_len,
    visible_length,
)
from bot.render.split import split_message

_SPACES = re.compile(r"\s+")
# A sentence's closing stop after words that closed it already, tags between kept.
_SECOND_STOP = re.compile(r"([.!?…])((?:</[a-z]+>)*)\.$")
TITLE_LIMIT = 200
ELLIPSIS = "…"


@dataclass(frozen=True)
class ListItem:
    """One row of a list: the article, its one-line summary, and an optional search snippet."""

    article: Article
    summary: str
    snippet_html: str | None = None  # already-safe HTML with <b> marks from search
    note: str = ""  # plain text after the byline, e.g. "+3 sources" for a story


def one_line(text: str) -> str:
    """Collapse all whitespace (newlines included) to single spaces and drop unsafe chars."""
    return _SPACES.sub(" ", clean(text)).strip()


def one_stop(sentence: str) -> str:
    """Drop a reply's final full stop when what it names ends a sentence itself.

    "Following: {headline}." of "…to Ukraine." read "…to Ukraine.." ("Why?." likewise).
    """
    return _SECOND_STOP.sub(r"\1\2", sentence)


def truncate(text: str, limit: int) -> str:
    """Cut plain text to at most `limit` UTF-16 units at a word boundary, ending with "…"."""
    if utf16_len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    budget, kept = limit - 1, []
    for char in text:
        budget -= utf16_len(char)
        if budget < 0:
            break
        kept.append(char)
    cut = "".join(kept)
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space >= len(cut) // 2:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def repeats_title(text: str, title: str) -> bool:
    """Return whether plain text says only the title (case, spacing and final dots aside).

    Headline-only wire items (a bare Reuters flash) have no body or the title as body; their
    line under the title would print the title twice.
    """
    return _gist(text) == _gist(title) != ""


def _gist(text: str) -> str:
    return one_line(text).strip(" ." + ELLIPSIS).casefold()


def format_date(moment: datetime, tz: tzinfo, tr: Translator) -> str:
    """Format an aware datetime in the reader's zone and locale: `Mar 5, 2025, 14:05`."""
    return tr.date_time(moment.astimezone(tz))


def title_text(article: Article, limit: int = TITLE_LIMIT, *, tr: Translator) -> str:
    """Return the title on one line within limit, or "(untitled)"."""
    untitled = tr.gettext("(untitled)")
    return truncate(one_line(article.title), limit) or untitled


def byline(article: Article, tz: tzinfo, separator: str, tr: Translator) -> str:
    """Return "source, date" (the date alone when the source is unknown)."""
    source = one_line(article.source or "")
    date = format_date(article.published, tz, tr)
    return f"{ltr_after(truncate(source, 80))}{separator}{date}" if source else date


def truncate_html(html: str, limit: int) -> str:
    """Cut well-formed Telegram HTML to `limit` visible UTF-16 units, ending with "…"."""
    if visible_length(html) <= limit:
        return html
    if limit <= 1:
        return ELLIPSIS if limit == 1 else ""
    parts = split_message(html, limit - 1)
    return (parts[0].rstrip() if parts else "") + ELLIPSIS


def article_card(article: Article, summary_lines: Sequence[str], tz: tzinfo, tr: Translator) -> str:
    """Render one article: bold linked title, `source · date` in tz, then the summary lines."""
    title = link(article.url, title_text(article, tr=tr))
    header = f"<b>{title}</b>\n{escape(byline(article, tz, ' · ', tr))}"
    lines = [one_line(line) for line in summary_lines if not repeats_title(line, article.title)]
    summary = "\n".join(line for line in lines if line)
    if not summary:
        return header
    budget = MESSAGE_LIMIT - visible_length(header) - 2
    return f"{header}\n\n{escape(truncate(summary, budget))}"


def _item(number: int, item: ListItem, tz: tzinfo, budget: int, tr: Translator) -> str:
    """Render one list row within `budget` visible units."""
    article = item.article
    title = title_text(article, min(TITLE_LIMIT, max(budget // 3, 20)), tr=tr)
    first = f"{number}. {link(article.url, title)} — {escape(byline(article, tz, ', ', tr))}"
    if item.note:
        first += f" · <b>{escape(item.note)}</b>"
    room = budget - visible_length(first) - 1
    if item.snippet_html:
        second = truncate_html(item.snippet_html.replace("\n", " "), room)
    else:
        second = escape(truncate(one_line(item.summary), room))
    shown = second.strip() and not repeats_title(plain_text(second), article.title)
    return f"{first}\n{second}" if shown else first


def article_list(
    items: Sequence[ListItem],
    tz: tzinfo,
    header: str = "",
    *,
    start: int = 1,
    tr: Translator,
) -> str:
    """Render a numbered list (header is plain text, shown bold) that fits in one message."""
    head = bold(one_line(header)) if header.strip() else ""
    room = MESSAGE_LIMIT - (visible_length(head) + 2 if head else 0)
    # Rows are separated by a blank line (2 units); each row gets an equal share.
    budget = max((room - 2 * max(len(items) - 1, 0)) // max(len(items), 1), 40)
    rows = [_item(start + n, item, tz, budget, tr) for n, item in enumerate(items)]
    body = "\n\n".join(rows)
    text = f"{head}\n\n{body}" if head and body else head or body
    return text if visible_length(text) <= MESSAGE_LIMIT else truncate_html(text, MESSAGE_LIMIT)
