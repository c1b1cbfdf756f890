"""Story ranking: importance by sources, recency and growth; the top list."""

from __future__ import annotations

from datetime import timedelta

from bot.stories import StoryEngine, StorySummary, importance, story_id_for, top_stories
from tests.storykit import DAY, QUAKE, RATES, T0, assign_all


def summary_of(story_id: str, arrivals: list[tuple[float, str]]) -> StorySummary:
    times = [(T0 + timedelta(hours=h), key) for h, key in arrivals]
    return StorySummary(
        id=story_id,
        members=tuple(f"{story_id}-{n}" for n in range(len(times))),
        headline=story_id,
        first_seen=min(t for t, _ in times),
        last_updated=max(t for t, _ in times),
        sources=len({k for _, k in times}),
        arrivals=tuple(times),
    )


NOW = T0 + timedelta(hours=20)


def test_more_sources_beat_fewer() -> None:
    many = summary_of("many", [(10, "a"), (10, "b"), (10, "c"), (10, "d")])
    few = summary_of("few", [(10, "a"), (10, "b")])
    assert importance(many, NOW, DAY) > importance(few, NOW, DAY)
    assert [s.id for s in top_stories([few, many], NOW, DAY, 2)] == ["many", "few"]


def test_recent_beats_old_with_the_same_sources() -> None:
    # Same sources, first seen at the same time: only the newest article differs.
    recent = summary_of("recent", [(0, "a"), (0, "b"), (19, "a")])
    old = summary_of("old", [(0, "a"), (0, "b")])
    assert importance(recent, NOW, DAY) > importance(old, NOW, DAY)


def test_growing_story_beats_settled_one() -> None:
    growing = summary_of("growing", [(0, "a"), (17, "b"), (19, "c")])
    settled = summary_of("settled", [(0, "a"), (0, "b"), (0, "c"), (19, "a")])
    assert importance(growing, NOW, DAY) > importance(settled, NOW, DAY)


def test_stories_outside_the_period_score_zero_and_are_left_out() -> None:
    stale = summary_of("stale", [(-30, "a"), (-29, "b")])
    assert importance(stale, NOW, DAY) == 0
    assert top_stories([stale], NOW, DAY, 5) == []


def test_top_never_repeats_a_story_and_honours_filter() -> None:
    big = summary_of("big", [(10, "a"), (11, "b"), (12, "c")])
    small = summary_of("small", [(10, "a")])
    stale_copy = summary_of("big", [(10, "a")])
    ranked = top_stories([big, small, stale_copy, small], NOW, DAY, 10)
    assert [s.id for s in ranked] == ["big", "small"]
    # The first summary given for an id is the one ranked.
    assert ranked[0] is big
    only_small = top_stories([big, small], NOW, DAY, 10, topic_filter=lambda s: s.id == "small")
    assert [s.id for s in only_small] == ["small"]
    assert len(top_stories([big, small], NOW, DAY, 1)) == 1


def test_engine_top_ranks_the_three_source_story_first() -> None:
    engine = StoryEngine()
    assign_all(engine, [QUAKE[0], QUAKE[1], RATES, QUAKE[2]])
    ranked = top_stories(engine.summaries(), T0 + timedelta(hours=3), DAY, 5)
    assert [s.id for s in ranked] == [story_id_for("reuters-1"), story_id_for("ft-1")]
