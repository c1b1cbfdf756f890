"""The search tests' fixture corpus: a store over a dict, articles by age, and the service."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.models import Article
from bot.search import SearchService

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class FakeStore:
    """The read side of ArticleStore over a dict, with listeners the test can fire."""

    def __init__(self, articles: list[Article]) -> None:
        self.articles = {a.id: a for a in articles}
        self.listeners: list[Callable[[list[Article]], None]] = []

    def __iter__(self) -> Iterator[Article]:
        return iter(list(self.articles.values()))

    def __len__(self) -> int:
        return len(self.articles)

    def get(self, article_id: str) -> Article | None:
        return self.articles.get(article_id)

    def get_many(self, article_ids: Sequence[str]) -> list[Article | None]:
        return [self.articles.get(article_id) for article_id in article_ids]

    def add_listener(self, fn: Callable[[list[Article]], None]) -> None:
        self.listeners.append(fn)

    def add(self, *articles: Article) -> None:
        """Store articles and tell the listeners, as ArticleStore.add_many does."""
        for a in articles:
            self.articles[a.id] = a
        for fn in self.listeners:
            fn(list(articles))


def art(
    id: str, title: str, body: str = "", *, days_ago: float = 30, source: str = "Reuters"
) -> Article:
    when = NOW - timedelta(days=days_ago)
    lang = "ru" if re.search("[а-яё]", title + body, re.I) else "en"
    return Article(
        id=id, title=title, body=body, published=when, added=when, source=source, lang=lang
    )


CORPUS = [
    art("oil1", "Oil prices rise", "Crude oil prices rose as OPEC cut output.", days_ago=3),
    art("oil2", "Markets calm", "Traders said oil was steady and prices unchanged.", days_ago=40),
    art("opec", "OPEC meets in Vienna", "OPEC ministers discussed output quotas and oil."),
    art("wheat", "Wheat harvest record", "Farmers expect a record wheat crop this year."),
    art("gold", "Gold hits high", "Gold rose to a record as investors sought safety."),
    art("gov", "Government budget plan", "The government unveiled its budget for next year."),
    art("elec", "Election campaign opens", "Parties opened the election campaign on Monday."),
    art("tech", "Technology shares jump", "Technology companies led the market higher."),
    art("cafe", "Café culture", "Paris cafés reopen as tourists return.", source="BBC News"),
    art(
        "film",
        "Film festival opens",
        "The film festival opened with a premiere.",
        source="BBC News",
    ),
    art("ru1", "Выборы президента", "Итоги выборов президента объявят в понедельник."),
    art("ru2", "Ёлка на площади", "На главной площади установили новогоднюю ёлку."),
    art("html", "Script kiddies", 'Body with <script>alert("x")</script> & oil spill <b>bold</b>.'),
    art(
        "old",
        "Cold war history",
        "Historians revisited the cold war archives.",
        days_ago=2000,
    ),
]


@pytest.fixture
def corpus() -> FakeStore:
    return FakeStore(list(CORPUS))


@pytest.fixture
def service(tmp_path: Path, corpus: FakeStore) -> Iterator[SearchService]:
    svc = SearchService(corpus, tmp_path / "index", clock=lambda: NOW)
    svc.initialize()
    yield svc
    svc.shutdown()


def ids(service: SearchService, query: str, **kw: object) -> list[str]:
    return [h.article.id for h in service.search(query, **kw).hits]  # type: ignore[arg-type]
