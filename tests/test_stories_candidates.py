"""The engine's inverted index updated in C: the same holder sets, element order too, as the loops."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.stories.postings import Postings, post, unpost
from bot.stories.scoring import candidates
from bot.stories.values import EngineSettings

TERMS = st.sets(st.text(alphabet="abcdefgh", min_size=1, max_size=2), max_size=20)
# Each step posts a story's new terms or drops a story: (story number, its new terms or None).
STEPS = st.lists(st.tuples(st.integers(0, 5), st.one_of(st.none(), TERMS)), max_size=40)


def _post_loop(postings: Postings, terms: set[str], story_id: str) -> None:
    for term in terms:
        holders = postings.get(term)
        if holders is None:
            postings[term] = {story_id}
        else:
            holders.add(story_id)


def _unpost_loop(postings: Postings, terms: list[str], story_id: str) -> None:
    for term in terms:
        holders = postings.get(term)
        if holders is not None:
            holders.discard(story_id)
            if not holders:
                del postings[term]


@given(STEPS)
def test_posting_and_unposting_equal_the_loops(steps: list[tuple[int, set[str] | None]]) -> None:
    """Holder sets hold the same stories in the same iteration order, emptied terms go."""
    fast: Postings = {}
    slow: Postings = {}
    centroids: dict[str, list[str]] = {}
    for number, terms in steps:
        story_id = f"s{number}"
        held = centroids.setdefault(story_id, [])
        if terms is None:
            unpost(fast, held, story_id)
            _unpost_loop(slow, held, story_id)
            del centroids[story_id]
            continue
        new = terms - set(held)
        post(fast, set(new), story_id)
        _post_loop(slow, set(new), story_id)
        held.extend(new)
    assert fast.keys() == slow.keys()
    assert {t: list(h) for t, h in fast.items()} == {t: list(h) for t, h in slow.items()}


@given(st.permutations([f"s{n:02d}" for n in range(40)]))
def test_candidates_tied_on_shared_terms_come_in_story_id_order(order: list[str]) -> None:
    """However the holder sets were filled, ties are taken by id: a rebuild cannot differ."""
    postings: Postings = {}
    for story_id in order:
        post(postings, {"alpha", "beta"}, story_id)
    post(postings, {"gamma"}, "s39")  # one more shared term: ahead of every tie
    vector = {"alpha": 0.6, "beta": 0.5, "gamma": 0.4}
    found = candidates(vector, {}, postings, EngineSettings())
    assert found == ["s39", *sorted(order)[: EngineSettings().max_candidates - 1]]
