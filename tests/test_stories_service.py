"""StoryService over a real store: retention, a torn records file, new settings, readers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.archive.store import ArticleStore
from bot.models import ArticleDraft
from bot.stories.engine import StoryEngine
from bot.stories.journal import StoryRecord
from bot.stories.restore import to_item
from bot.stories.service import CHUNK, StoryService
from bot.stories.values import EngineSettings
from tests.conftest import FakeClock

VOLCANO = [
    ("Reuters", "Volcano erupts near Grindavik in Iceland, lava flows toward town"),
    ("AP", "Iceland volcano eruption sends lava toward Grindavik"),
    ("BBC", "Grindavik evacuated as Iceland volcano erupts again"),
]
RATES = ("FT", "Central bank raises interest rates to curb inflation")


def drafts(reports: list[tuple[str, str]], clock: FakeClock) -> list[ArticleDraft]:
    return [
        ArticleDraft(
            title=title,
            body=f"{title}. Reported by {source}.",
            url=f"https://{source.lower()}.example.com/{abs(hash(title))}",
            published=clock.now - timedelta(minutes=5),
            source=source,
        )
        for source, title in reports
    ]


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[ArticleStore]:
    s = ArticleStore(tmp_path, retention_days=2, clock=clock)
    s.initialize()
    yield s
    s.shutdown()


def open_stories(store: ArticleStore, tmp_path: Path, **kw: object) -> StoryService:
    service = StoryService(store, tmp_path / "stories", **kw)  # type: ignore[arg-type]
    service.initialize()
    return service


def test_retention_shrinks_stories_and_drops_empty_ones(
    store: ArticleStore, tmp_path: Path, clock: FakeClock
) -> None:
    stories = open_stories(store, tmp_path)
    store.add_many(drafts(VOLCANO[:2], clock))
    clock.advance(days=1)
    store.add_many(drafts([VOLCANO[2], RATES], clock))
    volcano = stories.story_of(store.latest(4)[-1].id)
    assert volcano is not None and len(stories) == 2
    clock.advance(days=1, hours=12)
    assert store.prune() == 2  # the first two reports are past retention
    story = stories.story(volcano)
    assert story is not None and [a.source for a in story.articles] == ["BBC"]
    clock.advance(days=1)
    store.prune()
    assert len(stories) == 0 and stories.story(volcano) is None
    stories.shutdown()
    assert len(open_stories(store, tmp_path)) == 0  # the records file agrees


def test_a_torn_records_file_assigns_the_lost_articles_again_to_the_same_story(
    store: ArticleStore, tmp_path: Path, clock: FakeClock
) -> None:
    stories = open_stories(store, tmp_path)
    store.add_many(drafts(VOLCANO[:2], clock))
    store.add_many(drafts(VOLCANO[2:], clock))
    before = {a.id: stories.story_of(a.id) for a in store}
    stories.shutdown()
    path = tmp_path / "stories" / "stories.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])  # a crash
    again = open_stories(store, tmp_path)
    assert {a.id: again.story_of(a.id) for a in store} == before


def test_other_engine_settings_rebuild_the_stories(
    store: ArticleStore, tmp_path: Path, clock: FakeClock
) -> None:
    stories = open_stories(store, tmp_path)
    store.add_many(drafts([*VOLCANO, RATES], clock))
    assert len(stories) == 2
    stories.shutdown()
    strict = open_stories(store, tmp_path, settings=EngineSettings(threshold=0.99))
    assert len(strict) == 4  # nothing is that similar: every report alone


def test_a_readonly_service_writes_nothing(
    store: ArticleStore, tmp_path: Path, clock: FakeClock
) -> None:
    store.add_many(drafts(VOLCANO, clock))
    readonly = open_stories(store, tmp_path, readonly=True)
    assert len(readonly) == 1
    assert not (tmp_path / "stories").exists()


def test_readers_do_not_wait_for_a_big_batch(
    store: ArticleStore, tmp_path: Path, clock: FakeClock
) -> None:
    stories = open_stories(store, tmp_path)
    store.add_many(drafts(VOLCANO, clock))
    [volcano] = {stories.story_of(a.id) for a in store}
    assert volcano is not None
    batch = [
        ArticleDraft(title=f"Report {n} on topic {n}", body=f"Words {n}.", published=clock.now)
        for n in range(3 * CHUNK)
    ]
    # Hold the engine in the middle of the batch's second chunk, as a slow assign would.
    in_engine, release = threading.Event(), threading.Event()
    assign = stories._engine.assign
    calls = 0

    def slow_assign(item: object, analysis: object = None) -> str:
        nonlocal calls
        calls += 1
        if calls == CHUNK + 5:
            in_engine.set()
            release.wait(10)
        return assign(item, analysis)  # type: ignore[arg-type]

    stories._engine.assign = slow_assign  # type: ignore[method-assign]
    writer = threading.Thread(target=store.add_many, args=(batch,))
    writer.start()
    assert in_engine.wait(10)
    answers: list[object] = []
    reader = threading.Thread(
        target=lambda: answers.extend(
            [stories.story(volcano), stories.top(clock.now, timedelta(days=1))]
        )
    )
    reader.start()
    reader.join(5)
    finished = not reader.is_alive()
    release.set()
    writer.join(10)
    reader.join(5)
    assert finished, "a reader waited for the writer's batch"
    story, top = answers
    assert story is not None and top  # the first chunk was already visible
    assert len(store) == 3 + 3 * CHUNK
    assert all(stories.story_of(a.id) for a in store)  # every chunk was assigned


def test_the_headline_is_in_the_chats_language_when_the_story_has_one(
    store: ArticleStore, tmp_path: Path, clock: FakeClock
) -> None:
    stories = open_stories(store, tmp_path)
    english = "Apple unveils iPhone 17 at Cupertino event on 9 September 2026"
    russian = "Apple представила iPhone 17 в Cupertino 9 сентября 2026 года"
    at = clock() - timedelta(hours=1)  # dated, as feed entries are: undated ones need more text
    store.add_many(
        [
            ArticleDraft(english, english, "https://en.example/1", published=at, source="EN"),
            ArticleDraft(russian, russian, "https://ru.example/1", published=at, source="RU"),
        ]
    )
    ids = {stories.story_of(a.id) for a in store}
    assert len(ids) == 1  # names and numbers carry the match across languages
    [story_id] = ids
    assert story_id is not None
    ru, en = stories.story(story_id, lang="ru"), stories.story(story_id, lang="en")
    assert ru is not None and ru.headline == russian and ru.best.title == russian
    assert en is not None and en.headline == english
    default = stories.story(story_id, lang="de")  # no German article: the overall headline
    assert default is not None and default.headline in (english, russian)


def test_a_batch_that_brings_many_reports_chooses_the_headline_again(
    store: ArticleStore, tmp_path: Path, clock: FakeClock
) -> None:
    stories = open_stories(store, tmp_path)
    store.add_many(drafts([VOLCANO[0]], clock))
    again = "Grindavik evacuated as Iceland volcano erupts again"
    store.add_many(drafts([(f"Outlet {n}", again) for n in range(24)], clock))
    ids = {stories.story_of(a.id) for a in store}
    assert len(ids) == 1 and len(store) == 25
    [story_id] = ids
    assert story_id is not None
    view = stories.story(story_id)
    # 24 of its 25 reports carry the new headline: a batch that big is no 1 in 10 to skip.
    assert view is not None and view.headline == again


def test_a_headline_is_chosen_again_per_ten_members_however_they_come() -> None:
    record = StoryRecord("s", [f"a{n}" for n in range(25)], headline="Volcano erupts")
    assert record.headline_due(24) and record.headline_due(6)  # from 1, from 19: a ten crossed
    assert not record.headline_due(5)  # from 20 to 25
    assert StoryRecord("s", [f"a{n}" for n in range(25)]).headline_due(1)  # none yet
    assert StoryRecord("s", ["a"], headline="Volcano erupts").headline_due(1)  # small


class CountingList(list[str]):
    """A members list that counts how often it is walked (iterated, searched or removed from)."""

    passes = 0

    def __iter__(self) -> Iterator[str]:
        self.passes += 1
        return super().__iter__()

    def __contains__(self, item: object) -> bool:
        self.passes += 1
        return super().__contains__(item)

    def remove(self, item: str) -> None:
        self.passes += 1
        super().remove(item)


def test_dropping_many_members_of_a_big_story_walks_its_list_once() -> None:
    members = CountingList(f"a{n}" for n in range(10_000))
    record = StoryRecord("s", members)
    gone = {f"a{n}" for n in range(0, 10_000, 2)} | {"not-a-member"}
    assert record.drop(gone)
    assert members.passes == 1  # one `remove` each would walk it 5,000 times
    assert record.members == [f"a{n}" for n in range(1, 10_000, 2)]  # arrival order kept
    assert not record.drop({"a0", "nope"})  # nothing left to drop: unchanged


def test_a_big_batch_and_a_rebuild_make_the_stories_one_engine_makes(
    store: ArticleStore, tmp_path: Path, clock: FakeClock
) -> None:
    """1,200 articles in one batch (analysed ahead in a second process) cluster as in one engine."""
    topics = [title for _, title in [*VOLCANO, RATES]]
    batch = [
        ArticleDraft(
            title=f"{topics[n % 4]} ({n})",
            body=f"{topics[n % 4]}. Update {n // 4} from desk {n % 7}.",
            url=f"https://news.example.com/{n}",
            published=clock.now - timedelta(minutes=1200 - n),
            source=f"outlet{n % 9}",
        )
        for n in range(1200)
    ]
    stories = open_stories(store, tmp_path)
    store.add_many(batch)
    engine = StoryEngine(stories.settings)
    expected = {a.id: engine.assign(to_item(a)) for a in store}
    assert {a.id: stories.story_of(a.id) for a in store} == expected
    assert len(set(expected.values())) > 1
    assert stories.rebuild() == len(set(expected.values()))
    assert {a.id: stories.story_of(a.id) for a in store} == expected
