"""Topic summaries over several ranked articles: links, order, and cross-article dedup."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.models import Article
from bot.summarize import TopicSentence, topic_summary

WHEN = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def _article(aid: str, title: str, body: str, url: str | None = None, lang: str = "en") -> Article:
    return Article(id=aid, title=title, body=body, published=WHEN, added=WHEN, url=url, lang=lang)


STORM_A = _article(
    "a1",
    "Storm hits coast",
    "A powerful storm hit the northern coast on Monday, cutting power to 50,000 homes. "
    "Winds reached 120 km/h in coastal towns. Schools will stay closed on Tuesday.",
    "https://news.example/a1",
)
STORM_B = _article(
    "b2",
    "Coast storm: power cut to thousands",
    "A powerful storm hit the northern coast on Monday and cut power to 50,000 homes. "
    "Engineers expect to restore electricity by Wednesday. Ferries were cancelled.",
    "https://news.example/b2",
)
STORM_C = _article(
    "c3",
    "Insurers count storm cost",
    "Insurers estimate the storm damage at $30m. Claims are expected to rise this week.",
)


def test_sentences_link_to_their_articles_in_rank_order() -> None:
    result = topic_summary([STORM_A, STORM_B, STORM_C], sentences=3)
    assert [s.article_id for s in result] == ["a1", "b2", "c3"]
    assert result[0] == TopicSentence(
        text="A powerful storm hit the northern coast on Monday, cutting power to 50,000 homes.",
        article_id="a1",
        title="Storm hits coast",
        url="https://news.example/a1",
    )
    assert result[2].url is None


def test_near_duplicate_sentences_across_articles_are_dropped() -> None:
    result = topic_summary([STORM_A, STORM_B, STORM_C], sentences=8)
    texts = [s.text for s in result]
    assert not any(t.startswith("A powerful storm") for t in texts[1:])
    assert len(texts) == len(set(texts))
    assert "Engineers expect to restore electricity by Wednesday." in texts
    for sentence in result:
        source = {"a1": STORM_A, "b2": STORM_B, "c3": STORM_C}[sentence.article_id]
        assert sentence.text in source.body


def test_same_article_twice_adds_nothing_new() -> None:
    once = topic_summary([STORM_A], sentences=5)
    twice = topic_summary([STORM_A, STORM_A], sentences=5)
    assert once == twice


def test_count_limits_and_empty_inputs() -> None:
    assert topic_summary([], sentences=5) == []
    assert topic_summary([STORM_A, STORM_B], sentences=0) == []
    assert len(topic_summary([STORM_A, STORM_B, STORM_C], sentences=2)) == 2
    empty = _article("e", "", "")
    html_only = _article("h", "<b></b>", "<div><br></div>")
    assert topic_summary([empty, html_only], sentences=3) == []


def test_titles_are_plain_text_and_russian_works() -> None:
    ru = _article(
        "r1",
        "**Шторм** на побережье",
        "Мощный шторм обрушился на северное побережье в понедельник. Без света остались "
        "50 тысяч домов.",
        lang="ru",
    )
    result = topic_summary([ru], sentences=1)
    assert result == [
        TopicSentence(
            "Мощный шторм обрушился на северное побережье в понедельник.",
            "r1",
            "Шторм на побережье",
            None,
        )
    ]


def test_is_deterministic() -> None:
    articles = [STORM_A, STORM_B, STORM_C]
    assert all(topic_summary(articles) == topic_summary(articles) for _ in range(3))
