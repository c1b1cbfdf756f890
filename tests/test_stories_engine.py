"""Story engine: clustering decisions, stable ids, restore."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from bot.stories import StoryEngine, StoryItem, story_id_for
from tests.storykit import QUAKE, RATES, T0, assign_all, item

FOLLOW_UP = item(
    "reuters-2",
    "Fukushima earthquake: Japan reviews tsunami advisory after magnitude 7.1 quake",
    "Japan reviewed its tsunami advisory system five days after the magnitude 7.1 earthquake "
    "off Fukushima, the meteorological agency said.",
    24 * 5,
    "Reuters",
)


def test_three_outlets_one_story_and_unrelated_alone() -> None:
    engine = StoryEngine()
    ids = assign_all(engine, [QUAKE[0], QUAKE[1], RATES, QUAKE[2]])
    assert ids[0] == ids[1] == ids[3]
    assert ids[2] != ids[0]
    quake = engine.summary(ids[0])
    assert quake is not None
    assert quake.members == ("reuters-1", "bbc-1", "ap-1")
    assert quake.sources == 3
    assert quake.first_seen == QUAKE[0].published
    assert quake.last_updated == QUAKE[2].published
    assert quake.headline in {q.title for q in QUAKE}


def test_follow_up_outside_window_starts_new_story() -> None:
    engine = StoryEngine()
    first = assign_all(engine, QUAKE)[0]
    later = engine.assign(FOLLOW_UP)
    assert later != first
    assert later == story_id_for("reuters-2")
    # The old story left the active set, so it no longer answers.
    assert engine.summary(first) is None
    assert engine.story_of("reuters-1") is None


def test_follow_up_inside_window_joins() -> None:
    engine = StoryEngine()
    first = assign_all(engine, QUAKE)[0]
    soon = StoryItem("reuters-3", FOLLOW_UP.title, FOLLOW_UP.body, T0 + timedelta(hours=6))
    assert engine.assign(soon) == first


def test_short_headlines_sharing_one_word_stay_apart_in_a_young_archive() -> None:
    # With few articles every word weighs alike: one word in common must not merge two events.
    engine = StoryEngine()
    first = engine.assign(
        item("a", "Harbour reopens after storm", "Harbour reopens after storm.", 0)
    )
    second = engine.assign(item("b", "Harbour gets a new crane", "Harbour gets a new crane.", 1))
    third = engine.assign(item("c", "Harbour reopens after the storm", "The harbour reopened.", 2))
    assert first != second
    assert third == first


def test_an_older_article_imported_later_does_not_join_a_newer_story() -> None:
    # Imports arrive out of publication order: the gap counts to the story's whole span.
    engine = StoryEngine()
    quake = assign_all(engine, QUAKE)[0]
    years_before = StoryItem(
        "archive-1", QUAKE[0].title, QUAKE[0].body, T0 - timedelta(days=365 * 30), "Archive"
    )
    assert engine.assign(years_before) != quake
    day_before = StoryItem("early-1", QUAKE[1].title, QUAKE[1].body, T0 - timedelta(hours=3))
    assert engine.assign(day_before) == quake


def test_ids_are_deterministic_and_from_first_article() -> None:
    stream = [QUAKE[0], RATES, QUAKE[1], QUAKE[2], FOLLOW_UP]
    first = assign_all(StoryEngine(), stream)
    second = assign_all(StoryEngine(), stream)
    assert first == second
    assert first[0] == "s" + hashlib.sha1(b"reuters-1").hexdigest()[:10]
    assert first[1] == story_id_for("ft-1")


def test_reassigning_a_known_item_returns_its_story() -> None:
    engine = StoryEngine()
    story = engine.assign(QUAKE[0])
    engine.assign(RATES)
    assert engine.assign(QUAKE[0]) == story
    summary = engine.summary(story)
    assert summary is not None and summary.members == ("reuters-1",)


def test_restore_then_continue_equals_uninterrupted_when_the_window_holds_all() -> None:
    """Below the bot's restore cap (window.MAX_RESTORE) every open member comes back."""
    stream = [QUAKE[0], RATES, QUAKE[1], QUAKE[2], FOLLOW_UP]
    uninterrupted = StoryEngine()
    expected = assign_all(uninterrupted, stream)

    before = StoryEngine()
    done = assign_all(before, stream[:2])
    restored = StoryEngine()
    restored.restore(zip(done, stream[:2], strict=True))
    assert [restored.story_of(i.id) for i in stream[:2]] == done
    assert assign_all(restored, stream[2:]) == expected[2:]
    assert [s.members for s in restored.summaries()] == [
        s.members for s in uninterrupted.summaries()
    ]


OTHER_NEWS = [
    ("Football club wins the cup final on penalties", "The home side won the cup on penalties."),
    ("Parliament passes the annual budget bill", "Lawmakers approved the budget after a debate."),
    ("Wildfire forces evacuations in California", "Firefighters battled a wildfire near homes."),
    ("Tech company unveils a folding smartphone", "The phone folds in half and ships in May."),
    ("Museum returns looted bronzes to Nigeria", "The bronzes were taken in 1897 from Benin."),
    ("Airline strike grounds hundreds of flights", "Pilots walked out over pay on Tuesday."),
    ("Scientists map the genome of the axolotl", "The salamander regrows limbs, they noted."),
    ("Chess champion defends title in Madrid", "The final game ended after six hours."),
]


def test_a_capped_restore_of_the_newest_members_keeps_the_story_going() -> None:
    """Like the bot past its cap: only the newest members come back (window_items), in order.

    The quake story keeps its id and a follow-up still joins it; the stories whose members
    were all left out are no longer open to new articles.
    """
    others = [item(f"o-{n}", t, b, 3 + n) for n, (t, b) in enumerate(OTHER_NEWS)]
    stream = [QUAKE[0], RATES, QUAKE[1], QUAKE[2], *others]
    later = item(
        "nhk-1",
        "Japan lifts tsunami advisory after Fukushima earthquake",
        "Japan's meteorological agency lifted the tsunami advisory issued after the magnitude "
        "7.1 earthquake off Fukushima; no damage was reported.",
        12,
        "NHK",
    )
    uninterrupted = StoryEngine()
    expected = assign_all(uninterrupted, [*stream, later])
    assert expected[-1] == expected[0]  # uninterrupted, the follow-up joins the quake
    cap = len(stream) - 2  # window_items keeps the newest `limit` by arrival, oldest first
    restored = StoryEngine()
    restored.restore(zip(expected[2:-1], stream[-cap:], strict=True))
    assert restored.story_of(QUAKE[0].id) is None and restored.story_of(RATES.id) is None
    assert restored.assign(later) == expected[0]
    [quake] = [s for s in restored.summaries() if s.id == expected[0]]
    assert quake.members == (QUAKE[1].id, QUAKE[2].id, later.id)


def test_restore_keeps_given_ids_without_deciding() -> None:
    engine = StoryEngine()
    # Persisted assignments win even where the engine would have decided otherwise.
    engine.restore([("s-custom", QUAKE[0]), ("s-custom", RATES)])
    summary = engine.summary("s-custom")
    assert summary is not None and summary.members == ("reuters-1", "ft-1")
    assert engine.assign(QUAKE[1]) == "s-custom"
