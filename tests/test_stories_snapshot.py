"""The stories file's snapshot: used when it is the file's own, ignored (and rewritten) otherwise."""

from __future__ import annotations

import marshal
import zlib
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

import orjson
import pytest

from bot.archive.store import ArticleStore
from bot.stories.journal import StoryJournal, StoryRecord
from bot.stories.service import StoryService
from bot.stories.snapshot import HEAD, MAGIC, SNAPSHOT_FILE
from tests.conftest import FakeClock
from tests.test_stories_service import VOLCANO, drafts

IDENTITY = "settings-a"


def record(story_id: str, *members: str, day: int = 1) -> StoryRecord:
    found = StoryRecord(story_id, list(members), f"Headline {story_id}")
    found.last = datetime(2026, 3, day, 12, 30, 15, 123456, tzinfo=UTC)
    if len(members) > 1:
        found.copies = MappingProxyType({members[-1]: members[0]})
        found.headlines = {"ru": f"Заголовок {story_id}"}
    return found


def written(tmp_path: Path) -> StoryJournal:
    """A rewritten file (with its snapshot), then lines appended after it."""
    journal = StoryJournal(tmp_path, IDENTITY)
    journal.rewrite({"s1": record("s1", "a1", "a2"), "s2": record("s2", "b1")})
    journal.append([record("s3", "c1", day=2), record("s1", "a1", "a2", "a3", day=3)], ["s2"])
    journal.close()
    return journal


def folded(tmp_path: Path) -> dict[str, StoryRecord]:
    """The records folded line by line, as a file without a snapshot is read."""
    snapshot = tmp_path / SNAPSHOT_FILE
    kept = snapshot.read_bytes()
    snapshot.unlink()
    try:
        return StoryJournal(tmp_path, IDENTITY, readonly=True).load()
    finally:
        snapshot.write_bytes(kept)


def test_an_open_loads_the_snapshot_and_folds_only_the_lines_after_it(tmp_path: Path) -> None:
    written(tmp_path)
    journal = StoryJournal(tmp_path, IDENTITY)
    loaded = journal.load()
    assert not journal.rewrite_at_close  # the snapshot was used
    assert loaded == folded(tmp_path)
    assert sorted(loaded) == ["s1", "s3"] and loaded["s1"].members == ["a1", "a2", "a3"]
    assert loaded["s1"].last == record("s1", day=3).last
    assert loaded["s1"].copies == {"a3": "a1"} and loaded["s1"].headlines == {"ru": "Заголовок s1"}
    assert journal.lines == 2 + 3  # compaction counts the snapshot's records as lines


@pytest.mark.parametrize("cut", [1, HEAD, HEAD + 5, -1])
def test_a_torn_snapshot_is_ignored(tmp_path: Path, cut: int) -> None:
    written(tmp_path)
    snapshot = tmp_path / SNAPSHOT_FILE
    snapshot.write_bytes(snapshot.read_bytes()[:cut])  # a crash while writing it
    journal = StoryJournal(tmp_path, IDENTITY)
    assert journal.load() == folded(tmp_path) and journal.rewrite_at_close


def test_a_damaged_snapshot_is_ignored(tmp_path: Path) -> None:
    written(tmp_path)
    snapshot = tmp_path / SNAPSHOT_FILE
    raw = bytearray(snapshot.read_bytes())
    raw[-3] ^= 0xFF
    snapshot.write_bytes(bytes(raw))
    journal = StoryJournal(tmp_path, IDENTITY)
    assert journal.load() == folded(tmp_path) and journal.rewrite_at_close


def test_a_snapshot_of_an_older_generation_of_the_file_is_ignored(tmp_path: Path) -> None:
    journal = written(tmp_path)
    old = (tmp_path / SNAPSHOT_FILE).read_bytes()
    journal.rewrite({"s9": record("s9", "z1", "z2", "z3", "z4", "z5")})  # longer than before
    (tmp_path / SNAPSHOT_FILE).write_bytes(old)  # a crash between the two renames
    again = StoryJournal(tmp_path, IDENTITY)
    assert sorted(again.load()) == ["s9"] and again.rewrite_at_close


def test_a_snapshot_past_the_end_of_a_cut_file_is_ignored(tmp_path: Path) -> None:
    written(tmp_path)
    path = tmp_path / "stories.jsonl"
    path.write_bytes(path.read_bytes().splitlines(keepends=True)[0])  # only the header left
    journal = StoryJournal(tmp_path, IDENTITY)
    assert journal.load() == {} and journal.rewrite_at_close


def test_a_snapshot_of_another_python_is_ignored(tmp_path: Path) -> None:
    written(tmp_path)
    snapshot = tmp_path / SNAPSHOT_FILE
    columns = list(marshal.loads(snapshot.read_bytes()[HEAD:]))
    columns[0] = (1, 0, 2, 7)  # what another interpreter's marshal would have written
    payload = marshal.dumps(tuple(columns))
    crc = zlib.crc32(payload).to_bytes(4, "big")
    snapshot.write_bytes(MAGIC + len(payload).to_bytes(8, "big") + crc + payload)
    journal = StoryJournal(tmp_path, IDENTITY)
    assert journal.load() == folded(tmp_path) and journal.rewrite_at_close


def test_a_missing_snapshot_reads_the_file_and_marks_it_for_a_rewrite_at_close(
    tmp_path: Path,
) -> None:
    written(tmp_path)
    expected = folded(tmp_path)
    (tmp_path / SNAPSHOT_FILE).unlink()
    journal = StoryJournal(tmp_path, IDENTITY)
    assert journal.load() == expected and journal.rewrite_at_close
    journal.rewrite(expected)
    again = StoryJournal(tmp_path, IDENTITY)
    assert again.load() == expected and not again.rewrite_at_close


def test_a_stories_file_from_before_snapshots_opens_and_is_rewritten_at_close(
    tmp_path: Path, clock: FakeClock
) -> None:
    store = ArticleStore(tmp_path, retention_days=2, clock=clock)
    store.initialize()
    store.add_many(drafts(VOLCANO, clock))
    service = StoryService(store, tmp_path / "stories")
    service.initialize()
    before = {a.id: service.story_of(a.id) for a in store}
    path = tmp_path / "stories" / "stories.jsonl"
    header, *lines = path.read_bytes().splitlines(keepends=True)
    old_header = {k: v for k, v in orjson.loads(header).items() if k != "snapshot"}
    path.write_bytes(orjson.dumps(old_header) + b"\n" + b"".join(lines))  # today's main wrote it
    (tmp_path / "stories" / SNAPSHOT_FILE).unlink()
    reopened = StoryService(store, tmp_path / "stories")
    reopened.initialize()
    assert {a.id: reopened.story_of(a.id) for a in store} == before
    assert not (tmp_path / "stories" / SNAPSHOT_FILE).exists()  # the open costs no rewrite
    reopened.shutdown()
    assert orjson.loads(path.read_bytes().splitlines()[0]).get("snapshot")  # rewritten once
    third = StoryService(store, tmp_path / "stories")
    third.initialize()
    assert {a.id: third.story_of(a.id) for a in store} == before


def test_stories_assigned_after_the_snapshot_come_back_from_the_lines_after_it(
    tmp_path: Path, clock: FakeClock
) -> None:
    store = ArticleStore(tmp_path, retention_days=2, clock=clock)
    store.initialize()
    store.add_many(drafts(VOLCANO[:1], clock))
    first = StoryService(store, tmp_path / "stories")
    first.initialize()  # rewrites the file and its snapshot
    store.add_many(drafts(VOLCANO[1:], clock))  # appended lines; then killed, no shutdown
    before = {a.id: first.story_of(a.id) for a in store}
    assert len(set(before.values())) == 1
    again = StoryService(store, tmp_path / "stories", readonly=True)
    again.initialize()
    assert {a.id: again.story_of(a.id) for a in store} == before and again.opened == (1, 0)
