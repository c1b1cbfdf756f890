"""The light-entry index both article stores share: its orders are a stable sort, always."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.archive.lightindex import LightIndex
from bot.pg.article_rows import PgEntry

# Small date ranges, so that ties (kept in arrival order) are common.
DATES = st.tuples(st.integers(0, 20), st.integers(0, 20))


def entry(n: int, published: int, added: int) -> PgEntry:
    return PgEntry(f"a{n}", f"title {n}", published, added, None, "en")


@given(
    st.lists(st.lists(DATES, max_size=12), max_size=6),  # batches: both under and over insort's 8
    st.sets(st.integers(0, 80)),
    st.integers(0, 25),
)
def test_published_and_removed_entries_keep_both_orders_a_stable_sort(
    batches: list[list[tuple[int, int]]], dropped: set[int], cutoff: int
) -> None:
    index: LightIndex[PgEntry] = LightIndex()
    held: list[PgEntry] = []  # in the order they were published
    for batch in batches:
        new = [entry(len(held) + i, p, a) for i, (p, a) in enumerate(batch)]
        index.publish(new)
        held += new
    gone = [e for e in held if int(e.id[1:]) in dropped]
    index.remove(gone)
    held = [e for e in held if e not in gone]
    expired = index.arrived_before(cutoff)
    index.remove_oldest(len(expired))
    arrivals = sorted(held, key=lambda e: e.added)
    assert expired == [e for e in arrivals if e.added < cutoff]
    held = [e for e in held if e not in expired]
    assert index.arrivals == sorted(held, key=lambda e: e.added)
    assert index.newest == sorted(held, key=lambda e: e.published)
    assert sorted(index.by_id) == sorted(e.id for e in held) and len(index) == len(held)
    assert index.latest(3, 1) == index.newest[::-1][1:4]
    assert index.version == len(batches) + 2


def test_added_since_is_kept_until_the_index_changes() -> None:
    index: LightIndex[PgEntry] = LightIndex()
    index.publish([entry(1, 5, 10), entry(2, 6, 20)])
    calls: list[list[str]] = []

    def lazy(entries: list[PgEntry]) -> list[Any]:
        calls.append([e.id for e in entries])
        return [e.id for e in entries]

    assert index.added_since(10, lazy) == index.added_since(10, lazy) == ["a2"]
    index.publish([entry(3, 7, 30)])
    assert index.added_since(10, lazy) == ["a2", "a3"]
    assert calls == [["a2"], ["a2", "a3"]]  # once per state of the index
