"""The schema-3 store: bodies off the heap, one writer thread beside readers, the key index."""

from __future__ import annotations

import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from bot.archive.entries import ArticleCache, Entry
from bot.archive.keyindex import KeyIndex
from bot.archive.lazy import StoredArticle
from bot.archive.segments import Segment
from bot.archive.store import ArticleStore
from bot.models import Article, ArticleDraft
from tests.conftest import FakeClock


def test_opening_reads_no_body(tmp_path: Path, clock: FakeClock) -> None:
    store = ArticleStore(tmp_path, clock=clock, retention_days=0)
    store.initialize()
    store.add_many(
        ArticleDraft(title=f"Item {n}", body=f"Body {n}", url=f"https://ex.org/{n}")
        for n in range(30)
    )
    records = next((tmp_path / "articles").glob("*.jsonl"))
    records.write_bytes(b"\0" * records.stat().st_size)  # same size, nothing parseable
    reopened = ArticleStore(tmp_path, clock=clock, retention_days=0)
    reopened.initialize()
    assert len(reopened) == 30


def test_bytes_a_crashed_append_left_behind_are_skipped(tmp_path: Path, clock: FakeClock) -> None:
    store = ArticleStore(tmp_path, clock=clock)
    store.initialize()
    store.add(ArticleDraft(title="First", body="one"))
    records = next((tmp_path / "articles").glob("*.jsonl"))
    with records.open("ab") as fh:
        fh.write(b'{"id": "torn", "title": "half a li')  # records written, light file never was
    reopened = ArticleStore(tmp_path, clock=clock)
    reopened.initialize()
    clock.advance(minutes=1)
    second = reopened.add(ArticleDraft(title="Second", body="two"))
    assert second is not None
    again = ArticleStore(tmp_path, clock=clock)
    again.initialize()
    assert [a.body for a in again.latest(5)] == ["two", "one"]


BATCH = 10


# Batches the writer may add during one round of reads: fewer than retention keeps (13), so
# the batch a round saw as newest is still stored when the round looks it up by URL.
AHEAD = 5


def _batch(number: int) -> list[ArticleDraft]:
    published = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=number)
    return [
        ArticleDraft(
            title=f"batch {number} item {i}",
            body=f"body of batch {number} item {i}",
            url=f"https://ex.org/{number}/{i}",
            published=published,
        )
        for i in range(BATCH)
    ]


def test_a_writer_thread_and_readers_see_only_whole_batches(
    tmp_path: Path, clock: FakeClock
) -> None:
    store = ArticleStore(tmp_path, clock=clock, retention_days=1, segment_capacity=30)
    store.initialize()
    store.add_many(_batch(0))
    done = threading.Event()
    read_once = threading.Event()  # a reader's round ended
    failures: list[BaseException] = []

    def write() -> None:
        try:
            for number in range(1, 200):
                if number % AHEAD == 0:  # wait for the end of the round under way
                    read_once.clear()
                    read_once.wait()
                clock.advance(hours=2)  # retention (a day) keeps 13 batches
                store.add_many(_batch(number))
                store.prune()
        except BaseException as exc:
            failures.append(exc)
        finally:
            done.set()

    writer = threading.Thread(target=write, daemon=True)  # a failed round leaves it waiting
    writer.start()
    reads = 0
    while not done.is_set():
        assert len(store) % BATCH == 0
        newest = store.latest(BATCH)
        assert len(newest) == BATCH and len({a.title.split()[1] for a in newest}) == 1
        assert all(a.body == f"body of {a.title}" for a in newest)
        assert len(store.added_since(datetime(2000, 1, 1, tzinfo=UTC))) % BATCH == 0
        assert all(a.body == f"body of {a.title}" for a in store)
        found = store.find_by_url(newest[0].url or "")
        assert found is not None and found.id == newest[0].id  # at most AHEAD batches later
        reads += 1
        read_once.set()
    writer.join()
    assert not failures, failures
    assert reads > 0 and len(store) == 13 * BATCH  # now, 2 h ago, …, exactly a day ago
    assert store.latest(1)[0].title.startswith("batch 199 ")


def test_get_reads_the_body_on_first_use_and_equals_the_stored_article(
    tmp_path: Path, clock: FakeClock
) -> None:
    store = ArticleStore(tmp_path, clock=clock, retention_days=0)
    store.initialize()
    added = store.add_many(
        ArticleDraft(
            title=f"Story {n}", body=f"Line one.\nLine two of {n}.", url=f"https://ex.org/{n}"
        )
        for n in range(5)
    ).added
    reopened = ArticleStore(tmp_path, clock=clock, retention_days=0, cache_size=2)
    reopened.initialize()
    lazy = [reopened.get(a.id) for a in added]
    assert all(isinstance(a, StoredArticle) for a in lazy), "nothing was read yet"
    assert lazy == added and [a.body for a in lazy] == [a.body for a in added]  # type: ignore[union-attr]
    assert {hash(a) for a in lazy} == {hash(a) for a in added}
    assert reopened.get("no-such-id") is None
    since = reopened.added_since(clock.now - timedelta(hours=1))  # a fan-out's candidates
    assert len(since) == 5 and sum(isinstance(a, StoredArticle) for a in since) == 3
    assert since == added  # the two cached were whole; the three others load their bodies now


def test_the_article_cache_keeps_the_most_recently_used() -> None:
    cache = ArticleCache(2)
    a, b, c = (
        Article(
            id=x,
            title=x,
            body=x,
            published=datetime(2026, 1, 1, tzinfo=UTC),
            added=datetime(2026, 1, 1, tzinfo=UTC),
        )
        for x in "abc"
    )
    cache.put_all([a, b])
    assert cache.get("a") == a  # a is now the most recent
    cache.put_all([c])
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (a, None, c) and len(cache) == 2


@given(
    st.lists(
        st.tuples(st.text(min_size=1, max_size=40), st.text(max_size=300)), min_size=1, max_size=8
    )
)
def test_any_text_survives_the_records_file(items: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = ArticleStore(Path(tmp), retention_days=0)
        store.initialize()
        added = store.add_many(ArticleDraft(title=t, body=b) for t, b in items).added
        reopened = ArticleStore(Path(tmp), retention_days=0)
        reopened.initialize()
        assert [(a.title, a.body) for a in reopened.latest(len(added))] == [
            (a.title, a.body) for a in store.latest(len(added))
        ]
        assert sorted(a.body for a in reopened) == sorted(a.body for a in added)


def test_the_key_index_merges_and_drops_without_losing_a_key(tmp_path: Path) -> None:
    segment = Segment(1, tmp_path / "segment-000001.json")
    entries = {
        k: Entry(f"id{k}", "t", 0, 0, None, "en", segment, 1) for k in (1, 3, 5, 7, 2**64 - 1)
    }
    index = KeyIndex([5, 1, 3], [entries[5], entries[1], entries[3]])
    index.add(2**64 - 1, entries[2**64 - 1])
    index.add(7, entries[7])
    merged = index.merged()
    assert all(merged.get(k) is e for k, e in entries.items()) and merged.get(4) is None
    smaller = merged.without({entries[3], entries[7]})
    assert (smaller.get(3), smaller.get(7), len(smaller)) == (None, None, 3)
    assert smaller.get(2**64 - 1) is entries[2**64 - 1] and index.get(3) is entries[3]


def test_a_key_index_of_unsorted_chunks_finds_every_key_and_the_first_of_equals(
    tmp_path: Path,
) -> None:
    segment = Segment(1, tmp_path / "segment-000001.json")
    entries = [Entry(f"id{n}", "t", 0, 0, None, "en", segment, 1) for n in range(5)]
    chunks = [np.array([9, 2], dtype=np.uint64), np.array([7, 2, 1], dtype=np.uint64)]
    owners = [np.array(entries[:2], dtype=object), np.array(entries[2:], dtype=object)]
    index: KeyIndex[Entry] = KeyIndex.from_arrays(chunks, owners)  # sorted at the first get
    assert [index.get(k) for k in (1, 2, 7, 9, 4)] == [
        entries[4],
        entries[1],
        entries[2],
        entries[0],
        None,
    ]
    unsorted: KeyIndex[Entry] = KeyIndex.from_arrays(chunks, owners)
    assert unsorted.merged().get(2) is entries[1] and len(unsorted.without({entries[1]})) == 4
