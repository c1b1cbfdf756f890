"""The one cache type: bounded, least recently used first, safe when threads share it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from hypothesis import given
from hypothesis import strategies as st

from bot.app.context import LineCache
from bot.memo import Memo


def test_the_least_recently_used_value_goes_first() -> None:
    memo: Memo[str, int] = Memo(2)
    memo.put("a", 1)
    memo.put("b", 2)
    assert memo.get("a") == 1  # "a" is now the most recent
    memo.put("c", 3)
    assert memo.get("b") is None
    assert (memo.get("a"), memo.get("c"), len(memo)) == (1, 3, 2)


@given(st.lists(st.tuples(st.integers(0, 20), st.booleans()), max_size=200))
def test_remembered_makes_only_what_is_missing(asks: list[tuple[int, bool]]) -> None:
    memo: Memo[int, str] = Memo(8)
    made: list[int] = []

    def make(key: int) -> str:
        made.append(key)
        return f"v{key}"

    for key, peek in asks:
        if peek:
            memo.get(key)  # a read alone never makes anything
        cached = memo.get(key) is not None
        before = len(made)
        assert memo.remembered(key, lambda k=key: make(k)) == f"v{key}"
        assert len(made) == before + (0 if cached else 1)
        assert len(memo) <= 8


def test_threads_sharing_a_line_cache_always_read_what_was_put() -> None:
    lines = LineCache(size=64)

    def work(worker: int) -> int:
        wrong = 0
        for n in range(5000):
            key = f"k{(n * 7 + worker) % 300}"
            found = lines.remembered(key, lambda key=key: key.upper())
            wrong += found != key.upper()
            lines.put(f"w{worker}:{n % 90}", str(n % 90))
            got = lines.get(f"w{worker}:{n % 90}")
            wrong += got is not None and got != str(n % 90)
        return wrong

    with ThreadPoolExecutor(8) as pool:
        assert sum(pool.map(work, range(8))) == 0
    assert len(lines) <= 64
