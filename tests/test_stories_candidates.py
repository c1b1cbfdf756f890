"""Which open stories an article is scored against: ties taken in a stable order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.stories.scoring import candidates
from bot.stories.values import EngineSettings


@given(st.permutations([f"s{n:02d}" for n in range(40)]))
def test_candidates_tied_on_shared_terms_come_in_story_id_order(order: list[str]) -> None:
    """However the holder sets were filled, ties are taken by id: a rebuild cannot differ."""
    postings: dict[str, set[str]] = {"alpha": set(), "beta": set(), "gamma": {"s39"}}
    for story_id in order:  # the engine's index, filled in another order each time
        postings["alpha"].add(story_id)
        postings["beta"].add(story_id)
    vector = {"alpha": 0.6, "beta": 0.5, "gamma": 0.4}
    found = candidates(vector, {}, postings, EngineSettings())
    # s39 shares one more term: ahead of every tie.
    assert found == ["s39", *sorted(order)[: EngineSettings().max_candidates - 1]]


def test_a_term_held_by_more_open_stories_than_max_holders_finds_none() -> None:
    """A word a crowd of open stories shares names no event: the rarer terms find the story."""
    crowd = {f"s{n:03d}" for n in range(EngineSettings().max_holders)}
    postings = {
        "common": crowd | {"event"},
        "quake": {"event"},
        "tsunami": {"event"},
        "coast": {"event", "s000"},
    }
    vector = {"common": 0.7, "quake": 0.5, "tsunami": 0.4, "coast": 0.3}
    assert candidates(vector, {}, postings, EngineSettings()) == ["event"]
    # Counted, the common word makes a candidate of every crowd story with one more term.
    counted = EngineSettings(max_holders=len(crowd) + 1)
    assert candidates(vector, {}, postings, counted) == ["event", "s000"]
