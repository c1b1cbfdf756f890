"""The brief writer's tests: articles and stories of one event, clocks the test moves, and a
writer on a local OpenAI-compatible server (the clocks and open_writer fixtures)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.briefs.writer import BriefWriter, WriterSettings
from bot.models import Article, Story
from tests.llmserver import FakeModel

WHEN = datetime(2022, 9, 21, 12, tzinfo=UTC)
KEY = "sk-test-0123456789abcdef"


def article(n: int, source: str, title: str, body: str) -> Article:
    return Article(
        id=f"a{n}",
        title=title,
        body=body,
        published=WHEN - timedelta(hours=n),
        added=WHEN,
        url=f"https://{source.lower()}.example/{n}",
        source=source,
        lang="en",
    )


ARTICLES = (
    article(
        1,
        "Reuters",
        "Putin orders partial mobilisation",
        "Russian President Vladimir Putin ordered the mobilisation of 300,000 reservists on "
        "Wednesday, the biggest call-up since the Second World War.",
    ),
    article(
        2,
        "AP",
        "Russia calls up 300,000 reservists",
        "Defence Minister Sergei Shoigu said 300,000 reservists with combat experience would "
        "be called up after Putin's order.",
    ),
    article(
        3,
        "BBC",
        "Protesters detained across Russia",
        "Police detained more than 1,300 protesters in 38 cities after the announcement, "
        "the monitoring group OVD-Info said.",
    ),
)


def story(articles: tuple[Article, ...] = ARTICLES, story_id: str = "s1") -> Story:
    return Story(
        id=story_id,
        headline=articles[0].title,
        articles=articles,
        best=articles[0],
        sources=tuple(a.source or "" for a in articles),
        first_seen=WHEN,
        last_updated=WHEN,
        size=len(articles),
        source_count=len({a.source for a in articles}),
    )


GOOD = (
    "Vladimir Putin ordered the mobilisation of 300,000 reservists [1][2]. "
    "Police detained more than 1,300 protesters in 38 cities [3]."
)


class Clocks:
    """A monotonic clock and a UTC day that move only when a test moves them."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.day = date(2022, 9, 21)

    def clock(self) -> float:
        return self.now

    def today(self) -> date:
        return self.day


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


@pytest.fixture
async def open_writer(clocks: Clocks) -> AsyncIterator[Callable[..., BriefWriter]]:
    writers: list[BriefWriter] = []

    def make(model: FakeModel, **settings: object) -> BriefWriter:
        writer = BriefWriter(
            WriterSettings(model.url, "test-model", KEY, **settings),  # type: ignore[arg-type]
            clock=clocks.clock,
            today=clocks.today,
        )
        writers.append(writer)
        return writer

    yield make
    for writer in writers:
        await writer.shutdown()


async def started(writer: BriefWriter) -> BriefWriter:
    await writer.initialize()
    return writer
