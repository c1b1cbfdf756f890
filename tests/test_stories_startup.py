"""Opening the stories at a million articles: no article read when nothing changed, old files read."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from bot.archive.store import ArticleStore
from bot.models import Article
from bot.stories import startup
from bot.stories.service import StoryService
from tests.conftest import FakeClock
from tests.test_stories_service import drafts

VOLCANO = [
    ("Reuters", "Volcano erupts near Grindavik in Iceland, lava flows toward town"),
    ("AP", "Iceland volcano eruption sends lava toward Grindavik"),
    ("BBC", "Grindavik evacuated as Iceland volcano erupts again"),
]
RATES = [
    ("FT", "Central bank raises interest rates to curb inflation"),
    ("WSJ", "Central bank raises rates again as inflation persists"),
]


class CountingStore:
    """The real store, noting every article read (`get`), light fields asked, full scan."""

    def __init__(self, store: ArticleStore) -> None:
        self.store = store
        self.read: list[str] = []
        self.peeked: list[str] = []
        self.scans = 0

    def light(
        self, article_ids: Iterable[str], first: str, second: str, *more: str
    ) -> list[tuple[Any, ...]]:
        ids = list(article_ids)
        self.peeked += ids
        return self.store.light(ids, first, second, *more)

    def get(self, article_id: str) -> Article | None:
        self.read.append(article_id)
        return self.store.get(article_id)

    def __iter__(self) -> Iterator[Article]:
        self.scans += 1
        return iter(self.store)

    def __len__(self) -> int:
        return len(self.store)

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)


def open_store(tmp_path: Path, clock: FakeClock) -> ArticleStore:
    store = ArticleStore(tmp_path, retention_days=2, clock=clock)
    store.initialize()
    return store


def open_stories(store: object, tmp_path: Path) -> StoryService:
    service = StoryService(store, tmp_path / "stories")  # type: ignore[arg-type]
    service.initialize()
    return service


@pytest.fixture
def built(tmp_path: Path, clock: FakeClock) -> dict[str, str | None]:
    """Volcano reports on day 0 and day 1, rates news on day 1; return article -> story."""
    store = open_store(tmp_path, clock)
    stories = open_stories(store, tmp_path)
    store.add_many(drafts(VOLCANO[:2], clock))
    clock.advance(days=1)
    store.add_many(drafts([VOLCANO[2], *RATES], clock))
    assert len(stories) == 2
    stories.shutdown()
    store.shutdown()
    return {a.id: stories.story_of(a.id) for a in store}


def test_an_unchanged_store_opens_the_stories_without_reading_an_article(
    built: dict[str, str | None], tmp_path: Path, clock: FakeClock
) -> None:
    counting = CountingStore(open_store(tmp_path, clock))
    stories = open_stories(counting, tmp_path)
    assert counting.read == [] and counting.scans == 0
    assert {a: stories.story_of(a) for a in built} == built
    newest = max(a.published for a in counting.store)
    assert stories.newest() == newest  # the stories' newest times came from the file
    assert len(stories.top(clock.now, timedelta(days=1))) == 2


def test_articles_lost_while_closed_are_dropped_reading_only_their_stories(
    built: dict[str, str | None], tmp_path: Path, clock: FakeClock
) -> None:
    clock.advance(days=1, hours=12)
    store = open_store(tmp_path, clock)
    assert store.prune() == 2  # the first two volcano reports, with no story service listening
    bbc = next(a for a in store if a.source == "BBC")
    counting = CountingStore(store)
    stories = open_stories(counting, tmp_path)
    assert counting.read == []  # no article is built: the light fields say enough
    assert set(counting.peeked) == {bbc.id}  # the volcano story's one survivor, nothing else
    volcano = stories.story_of(bbc.id)
    assert volcano is not None and volcano == built[bbc.id]
    story = stories.story(volcano)
    assert story is not None and [a.source for a in story.articles] == ["BBC"]
    assert stories.newest() == max(a.published for a in store)


def _as_format_1(path: Path, headline: str) -> None:
    """Rewrite a stories file as main wrote it before format 2: no `t`, header format 1."""
    lines = path.read_bytes().splitlines()
    header = orjson.loads(lines[0]) | {"format": 1}
    records = []
    for line in lines[1:]:
        doc = orjson.loads(line)
        assert "t" in doc  # format 2 keeps each story's newest time
        del doc["t"]
        records.append(doc | {"h": headline})
    path.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in [header, *records]))


def test_a_format_1_stories_file_is_read_then_rewritten_as_format_2(
    built: dict[str, str | None], tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "stories" / "stories.jsonl"
    _as_format_1(path, "Kept from the old file")
    store = open_store(tmp_path, clock)
    stories = open_stories(store, tmp_path)
    assert {a: stories.story_of(a) for a in built} == built
    [story_id, *_] = {s for s in built.values() if s}
    story = stories.story(story_id)
    assert story is not None and story.headline == "Kept from the old file"  # read, not rebuilt
    assert stories.newest() == max(a.published for a in store)
    assert len(stories.top(clock.now, timedelta(days=1))) == 2
    lines = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    assert lines[0]["format"] == 2 and all(isinstance(d["t"], int) for d in lines[1:])


def test_the_warm_up_reads_only_the_articles_of_stories_still_open(
    tmp_path: Path, clock: FakeClock
) -> None:
    store = ArticleStore(tmp_path, retention_days=0, clock=clock)
    store.initialize()
    stories = open_stories(store, tmp_path)
    store.add_many(drafts(RATES, clock))
    clock.advance(days=10)  # past the engine's 2-day window: the rates story is closed
    store.add_many(drafts(VOLCANO[:2], clock))
    stories.shutdown()
    counting = CountingStore(store)
    again = open_stories(counting, tmp_path)
    again.warm_up()
    volcano = {a.id for a in store if a.source in ("Reuters", "AP")}
    assert set(counting.read) == volcano
    store.add_many(drafts(VOLCANO[2:], clock))
    bbc = next(a for a in store if a.source == "BBC")
    assert again.story_of(bbc.id) == again.story_of(next(iter(volcano)))  # the window is back


def test_a_first_build_assigns_articles_as_it_reads_them(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(startup, "BUILD_CHUNK", 2)
    store = open_store(tmp_path, clock)
    store.add_many(drafts([*VOLCANO, *RATES], clock))  # no story service yet: a first build
    first = next(iter(store)).id
    seen: list[bool] = []  # was the first article assigned when the next one was read?

    class Reading(CountingStore):
        def __iter__(self) -> Iterator[Article]:
            for article in self.store:
                seen.append(stories.story_of(first) is not None)
                yield article

    stories = StoryService(Reading(store), tmp_path / "stories")  # type: ignore[arg-type]
    stories.initialize()
    # The next chunk is read (and sent to the analysis worker) before this one is assigned:
    # two chunks at most are held, so a million bodies are never held at once.
    assert seen == [False, False, False, False, True]
    assert len(stories) == 2
