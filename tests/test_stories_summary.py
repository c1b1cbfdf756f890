"""A story's 1–2 sentence summary: from the articles that agree with its headline, no repeats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.models import Article, Story
from bot.summarize import story_summary

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def article(aid: str, title: str, body: str, source: str, hours: int) -> Article:
    when = T0 + timedelta(hours=hours)
    return Article(aid, title, body, when, when, f"https://x.example/{aid}", source)


def story_of(best: Article, *others: Article) -> Story:
    members = (best, *others)
    return Story(
        "s0123456789",
        best.title,
        tuple(sorted(members, key=lambda a: a.published, reverse=True)),
        best,
        tuple(dict.fromkeys(a.source or "" for a in members)),
        min(a.published for a in members),
        max(a.published for a in members),
        size=len(members),
        source_count=len({a.source for a in members}),
    )


BEST = article(
    "a",
    "Volcano erupts near Grindavik in Iceland",
    "A volcano erupted near Grindavik on Monday. Lava flowed toward the evacuated town.",
    "Reuters",
    0,
)
SAME = article(
    "b",
    "Iceland volcano near Grindavik sends lava toward homes",
    "Lava flowed toward the evacuated town of Grindavik. Residents watched from a distance.",
    "AP",
    1,
)
DRIFT = article(
    "c",
    "Football club sacks its manager",
    "The club sacked its manager after a run of defeats. Fans had protested for weeks.",
    "Sports Desk",
    2,
)


def test_summary_draws_on_agreeing_sources_without_repeating_a_statement() -> None:
    text = story_summary(story_of(BEST, SAME))
    assert text.startswith("A volcano erupted near Grindavik on Monday.")
    # Two sentences, one from each source; what both said appears once.
    assert text.count("Lava flowed toward the evacuated town") == 1
    assert text.endswith("Lava flowed toward the evacuated town of Grindavik.")


def test_an_article_that_drifted_into_the_story_lends_it_no_sentence() -> None:
    text = story_summary(story_of(BEST, DRIFT, SAME))
    assert "club" not in text and "manager" not in text
    assert "Grindavik" in text
