"""PgArticleStore across processes: each one sees what the others add and prune, once."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from bot.models import Article
from bot.pg.articles import PgArticleStore
from bot.pg.database import Database
from tests.conftest import FakeClock, draft


@pytest.fixture
def pair(pg_url: str, clock: FakeClock) -> Iterator[tuple[PgArticleStore, PgArticleStore]]:
    """Two stores on one database, each with its own pool: two bot processes."""
    pools = [Database(pg_url, max_size=2) for _ in range(2)]
    stores = []
    for pool in pools:
        pool.open()
        store = PgArticleStore(pool, clock=clock, retention_days=1)
        store.initialize()
        stores.append(store)
    yield stores[0], stores[1]
    for pool in pools:
        pool.close()


def test_a_second_process_catches_up_on_added_and_pruned_articles(
    pair: tuple[PgArticleStore, PgArticleStore], clock: FakeClock
) -> None:
    one, two = pair
    heard: list[list[str]] = []
    removed: list[list[str]] = []
    two.add_listener(lambda batch: heard.append([a.id for a in batch]))
    two.add_removal_listener(removed.append)
    added = one.add_many([draft(1), draft(2)]).added
    assert len(two) == 0 and two.get(added[0].id) is None  # not yet taken in
    assert two.catch_up() == 2 and two.catch_up() == 0
    assert heard == [[a.id for a in added]]  # once, in arrival order
    assert two.get(added[1].id) == added[1] and two.latest(1)[0].id == added[1].id
    clock.advance(days=2)
    assert one.prune() == 2
    assert two.catch_up() == 2 and removed == [[a.id for a in added]] and len(two) == 0


def test_a_writer_takes_in_the_others_articles_before_its_own(
    pair: tuple[PgArticleStore, PgArticleStore],
) -> None:
    one, two = pair
    heard: list[list[str]] = []
    two.add_listener(lambda batch: heard.append([a.title for a in batch]))
    one.add_many([draft(1)])
    result = two.add_many([draft(1), draft(2)])  # draft 1 is the other's: a duplicate here
    assert result.duplicates == 1 and [a.title for a in result.added] == ["Story number 2"]
    assert heard == [["Story number 1"], ["Story number 2"]]
    assert len(two) == 2 and one.catch_up() == 1 and len(one) == 2


def test_two_processes_adding_one_article_at_once_store_it_once(
    pair: tuple[PgArticleStore, PgArticleStore],
) -> None:
    results: list[list[Article]] = []
    start = threading.Barrier(2)

    def add(store: PgArticleStore) -> None:
        start.wait()
        results.append(store.add_many([draft(n) for n in range(20)]).added)

    threads = [threading.Thread(target=add, args=(store,)) for store in pair]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(len(added) for added in results) == [0, 20]
    for store in pair:
        store.catch_up()
        assert len(store) == 20
