"""The store's light snapshot: segments as they were come from it, the others from their files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.archive.lightsnapshot import HEAD, SNAPSHOT_FILE
from bot.archive.store import ArticleStore
from tests.conftest import FakeClock, draft

CAPACITY = 4  # many segments from a few articles


def opened(path: Path, clock: FakeClock, **kw: object) -> ArticleStore:
    store = ArticleStore(path, clock=clock, segment_capacity=CAPACITY, **kw)  # type: ignore[arg-type]
    store.initialize()
    return store


def seen(store: ArticleStore) -> dict[str, object]:
    """What readers get: every article (read through its span), the orders, the dedup keys."""
    articles = list(store)
    return {
        "articles": articles,
        "latest": [a.id for a in store.latest(100)],
        "by_url": [store.find_by_url(a.url or "") for a in articles],
        "count": len(store),
    }


def from_files(path: Path, clock: FakeClock) -> dict[str, object]:
    """What a store opened without its snapshot sees (read-only: it writes none)."""
    snapshot = path / "articles" / SNAPSHOT_FILE
    kept = snapshot.read_bytes()
    snapshot.unlink()
    try:
        return seen(opened(path, clock, readonly=True))
    finally:
        snapshot.write_bytes(kept)


def test_a_closed_store_reopens_from_its_snapshot_as_it_was(
    tmp_path: Path, clock: FakeClock
) -> None:
    store = opened(tmp_path, clock)
    store.add_many(draft(n) for n in range(10))
    store.add_many(draft(n, guid=f"g-{n}") for n in range(10, 15))
    store.shutdown()
    assert (tmp_path / "articles" / SNAPSHOT_FILE).exists()
    again = opened(tmp_path, clock)
    assert again.parsed == 0
    assert seen(again) == from_files(tmp_path, clock) and again.get("nope") is None
    dupes = again.add_many([draft(3), draft(99, guid="g-12"), draft(98, url=draft(7).url)])
    assert dupes.duplicates == 3 and not dupes.added  # its keys came back too
    assert len(again.add_many([draft(20)]).added) == 1


def test_segments_written_or_pruned_after_the_snapshot_are_read_from_their_files(
    tmp_path: Path, clock: FakeClock
) -> None:
    store = opened(tmp_path, clock, retention_days=2)
    store.add_many(draft(n) for n in range(6))  # segment 1 full, 2 half
    clock.advance(days=2)
    store.add_many(draft(n) for n in range(6, 9))  # 2 full, 3 begun
    store.shutdown()
    killed = opened(tmp_path, clock, retention_days=2)
    killed.add_many(draft(n) for n in range(9, 14))  # 3 full, 4 begun
    clock.advance(days=1)
    assert killed.prune() == 6  # 1 deleted, half of 2
    # Killed: no shutdown, so the snapshot is the one from before.
    again = opened(tmp_path, clock, retention_days=2)
    assert again.parsed == 3  # 2 pruned, 3 grown, 4 new; 1 is gone
    assert seen(again) == from_files(tmp_path, clock) and len(again) == 8
    assert again.add_many([draft(10), draft(2)]).duplicates == 1  # 2 was pruned: new again


@pytest.mark.parametrize("damage", ["cut", "flip", "empty"])
def test_a_torn_or_damaged_snapshot_is_ignored(
    tmp_path: Path, clock: FakeClock, damage: str
) -> None:
    store = opened(tmp_path, clock)
    store.add_many(draft(n) for n in range(10))
    store.shutdown()
    snapshot = tmp_path / "articles" / SNAPSHOT_FILE
    raw = bytearray(snapshot.read_bytes())
    if damage == "cut":
        raw = raw[: HEAD + (len(raw) - HEAD) // 2]
    elif damage == "flip":
        raw[-5] ^= 0xFF
    else:
        raw = bytearray()
    expected = from_files(tmp_path, clock)
    snapshot.write_bytes(bytes(raw))
    again = opened(tmp_path, clock, readonly=True)
    assert seen(again) == expected and again.parsed == 3


def test_a_store_from_before_snapshots_opens_and_writes_one_on_close(
    tmp_path: Path, clock: FakeClock
) -> None:
    store = opened(tmp_path, clock)
    store.add_many(draft(n) for n in range(10))
    (tmp_path / "articles" / SNAPSHOT_FILE).unlink(missing_ok=True)  # today's main wrote none
    again = opened(tmp_path, clock)
    expected = seen(again)
    assert not (tmp_path / "articles" / SNAPSHOT_FILE).exists()  # written at close
    again.shutdown()
    third = opened(tmp_path, clock)
    assert third.parsed == 0 and seen(third) == expected == from_files(tmp_path, clock)


def test_a_copy_that_keeps_modification_times_opens_from_the_snapshot(
    tmp_path: Path, clock: FakeClock
) -> None:
    store = opened(tmp_path / "a", clock)
    store.add_many(draft(n) for n in range(10))
    store.shutdown()
    shutil.copytree(tmp_path / "a", tmp_path / "b")  # as the benchmarks and `cp -a` copy
    copy = opened(tmp_path / "b", clock)
    assert copy.parsed == 0 and seen(copy) == from_files(tmp_path / "a", clock)
