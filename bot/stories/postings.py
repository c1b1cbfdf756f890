"""The engine's inverted index: each term of an open story's centroid -> the stories holding it."""

from __future__ import annotations

from collections import deque
from collections.abc import Collection
from itertools import compress, repeat
from operator import not_

Postings = dict[str, set[str]]


def post(postings: Postings, terms: set[str], story_id: str) -> None:
    """Add story_id to the holders of terms new to its centroid, in C (no loop per term)."""
    # Each holder set gets the story once, in any term order: the sets come out as a loop's.
    fresh = terms.difference(postings)  # a set minus a dict looks each term up, in C
    deque(map(set.add, map(postings.__getitem__, terms - fresh), repeat(story_id)), maxlen=0)
    postings.update(zip(fresh, map(set, repeat((story_id,), len(fresh))), strict=True))


def unpost(postings: Postings, terms: Collection[str], story_id: str) -> None:
    """Take story_id out of the holders of its centroid's terms; drop the terms left unheld."""
    # Every term of an open story's centroid was posted for it (`post`), so each has holders.
    holders = list(map(postings.__getitem__, terms))
    deque(map(set.discard, holders, repeat(story_id)), maxlen=0)
    for term in compress(terms, map(not_, holders)):
        del postings[term]
