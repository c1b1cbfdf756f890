"""Telegram-safe HTML rendering: escaping, cards, lists, splitting and plain-text views."""

from bot.render.cards import (
    ListItem,
    article_card,
    article_list,
    format_date,
    one_line,
    truncate,
    truncate_html,
)
from bot.render.html import (
    MESSAGE_LIMIT,
    bold,
    escape,
    html_to_plain,
    link,
    ltr_after,
    plain_text,
    safe_url,
    utf16_len,
    visible_length,
)
from bot.render.split import split_message
from bot.render.stories import (
    BriefEntry,
    brief_page,
    sources_line,
    story_articles,
    story_card,
    story_note,
)

__all__ = [
    "MESSAGE_LIMIT",
    "BriefEntry",
    "ListItem",
    "article_card",
    "article_list",
    "bold",
    "brief_page",
    "escape",
    "format_date",
    "html_to_plain",
    "link",
    "ltr_after",
    "one_line",
    "plain_text",
    "safe_url",
    "sources_line",
    "split_message",
    "story_articles",
    "story_card",
    "story_note",
    "truncate",
    "truncate_html",
    "utf16_len",
    "visible_length",
]
