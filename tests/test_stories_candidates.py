"""Which open stories an article is scored against: ties taken in a stable order."""

from __future__ import annotations

from collections import Counter
from itertools import chain

from hypothesis import given
from hypothesis import strategies as st

from bot.stories.postings import candidates
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


def test_a_story_of_undated_reports_needs_most_of_the_terms_not_two() -> None:
    """Without a time between them only a near copy joins: sharing two words does not do."""
    s = EngineSettings()
    terms = [f"t{n}" for n in range(8)]
    vector = {t: 1.0 - n / 10 for n, t in enumerate(terms)}
    dated: dict[str, set[str]] = {t: {"dated"} for t in terms[:2]}
    timeless: dict[str, set[str]] = {t: {"close"} for t in terms[: s.undated_shared]}
    for t in terms[: s.undated_shared - 1]:
        timeless[t].add("loose")
    assert candidates(vector, {}, dated, s, timeless) == ["close", "dated"]
    # An undated article is as far from every story: the dated one needs as many terms.
    assert candidates(vector, {}, dated, s, timeless, undated=True) == ["close"]


@given(
    st.dictionaries(
        st.sampled_from([f"t{n}" for n in range(12)]),
        st.sets(st.sampled_from([f"s{n:02d}" for n in range(30)]), min_size=1),
    ),
    st.integers(min_value=1, max_value=7),
)
def test_counting_only_the_shorter_lists_finds_what_counting_all_does(
    timeless: dict[str, set[str]], need: int
) -> None:
    """The longest lists are only looked up for the stories the others found: no story lost."""
    s = EngineSettings(undated_shared=need)
    vector = {f"t{n}": 1.0 - n / 20 for n in range(12)}
    hits = Counter(chain.from_iterable(timeless.values()))
    least = max(need, 2)
    expected = sorted((-n, sid) for sid, n in hits.items() if n >= least)
    found = candidates(vector, {}, {}, s, timeless)
    assert found == [sid for _, sid in expected][: s.max_candidates]
