"""Property tests: whatever text comes in, rendered HTML parses like Telegram's and fits."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.i18n import Translator
from bot.models import Article
from bot.render import (
    ListItem,
    article_card,
    article_list,
    escape,
    html_to_plain,
    link,
    split_message,
    truncate,
    utf16_len,
)
from bot.render.html import clean, safe_url
from bot.tgserver.entities import parse_html, strip_message

PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

emoji = st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF)
metachars = st.sampled_from(list("<>&\"';#/ \n\t\x00\u200b"))
pieces = st.one_of(
    st.text(st.one_of(emoji, metachars, st.characters()), max_size=40),
    st.sampled_from(["&amp;", "&lt;", "&#128512;", "</b>", "<b>", "&#xD800;", "\r\n"]),
)
ugly_text = st.lists(pieces, max_size=12).map("".join)
long_text = st.builds(lambda t, n: t * n, ugly_text, st.integers(1, 40))
urls = st.one_of(
    st.none(),
    st.just("https://example.com/a?b=1&c=2"),
    st.builds(lambda t: "https://example.com/" + t, ugly_text),
    ugly_text,
)
zones = st.sampled_from([UTC, ZoneInfo("Asia/Kolkata"), timezone(timedelta(hours=-11))])
moments = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


def articles() -> st.SearchStrategy[Article]:
    return st.builds(
        Article,
        id=st.just("a1"),
        title=st.one_of(ugly_text, long_text),
        body=ugly_text,
        published=moments,
        added=moments,
        url=urls,
        source=st.one_of(st.none(), ugly_text),
    )


def telegram_accepts(html: str, limit: int = 4096) -> str:
    """Parse like Telegram; return the stripped text after checking the length limit."""
    parsed = strip_message(parse_html(html))
    assert utf16_len(parsed.text) <= limit, (utf16_len(parsed.text), limit)
    parsed.text.encode("utf-8")  # no lone surrogates: nothing was cut inside a pair
    return parsed.text


@PROPS
@given(articles(), st.lists(st.one_of(ugly_text, long_text), max_size=5), zones)
def test_any_card_is_valid_and_fits(article: Article, lines: list[str], tz: ZoneInfo) -> None:
    text = telegram_accepts(article_card(article, lines, tz, Translator.english()))
    assert text  # never an empty message


snippets = st.builds(
    lambda words: " ".join(
        f"<b>{escape(w)}</b>" if i % 2 else escape(w) for i, w in enumerate(words)
    ),
    st.lists(ugly_text, max_size=8),
)
items = st.builds(ListItem, articles(), st.one_of(ugly_text, long_text), st.none() | snippets)


@PROPS
@given(st.lists(items, max_size=20), zones, ugly_text, st.integers(1, 1000))
def test_any_list_is_valid_and_fits(
    rows: list[ListItem], tz: ZoneInfo, header: str, start: int
) -> None:
    html = article_list(rows, tz, header=header, start=start, tr=Translator.english())
    telegram_accepts(html)


TAGS = [
    "b",
    "i",
    "u",
    "s",
    "code",
    "tg-spoiler",
    "blockquote",
    "pre",
    'a href="https://x.org/?a&amp;b"',
]


def wrap(tag: str, children: list[str]) -> str:
    return f"<{tag}>{''.join(children)}</{tag.split()[0]}>"


leaf = st.builds(escape, st.one_of(ugly_text, long_text))
html_docs = st.recursive(
    leaf,
    lambda inner: st.builds(wrap, st.sampled_from(TAGS), st.lists(inner, max_size=4)),
    max_leaves=12,
).map(lambda doc: doc + "\n\n" + doc)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@PROPS
@given(html_docs, st.one_of(st.integers(2, 300), st.just(4096)))
def test_split_parts_are_valid_fit_and_keep_the_text(html: str, limit: int) -> None:
    parts = split_message(html, limit)
    texts = [telegram_accepts(part, limit) for part in parts]
    assert all(texts)
    assert squash("".join(texts)) == squash(parse_html(html).text)


@PROPS
@given(st.text(st.one_of(emoji, st.sampled_from(" \n")), max_size=3000), st.integers(2, 50))
def test_split_of_emoji_text_never_breaks_pairs(text: str, limit: int) -> None:
    parts = split_message(escape(text), limit)
    texts = [telegram_accepts(part, limit) for part in parts]
    assert squash("".join(texts)) == squash(text)


@PROPS
@given(ugly_text)
def test_escape_round_trips_through_the_parser(text: str) -> None:
    assert parse_html(escape(text)).text == clean(text)
    assert html_to_plain(escape(text)) == clean(text)


@PROPS
@given(urls, ugly_text)
def test_link_is_always_valid_html(url: str | None, text: str) -> None:
    """Telegram parses it (or parse_html raises), shows the label, and links safe URLs only."""
    target = safe_url(url)
    parsed = parse_html(link(url, text))
    assert parsed.text == clean(text if text.strip() else target or "")
    links = [e["url"] for e in parsed.entities if e["type"] == "text_link"]
    assert links == ([target] if target and parsed.text else [])


@PROPS
@given(ugly_text, st.integers(0, 400))
def test_truncate_fits_and_is_a_prefix(text: str, limit: int) -> None:
    cut = truncate(text, limit)
    assert utf16_len(cut) <= limit
    assert text.startswith(cut.removesuffix("…").rstrip())
