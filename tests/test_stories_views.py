"""Big stories: a ranking reads no article, a view reads only the newest ones a user is shown."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import render
from bot.archive.store import ArticleStore
from bot.digests.contents import compose
from bot.digests.records import Subscription
from bot.i18n import Translator
from bot.models import ArticleDraft, RankedStory, Story
from bot.search import SearchService
from bot.stories.service import StoryService
from bot.stories.views import VIEW_ARTICLES
from bot.summarize.story import articles_once
from tests.conftest import FakeClock
from tests.test_stories_service import RATES, VOLCANO, drafts, open_stories
from tests.test_stories_startup import CountingStore

REPORTS = 40  # more than a view keeps


def volcano_reports(clock: FakeClock) -> list[ArticleDraft]:
    """Return REPORTS reports of one eruption over REPORTS minutes; every fifth has no source."""
    return [
        ArticleDraft(
            title=VOLCANO[n % 3][1],
            body=f"{VOLCANO[n % 3][1]}. Report number {n}.",
            url=f"https://news.example/volcano/{n}",
            published=clock.now - timedelta(minutes=REPORTS - n),
            source=None if n % 5 == 4 else f"Outlet {n % 8}",
        )
        for n in range(REPORTS)
    ]


@pytest.fixture
def counting(tmp_path: Path, clock: FakeClock) -> Iterator[CountingStore]:
    """A store of the forty volcano reports and one rates report, counting what is built."""
    store = ArticleStore(tmp_path, retention_days=30, clock=clock)
    store.initialize()
    rates = ArticleDraft(title=RATES[1], body=RATES[1], url="https://ft.example/1", source=RATES[0])
    store.add_many([*volcano_reports(clock), rates])
    yield CountingStore(store)
    store.shutdown()


def test_a_view_keeps_the_newest_articles_and_counts_them_all(
    counting: CountingStore, tmp_path: Path
) -> None:
    stories = open_stories(counting, tmp_path)  # type: ignore[arg-type]
    [volcano] = {stories.story_of(a.id) for a in counting.store if a.source != RATES[0]}
    assert volcano is not None
    counting.read.clear()
    story = stories.story(volcano)
    assert story is not None and story.size == REPORTS
    everything = sorted(
        (a for a in counting.store if a.source != RATES[0]),
        key=lambda a: (a.published, a.id),
        reverse=True,
    )
    assert [a.id for a in story.articles] == [a.id for a in everything[:VIEW_ARTICLES]]
    assert story.first_seen == everything[-1].published  # from an article the view did not keep
    unnamed = sum(1 for a in everything if not a.source)
    assert story.source_count == len(story.sources) + unnamed == 8 + unnamed
    assert story.best.title == story.headline
    # Only the kept articles and the headline's were built, not all forty.
    assert set(counting.read) <= {a.id for a in story.articles} | {story.best.id}
    listing = "\n".join(render.story_articles(story, ZoneInfo("UTC"), tr=Translator.english()))
    assert f"…and {REPORTS - VIEW_ARTICLES} more." in listing


def test_a_ranking_reads_no_article_and_top_reads_only_what_it_shows(
    counting: CountingStore, tmp_path: Path, clock: FakeClock
) -> None:
    stories = open_stories(counting, tmp_path)  # type: ignore[arg-type]
    counting.read.clear()
    ranked = stories.rank(clock.now, timedelta(days=1))
    assert counting.read == []
    assert len(ranked) == 2 and ranked[0].source_count == 8 + REPORTS // 5
    [rates_id] = {stories.story_of(a.id) for a in counting.store if a.source == RATES[0]}
    assert ranked[1].id == rates_id  # one source ranks below many
    [top] = stories.top(clock.now, timedelta(days=1), limit=1)
    assert top.id == ranked[0].id and top.score == ranked[0].score
    assert rates_id not in {stories.story_of(a) for a in counting.read}


class Viewing:
    """The real story service, noting which stories a caller had read as views."""

    def __init__(self, stories: StoryService) -> None:
        self.stories = stories
        self.viewed: list[str] = []
        self.version = stories.version

    def rank(self, now: datetime, period: timedelta, **kw: Any) -> list[RankedStory]:
        return self.stories.rank(now, period, **kw)

    def views(self, ranking: Iterable[RankedStory], *, lang: str | None = None) -> list[Story]:
        ranking = list(ranking)
        self.viewed += [r.id for r in ranking]
        return self.stories.views(ranking, lang=lang)


def test_a_digest_reads_only_the_stories_it_shows(
    counting: CountingStore, tmp_path: Path, clock: FakeClock
) -> None:
    stories = open_stories(counting, tmp_path)  # type: ignore[arg-type]
    search = SearchService(counting.store, tmp_path / "index")
    search.initialize()
    viewing = Viewing(stories)
    sub = Subscription("s1", 7, "", 8, 0, "UTC", clock.now - timedelta(days=2))
    digest = compose(7, [sub], counting.store, search, viewing, clock.now, cap=1)
    [section] = digest.sections
    assert len(viewing.viewed) == 1 and section.more == 1  # two stories new, one shown
    assert [i.story.id for i in section.items] == viewing.viewed
    assert section.items[0].story.size == REPORTS
    search.shutdown()


def test_a_story_read_from_disk_summarises_each_article_once(
    tmp_path: Path, clock: FakeClock
) -> None:
    store = ArticleStore(tmp_path, retention_days=30, clock=clock)
    store.initialize()
    open_stories(store, tmp_path)
    store.add_many(drafts(VOLCANO, clock))
    # Nothing cached: every read builds a new lazy article, as after a restart.
    cold = ArticleStore(tmp_path, retention_days=30, clock=clock, cache_size=0, readonly=True)
    cold.initialize()
    stories = StoryService(cold, tmp_path / "stories", readonly=True)  # type: ignore[arg-type]
    stories.initialize()
    [story_id] = {stories.story_of(a.id) for a in cold}
    story = stories.story(story_id) if story_id else None
    assert story is not None and any(a is story.best for a in story.articles)
    picked = articles_once(story)
    assert picked[0] is story.best and len({a.id for a in picked}) == len(picked) == 3
