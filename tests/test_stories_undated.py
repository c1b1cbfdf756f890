"""Stories of undated articles, and of an older archive imported after newer news."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.stories import StoryEngine, StoryItem
from tests.storykit import QUAKE, T0, assign_all, item


def _undated(item_id: str, title: str, body: str) -> StoryItem:
    return StoryItem(item_id, title, body, T0, "Import", undated=True)


SPACEX = (
    "SpaceX launches SES-8 satellite",
    "SpaceX launched the SES-8 satellite from Florida "
    "on Tuesday after two delays, its first commercial launch to geostationary orbit.",
)


SPACEX_NEXT = (
    "SES-8 reaches orbit, SpaceX says",
    "The satellite reached its planned orbit, the company said on Wednesday.",
)


SPACEX_SIGNAL = (
    "Controllers hear SpaceX satellite",
    "Ground controllers heard the first signal from the satellite, SpaceX said.",
)


def test_undated_articles_join_by_what_they_say_not_by_arriving_together() -> None:
    dated = StoryEngine()
    first = dated.assign(item("a", *SPACEX, 0))
    assert dated.assign(item("b", *SPACEX_NEXT, 1)) == first  # an hour apart: a follow-up
    undated = StoryEngine()
    first = undated.assign(_undated("a", *SPACEX))
    # The same two texts in one import of undated articles: arriving together proves nothing.
    assert undated.assign(_undated("b", *SPACEX_NEXT)) != first
    # A copy of the report says enough on its own.
    assert undated.assign(_undated("c", SPACEX[0], SPACEX[1] + " (AP)")) == first


def test_an_undated_member_does_not_stretch_a_dated_storys_span() -> None:
    engine = StoryEngine()
    # An undated report comes with the import's time; a dated copy from ten years back joins
    # it on its text ...
    story = engine.assign(_undated("copy-1", *SPACEX))
    assert engine.assign(StoryItem("wire-1", *SPACEX, T0 - timedelta(days=3650), "Wire")) == story
    # ... but the story's dates are those of its dated report: five years later is no follow-up
    # (the import's time would have made the story span ten years, swallowing everything).
    later = StoryItem("wire-2", *SPACEX, T0 - timedelta(days=1825), "Wire")
    assert engine.assign(later) != story


def test_an_undated_story_once_dated_meets_follow_ups_as_a_dated_story_does() -> None:
    engine = StoryEngine()
    story = engine.assign(_undated("import-1", *SPACEX))
    assert engine.assign(item("wire-1", *SPACEX, 0)) == story  # a dated copy dates the story
    # Before it, the story was looked up by near copies only; now a follow-up sharing two
    # words finds it, as it finds a dated story.
    assert engine.assign(item("wire-2", *SPACEX_SIGNAL, 1)) == story
    dated = StoryEngine()
    first = dated.assign(item("a", *SPACEX, 0))
    assert dated.assign(item("wire-2", *SPACEX_SIGNAL, 1)) == first


def test_an_older_archive_imported_after_newer_news_still_forms_its_stories() -> None:
    # The README's import order: undated news stamped with the import's moment, then a dated
    # archive ten years older. Its reports of one event must meet as they would on their own.
    years = timedelta(days=3650)
    older = [replace(q, published=q.published - years) for q in QUAKE]
    for first in (_undated("import-1", *SPACEX), item("today", *SPACEX, 0)):
        engine = StoryEngine()
        engine.assign(first)
        stories = assign_all(engine, older)
        assert stories == [stories[0]] * 3
        # The newer story is not closed by older news: a follow-up of it still joins.
        assert engine.assign(replace(first, id="again", title=SPACEX[0] + " again")) == (
            engine.story_of(first.id)
        )
