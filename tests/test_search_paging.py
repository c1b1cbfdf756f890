"""Paging: page 2 continues page 1 exactly, whatever the recency boost does to the order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.search import SearchService
from tests.searchkit import NOW, FakeStore, art


def corpus() -> FakeStore:
    """Return 150 articles about quakes: relevance falls slowly, ages vary a lot.

    Neighbouring BM25 scores differ by less than the recency boost (up to +10 %), so fresh
    articles deep in the BM25 order climb over older ones: what paging must survive.
    """
    articles = []
    for n in range(150):
        mentions = " ".join(["quake"] * (1 + n % 7))
        filler = " ".join(f"word{n}x{k}" for k in range(20 + n))
        articles.append(
            art(
                f"a{n:03d}",
                f"Report {n}",
                f"{mentions} {filler}",
                days_ago=(n * 37) % 90 / 3,
            )
        )
    return FakeStore(articles)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[SearchService]:
    svc = SearchService(corpus(), tmp_path / "index", clock=lambda: NOW)
    svc.initialize()
    yield svc
    svc.shutdown()


@pytest.mark.parametrize("size", [5, 7, 10])
def test_pages_continue_each_other_exactly(service: SearchService, size: int) -> None:
    paged: list[str] = []
    for offset in range(0, 150, size):
        result = service.search("quake", limit=size, offset=offset)
        paged += [h.article.id for h in result.hits]
    assert len(paged) == len(set(paged)) == 150  # nothing twice, nothing skipped
    whole = [h.article.id for h in service.search("quake", limit=100).hits]
    assert paged[:100] == whole
