"""The article store's contract, one suite over both backends: segment files and PostgreSQL.

Every service talks to `ArticleStoreLike` (bot/archive/protocol.py); these behaviours are
what they rely on, so both backends must show them alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.archive.entries import StoreReadOnly
from bot.archive.protocol import ArticleStoreLike
from bot.archive.records import to_micros
from bot.archive.store import ArticleStore
from bot.models import Article, ArticleDraft
from bot.pg.articles import PgArticleStore
from bot.pg.database import Database
from tests.conftest import FakeClock, draft

Opener = Callable[..., ArticleStoreLike]


@pytest.fixture(params=["tinydb", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def open_store(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock
) -> Iterator[Opener]:
    """Open a store on the test's one storage: each call is a restart (or another process)."""
    opened: list[ArticleStoreLike] = []
    pools: list[Database] = []
    url = request.getfixturevalue("pg_url") if backend == "postgresql" else ""

    def opener(**kw: object) -> ArticleStoreLike:
        store: ArticleStoreLike
        if backend == "tinydb":
            store = ArticleStore(tmp_path, clock=clock, **kw)  # type: ignore[arg-type]
        else:
            pools.append(Database(url, max_size=2))
            pools[-1].open()
            store = PgArticleStore(pools[-1], clock=clock, **kw)  # type: ignore[arg-type]
        store.initialize()
        opened.append(store)
        return store

    yield opener
    for store in opened:
        store.shutdown()
    for pool in pools:
        pool.close()


@pytest.fixture
def store(open_store: Opener) -> ArticleStoreLike:
    return open_store()


def test_a_batch_is_stored_and_survives_reopening(
    store: ArticleStoreLike, open_store: Opener
) -> None:
    result = store.add_many(draft(n) for n in range(10))
    assert len(result.added) == 10 and result.duplicates == 0
    again = open_store()
    assert len(again) == 10
    assert again.get(result.added[3].id) == result.added[3]
    assert again.get("no-such-id") is None
    wanted = [result.added[5].id, "no-such-id", result.added[1].id]
    assert again.get_many(wanted) == [result.added[5], None, result.added[1]]
    assert [a.id for a in again] == [a.id for a in result.added]  # arrival order


def test_duplicates_by_url_guid_content_and_id(store: ArticleStoreLike) -> None:
    first = store.add_many([draft(1), draft(2, guid="g-2"), draft(3, id="keep-me")]).added
    assert [a.id for a in first][2] == "keep-me"
    dupes = [
        draft(10, url="HTTPS://NEWS.example.com/story/1?utm_source=x#frag"),  # same canonical URL
        draft(11, guid="g-2"),  # same feed GUID
        draft(12, url="https://other.example/x", title="STORY number 1!", body=draft(1).body),
        draft(13, id="keep-me"),  # same id
        draft(14),
        draft(14),  # twice in one batch
    ]
    result = store.add_many(dupes)
    assert result.duplicates == 5 and [a.title for a in result.added] == ["Story number 14"]
    assert store.add(draft(14)) is None and len(store) == 4


def test_latest_is_newest_published_first_with_paging(store: ArticleStoreLike) -> None:
    store.add_many(draft(n) for n in (3, 1, 4, 2))
    assert [a.title[-1] for a in store.latest(3)] == ["4", "3", "2"]
    assert [a.title[-1] for a in store.latest(3, offset=3)] == ["1"]
    assert store.latest(3, offset=10) == []


def test_added_since_follows_arrival_not_publication(
    store: ArticleStoreLike, clock: FakeClock
) -> None:
    store.add_many([draft(1)])
    mark = clock()
    clock.advance(minutes=1)
    late = store.add_many([draft(0)]).added  # published earlier, arrived later
    assert store.added_since(mark) == late
    assert [a.body for a in store.added_since(mark)] == [late[0].body]  # read on use


def test_find_by_url_compares_canonical_forms(store: ArticleStoreLike) -> None:
    [stored] = store.add_many([draft(1, url="https://news.example.com/a?b=2&a=1")]).added
    found = store.find_by_url("HTTPS://news.example.com/a?a=1&b=2&utm_medium=x#top")
    assert found == stored
    assert store.find_by_url("https://news.example.com/other") is None
    assert store.find_by_url("not a url") is None


def test_retention_counts_from_arrival_and_tells_removal_listeners(
    open_store: Opener, clock: FakeClock
) -> None:
    store = open_store(retention_days=2)
    heard: list[list[str]] = []
    store.add_removal_listener(heard.append)
    old = store.add_many([draft(1), draft(2)]).added
    clock.advance(days=3)
    fresh = store.add_many([draft(3)]).added
    assert store.prune() == 2 and store.prune() == 0
    assert sorted(heard[0]) == sorted(a.id for a in old) and len(heard) == 1
    assert [a.id for a in store.latest(10)] == [fresh[0].id]
    assert store.get(old[0].id) is None
    assert store.add_many([draft(1)]).added, "a pruned article may come back"
    assert len(open_store()) == 2


def test_retention_zero_keeps_everything(open_store: Opener, clock: FakeClock) -> None:
    store = open_store(retention_days=0)
    store.add_many([draft(1)])
    clock.advance(days=10_000)
    assert store.prune() == 0 and len(store) == 1


def test_listeners_hear_each_committed_batch(store: ArticleStoreLike) -> None:
    heard: list[list[Article]] = []
    store.add_listener(heard.append)
    store.add_many([draft(1), draft(2)])
    store.add_many([draft(1)])  # nothing new: nobody is called
    assert [[a.title for a in batch] for batch in heard] == [["Story number 1", "Story number 2"]]
    assert store.catch_up() == 0 and len(heard) == 1  # nothing came from elsewhere


def test_readers_see_the_data_but_cannot_write(store: ArticleStoreLike, open_store: Opener) -> None:
    store.add_many([draft(1)])
    reader = open_store(readonly=True)
    assert len(reader) == 1
    with pytest.raises(StoreReadOnly):
        reader.add_many([draft(2)])
    assert reader.prune() == 0


def test_shared_ids_and_light_answer_from_memory(store: ArticleStoreLike, clock: FakeClock) -> None:
    first = store.add_many([draft(1), draft(2)]).added
    clock.advance(hours=1)
    [later] = store.add_many([draft(3)]).added
    shared = store.shared_ids([later.id, "no-such-id"])
    assert shared == [later.id, None]
    keys = store.light([later.id, "no-such-id", first[0].id], "added", "published", "id")
    assert [k[2] for k in sorted(keys)] == [first[0].id, later.id]  # the unknown id is left out
    assert keys[0][:2] == (to_micros(later.added), to_micros(later.published))
    assert store.light([first[1].id], "title", "lang") == [(first[1].title, first[1].lang)]
    assert store.light([first[1].id], "source", "id") == [("Example News", first[1].id)]


def test_a_nul_byte_anywhere_in_a_draft_is_dropped_and_the_batch_kept(
    store: ArticleStoreLike, open_store: Opener
) -> None:
    # PostgreSQL's text columns refuse NUL: without the draft dropping it, this batch failed
    # whole there and was kept on files.
    nul = ArticleDraft(
        title="Quake\x00 hits the coast",
        body="A strong earthquake \x00struck the coast on Monday. " * 3,
        url="https://example.com/quake\x00-1",
        source="Wire\x00",
        guid="g\x00-1",
    )
    result = store.add_many([nul, draft(2)])
    assert len(result.added) == 2
    [kept] = [a for a in open_store() if a.id == result.added[0].id]
    assert kept.title == "Quake hits the coast" and "\x00" not in kept.body
    assert kept.source == "Wire" and kept.guid == "g-1"
