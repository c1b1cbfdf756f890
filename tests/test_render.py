"""Telegram-safe rendering: escaping, links, cards, lists and the plain-text view."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import Catalogs, Translator
from bot.models import Article
from bot.render import (
    ListItem,
    article_card,
    article_list,
    bold,
    escape,
    html_to_plain,
    link,
    split_message,
    truncate,
    visible_length,
)
from bot.tgserver.entities import parse_html

PUBLISHED = datetime(2025, 3, 5, 13, 5, tzinfo=UTC)


def make_article(title: str = "Title", body: str = "Body", **kw: object) -> Article:
    fields: dict[str, object] = {
        "id": "a1",
        "title": title,
        "body": body,
        "published": PUBLISHED,
        "added": PUBLISHED,
        "url": "https://example.com/a?x=1&y=2",
        "source": "BBC",
    }
    fields.update(kw)
    return Article(**fields)  # type: ignore[arg-type]


def test_escape_makes_metacharacters_visible_text() -> None:
    html = escape('<script>alert("x")</script> & &amp;')
    assert parse_html(html).text == '<script>alert("x")</script> & &amp;'


def test_escape_drops_characters_telegram_cannot_carry() -> None:
    assert escape("a\x00b\x07c\ud800d") == "abcd"


@pytest.mark.parametrize(
    "url",
    [None, "", "javascript:alert(1)", "ftp://x.org/f", "tg://resolve?domain=x", "http://a b"],
)
def test_link_without_a_safe_url_is_plain_escaped_text(url: str | None) -> None:
    assert link(url, "<Title>") == "&lt;Title&gt;"


def test_link_escapes_ampersands_in_the_url() -> None:
    html = link("https://example.com/?q=a&b=c", "Go & see")
    assert html == '<a href="https://example.com/?q=a&amp;b=c">Go &amp; see</a>'
    parsed = parse_html(html)
    assert parsed.text == "Go & see"
    assert parsed.entities[0]["url"] == "https://example.com/?q=a&b=c"


def test_link_with_quotes_or_brackets_in_the_url_is_not_linked() -> None:
    assert link('https://example.com/"><b>', "Go") == "Go"


def test_bold_is_escaped() -> None:
    assert parse_html(bold("a<b")).text == "a<b"


def test_visible_length_counts_utf16_after_parsing() -> None:
    assert visible_length("<b>&amp;</b>😀") == 3
    assert visible_length("  x  ") == 1


def test_truncate_cuts_at_a_word_with_ellipsis() -> None:
    assert truncate("short", 10) == "short"
    assert truncate("the quick brown fox jumps", 12) == "the quick…"
    assert truncate("😀😀😀😀", 5) == "😀😀…"
    assert truncate("x" * 50, 10) == "x" * 9 + "…"


def test_card_shows_linked_bold_title_source_date_in_zone_and_summary() -> None:
    card = article_card(
        make_article("Rates <up> & away"),
        ["First line.", "Second line."],
        ZoneInfo("Asia/Tokyo"),
        Translator.english(),
    )
    parsed = parse_html(card)
    assert parsed.text == (
        "Rates <up> & away\nBBC · Mar 5, 2025, 22:05\n\nFirst line.\nSecond line."
    )
    kinds = {e["type"] for e in parsed.entities}
    assert kinds == {"bold", "text_link"}


def test_card_without_url_or_source_still_renders() -> None:
    card = article_card(make_article("  ", url=None, source=None), [], UTC, Translator.english())
    assert parse_html(card).text == "(untitled)\nMar 5, 2025, 13:05"


def test_a_card_or_row_that_would_repeat_the_title_shows_it_once() -> None:
    flash = make_article("BRAZIL BANK STRIKE CONTINUES", "Brazil bank strike continues.")
    tr = Translator.english()
    card = parse_html(article_card(flash, ["Brazil bank strike continues."], UTC, tr)).text
    assert card == "BRAZIL BANK STRIKE CONTINUES\nBBC · Mar 5, 2025, 13:05"
    rows = [
        ListItem(flash, "BRAZIL BANK STRIKE CONTINUES"),
        ListItem(flash, "", snippet_html="<b>BRAZIL</b> BANK STRIKE CONTINUES"),
        ListItem(make_article("Strike"), "Strike ends; banks reopen."),
    ]
    listed = parse_html(article_list(rows, UTC, tr=tr)).text
    assert listed.count("BRAZIL BANK STRIKE CONTINUES") == 2  # rows 1 and 2, once each
    assert "Strike ends; banks reopen." in listed


def test_card_with_a_huge_summary_fits_one_message() -> None:
    card = article_card(make_article("T" * 5000), ["word " * 3000], UTC, Translator.english())
    assert visible_length(card) <= 4096
    assert card.endswith("…")


def test_list_numbers_items_with_source_date_and_summary() -> None:
    items = [
        ListItem(make_article("One"), "First summary."),
        ListItem(make_article("Two", source=None, url=None), "Second\nsummary."),
    ]
    html = article_list(
        items, ZoneInfo("Europe/London"), header="Latest <2>", tr=Translator.english()
    )
    assert parse_html(html).text == (
        "Latest <2>\n\n"
        "1. One — BBC, Mar 5, 2025, 13:05\nFirst summary.\n\n"
        "2. Two — Mar 5, 2025, 13:05\nSecond summary."
    )


def test_list_uses_search_snippets_with_bold_marks_and_paging_numbers() -> None:
    item = ListItem(make_article("Budget"), "unused", snippet_html="the <b>budget</b> vote")
    html = article_list([item], UTC, start=6, tr=Translator.english())
    parsed = parse_html(html)
    assert parsed.text.startswith("6. Budget")
    assert parsed.text.endswith("the budget vote")
    assert any(e["type"] == "bold" for e in parsed.entities)


def test_twenty_long_items_still_fit_one_message() -> None:
    items = [ListItem(make_article("T" * 400), "s " * 800) for _ in range(20)]
    assert (
        visible_length(article_list(items, UTC, header="x" * 500, tr=Translator.english())) <= 4096
    )


def test_split_reopens_tags_and_prefers_paragraphs() -> None:
    html = "<b>" + "alpha beta\n\n" * 3 + "</b>"
    parts = split_message(html, limit=15)
    assert parts == ["<b>alpha beta\n\n</b>"] * 3


def test_split_keeps_short_messages_whole() -> None:
    assert split_message("<i>hi</i>") == ["<i>hi</i>"]
    assert split_message("   ") == []


def test_split_never_cuts_entities_or_surrogates() -> None:
    html = "&amp;😀" * 10
    for part in split_message(html, limit=3):
        parsed = parse_html(part)
        assert visible_length(part) <= 3
        assert parsed.text in ("&😀", "&", "😀&", "😀")


def test_html_to_plain_shows_links_and_decodes() -> None:
    html = '<b>Hi</b> <a href="https://x.org/?a=1&amp;b=2">site</a> &lt;3'
    assert html_to_plain(html) == "Hi site <https://x.org/?a=1&b=2> <3"


def test_blank_symbols_count_as_empty_like_telegram() -> None:
    assert visible_length("\u2800 <b>x</b> \u3000") == 1
    assert split_message("<b>\u2800\u200b \n</b>") == []


def test_a_right_to_left_source_keeps_the_date_after_it() -> None:
    # "الجزيرة, 5 мар." drew as "5 ,الجزيرة мар.": the date's digits joined the Arabic run.
    ru = Catalogs().get("ru")
    items = [ListItem(make_article("Oil", source="الجزيرة"), ""), ListItem(make_article(), "")]
    html = article_list(items, ZoneInfo("UTC"), header="", tr=ru)
    assert "— الجزيرة\u200e, 5 мар." in html
    assert "— BBC, 5 мар." in html  # left-to-right text gets no mark
