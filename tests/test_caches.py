"""The bounded caches are cachetools LRUs: the least recently used go first, nothing grows."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.digests.matching import RankCache, remembered
from bot.models import Article, Story
from bot.stories.views import ViewCache


def test_rank_cache_keeps_what_a_fan_out_reuses_and_drops_the_oldest() -> None:
    cache = RankCache(2)
    made: list[str] = []

    def make(name: str) -> list[str]:
        made.append(name)
        return [name]

    for key in ("a", "b", "a", "c", "a", "b"):
        assert remembered(cache, (key,), lambda key=key: make(key)) == [key]
    assert made == ["a", "b", "c", "b"]  # "a" stayed in use; "b" was the least recent
    assert len(cache) == 2


def story(n: int) -> Story:
    moment = datetime(2026, 3, 1, tzinfo=UTC)
    article = Article(id=f"a{n}", title=f"T{n}", body="b", published=moment, added=moment)
    return Story(f"s{n}", f"T{n}", (article,), article, ("S",), moment, moment, 1, 1)


def test_view_cache_is_a_bounded_lru() -> None:
    views = ViewCache(2)
    views.put(("s1",), story(1))
    views.put(("s2",), story(2))
    assert views.get(("s1",)) is not None  # used: s2 is now the least recent
    views.put(("s3",), story(3))
    assert views.get(("s2",)) is None
    assert views.get(("s1",)) is not None and views.get(("s3",)) is not None
