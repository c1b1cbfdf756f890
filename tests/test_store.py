"""The article store: batches, dedup, order, arrival cursor, retention, schema, readers and the lock."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from bot.archive.lock import DataDirLock, DataDirLocked
from bot.archive.records import SCHEMA_VERSION, SchemaError, to_micros
from bot.archive.segments import SEGMENT_GLOB
from bot.archive.store import SEGMENT_CAPACITY, ArticleStore, StoreReadOnly
from bot.models import Article
from tests.conftest import FakeClock, draft


def reopen(path: Path, clock: FakeClock, **kw: object) -> ArticleStore:
    s = ArticleStore(path, clock=clock, **kw)  # type: ignore[arg-type]
    s.initialize()
    return s


def test_a_batch_is_stored_and_survives_reopening(
    store: ArticleStore, tmp_path: Path, clock: FakeClock
) -> None:
    result = store.add_many(draft(n) for n in range(10))
    assert len(result.added) == 10 and result.duplicates == 0
    again = reopen(tmp_path, clock)
    assert len(again) == 10
    assert again.get(result.added[3].id) == result.added[3]


def test_duplicates_by_url_guid_content_and_id(store: ArticleStore) -> None:
    first = store.add_many([draft(1), draft(2, guid="g-2"), draft(3, id="keep-me")]).added
    assert [a.id for a in first][2] == "keep-me"
    dupes = [
        draft(10, url="HTTPS://NEWS.example.com/story/1?utm_source=x#frag"),  # same canonical URL
        draft(11, guid="g-2"),  # same feed GUID
        draft(
            12, url="https://other.example/x", title="STORY number 1!", body=draft(1).body
        ),  # same text
        draft(13, id="keep-me"),  # same id
        draft(14),
        draft(14),  # twice in one batch
    ]
    result = store.add_many(dupes)
    assert result.duplicates == 5 and [a.title for a in result.added] == ["Story number 14"]


def test_latest_is_newest_published_first_with_paging(store: ArticleStore) -> None:
    store.add_many(draft(n) for n in (3, 1, 4, 2))
    assert [a.title[-1] for a in store.latest(3)] == ["4", "3", "2"]
    assert [a.title[-1] for a in store.latest(3, offset=3)] == ["1"]
    assert store.latest(3, offset=10) == []


def test_added_since_follows_arrival_not_publication(store: ArticleStore, clock: FakeClock) -> None:
    store.add_many([draft(1)])
    mark = clock()
    clock.advance(minutes=1)
    late = store.add_many([draft(0)]).added  # published earlier, arrived later
    assert store.added_since(mark) == late


def test_missing_date_falls_back_to_arrival_and_language_is_detected(store: ArticleStore) -> None:
    art = store.add_many(
        [draft(1, published=None, title="Новости дня", body="Привет, мир.")]
    ).added[0]
    assert art.published == art.added and art.lang == "ru"


def test_one_write_per_segment_and_segments_stay_bounded(
    store: ArticleStore, tmp_path: Path
) -> None:
    store.add_many(draft(n) for n in range(SEGMENT_CAPACITY + 5))
    files = sorted((tmp_path / "articles").glob(SEGMENT_GLOB))
    assert len(files) == 2
    sizes = [len(orjson.loads(f.read_bytes())["articles"]) for f in files]
    assert sizes == [SEGMENT_CAPACITY, 5]


def test_retention_counts_from_arrival(tmp_path: Path, clock: FakeClock) -> None:
    s = reopen(tmp_path, clock, retention_days=2)
    old = s.add_many([draft(1), draft(2)]).added
    clock.advance(days=3)
    fresh = s.add_many([draft(3)]).added
    assert s.prune() == 2
    assert [a.id for a in s.latest(10)] == [fresh[0].id]
    assert s.get(old[0].id) is None
    assert s.add_many([draft(1)]).added, "a pruned article may come back"
    assert len(reopen(tmp_path, clock)) == 2


def test_retention_zero_keeps_everything(tmp_path: Path, clock: FakeClock) -> None:
    s = reopen(tmp_path, clock, retention_days=0)
    s.add_many([draft(1)])
    clock.advance(days=10_000)
    assert s.prune() == 0 and len(s) == 1


def test_listeners_hear_each_committed_batch(store: ArticleStore) -> None:
    heard: list[list[Article]] = []
    store.add_listener(heard.append)
    store.add_many([draft(1), draft(2)])
    store.add_many([draft(1)])  # nothing new: nobody is called
    assert [len(batch) for batch in heard] == [2]


def test_readers_see_the_data_but_cannot_write(
    store: ArticleStore, tmp_path: Path, clock: FakeClock
) -> None:
    store.add_many([draft(1)])
    reader = reopen(tmp_path, clock, readonly=True)
    assert len(reader) == 1
    with pytest.raises(StoreReadOnly):
        reader.add_many([draft(2)])


def test_old_schema_is_migrated_and_newer_refused(tmp_path: Path, clock: FakeClock) -> None:
    seg = tmp_path / "articles" / "segment-000001.json"
    seg.parent.mkdir(parents=True)
    doc = {
        "id": "a1", "title": "Привет", "body": "мир", "url": None, "url_key": None, "hash": "h",
        "published": "2026-01-01T00:00:00+00:00", "added": "2026-01-01T00:00:00+00:00",
        "source": None, "category": None, "guid": None,
    }  # fmt: skip
    seg.write_bytes(
        orjson.dumps({"_meta": {"1": {"schema": 1, "kind": "articles"}}, "articles": {"1": doc}})
    )
    s = reopen(tmp_path, clock)
    assert s.get("a1") is not None and s.get("a1").lang == "ru"  # type: ignore[union-attr]
    assert orjson.loads(seg.read_bytes())["_meta"]["1"]["schema"] == SCHEMA_VERSION
    seg.write_bytes(
        orjson.dumps({"_meta": {"1": {"schema": 99, "kind": "articles"}}, "articles": {}})
    )
    with pytest.raises(SchemaError, match="newer"):
        reopen(tmp_path, clock)


def test_second_writer_is_told_the_holders_pid(tmp_path: Path) -> None:
    first = DataDirLock(tmp_path)
    first.acquire()
    with pytest.raises(DataDirLocked, match=r"pid \d+"):
        DataDirLock(tmp_path).acquire()
    first.release()
    second = DataDirLock(tmp_path)
    second.acquire()
    assert second.held
    second.release()


def test_retention_tells_removal_listeners(tmp_path: Path, clock: FakeClock) -> None:
    s = reopen(tmp_path, clock, retention_days=1)
    old = s.add_many([draft(1)]).added
    heard: list[list[str]] = []
    s.add_removal_listener(heard.append)
    clock.advance(days=2)
    s.prune()
    s.prune()  # nothing left to remove: nobody is called
    assert heard == [[old[0].id]]


def test_shared_ids_answers_the_stores_own_strings_and_none_for_the_unknown(
    store: ArticleStore, tmp_path: Path, clock: FakeClock
) -> None:
    added = store.add_many(draft(n) for n in range(3)).added
    again = reopen(tmp_path, clock)  # ids parsed from the segments, not the drafts' strings
    asked = ["".join(a.id) for a in added] + ["no-such-id"]  # equal strings, other objects
    shared = again.shared_ids(asked)
    assert shared[:3] == asked[:3] and shared[3] is None
    stored = [again.get(a.id) for a in added]
    assert all(a is not None and s is a.id for s, a in zip(shared[:3], stored, strict=True))
    assert all(s is not q for s, q in zip(shared[:3], asked[:3], strict=True))


def test_light_gives_the_named_fields_of_stored_ids_and_skips_unknown_ones(
    store: ArticleStore, clock: FakeClock
) -> None:
    first = store.add_many([draft(1), draft(2)]).added
    clock.advance(hours=1)
    [later] = store.add_many([draft(3)]).added
    keys = store.light([later.id, "no-such-id", first[0].id], "added", "published", "id")
    assert [k[2] for k in sorted(keys)] == [first[0].id, later.id]  # the unknown id is left out
    assert keys[0][:2] == (to_micros(later.added), to_micros(later.published))
    assert store.light([first[1].id], "title", "lang") == [(first[1].title, first[1].lang)]
