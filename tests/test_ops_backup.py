"""Backup while writes go on, restore into a fresh dir, and restores that must be refused."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import orjson
import pytest

from bot.archive.backup import MANIFEST, backup, restore, verify
from bot.archive.backupcheck import BackupError
from bot.archive.lock import DataDirLock, DataDirLocked
from bot.archive.store import ArticleStore
from bot.archive.usertables import EmbeddedUserTables
from bot.config import Config
from bot.digests.subscriptions import SubscriptionStore
from bot.services import open_services
from tests.conftest import FakeClock, draft

SUBS_FILE = "users/subscriptions.log"
META_FILE = "users/_meta.log"


@dataclass
class Live:
    """A data dir being written: the store (small segments) and the subscriptions."""

    store: ArticleStore
    users: EmbeddedUserTables
    subs: SubscriptionStore

    def close(self) -> None:
        self.subs.shutdown()
        self.users.shutdown()
        self.store.shutdown()


def open_live(data: Path, clock: FakeClock) -> Live:
    store = ArticleStore(data, clock=clock, segment_capacity=4)
    store.initialize()
    users = EmbeddedUserTables(data)
    users.initialize()
    subs = SubscriptionStore(users, data, clock=clock)
    subs.initialize()
    return Live(store, users, subs)


@pytest.fixture
def live(tmp_path: Path, clock: FakeClock) -> Iterator[Live]:
    state = open_live(tmp_path / "data", clock)
    state.store.add_many([draft(n) for n in range(10)])
    for chat in range(1, 6):
        state.subs.subscribe(chat, f"topic {chat}", 8, 0, "UTC")
    state.subs.mark_delivered([s.sub_id for s in state.subs.all()], clock.now, None)
    state.users.flush_sync()  # on disk before the backup starts, as a reply would await it
    yield state
    state.close()


def files_of(directory: Path) -> dict[str, bytes]:
    """Return every file under directory (relative path -> bytes), lock file aside."""
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in directory.rglob("*")
        if p.is_file() and p.name != "newsbrief.lock"
    }


def test_backup_during_a_fan_out_misses_nothing_committed_before_it(
    tmp_path: Path, live: Live, clock: FakeClock
) -> None:
    before_ids = {a.id for a in live.store}
    before_cursors = {s.sub_id: s.cursor for s in live.subs.all()}
    steps = itertools.count(1)

    def keep_writing(copied: str) -> None:
        """Between two file copies: new articles, a new subscriber, a digest fan-out."""
        k = next(steps)
        clock.advance(minutes=1)
        live.store.add_many([draft(1000 + 2 * k), draft(1001 + 2 * k)])
        live.subs.subscribe(100 + k, f"late topic {k}", 9, 0, "UTC")
        live.subs.mark_delivered([s.sub_id for s in live.subs.all()], clock.now, None)
        live.users.flush_sync()

    report = backup(live.store.directory.parent, tmp_path / "backup", progress=keep_writing)
    assert next(steps) > 4  # the writes really interleaved with the copying
    after_ids = {a.id for a in live.store}

    restored = restore(tmp_path / "backup", tmp_path / "fresh")
    assert restored.set_aside is None
    again = open_live(tmp_path / "fresh", clock)
    try:
        restored_ids = {a.id for a in again.store}
        assert before_ids <= restored_ids <= after_ids
        assert report.articles == len(restored_ids)
        cursors = {s.sub_id: s.cursor for s in again.subs.all()}
        for sub_id, cursor in before_cursors.items():
            assert cursors[sub_id] is not None and cursor is not None
            assert cursors[sub_id] >= cursor
    finally:
        again.close()


def test_restore_refuses_a_data_dir_in_use_and_changes_nothing(tmp_path: Path, live: Live) -> None:
    backup(live.store.directory.parent, tmp_path / "backup")
    target = tmp_path / "running"
    target.mkdir()
    (target / "users.json").write_bytes(b'{"_meta": {"1": {"schema": 2, "kind": "users"}}}')
    before = files_of(target)
    lock = DataDirLock(target)  # a running bot holds this
    lock.acquire()
    try:
        with pytest.raises(DataDirLocked, match="stop it first"):
            restore(tmp_path / "backup", target)
    finally:
        lock.release()
    assert files_of(target) == before


def _damage_segment(backup_dir: Path) -> None:
    segment = sorted((backup_dir / "articles").glob("segment-*.json"))[0]
    raw = bytearray(segment.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    segment.write_bytes(bytes(raw))


def _drop_users(backup_dir: Path) -> None:
    (backup_dir / SUBS_FILE).unlink()


def _drop_manifest(backup_dir: Path) -> None:
    (backup_dir / MANIFEST).unlink()


def _garble_manifest(backup_dir: Path) -> None:
    (backup_dir / MANIFEST).write_bytes(b'{"format": 1, "files": [')


def _escape_manifest(backup_dir: Path) -> None:
    manifest = orjson.loads((backup_dir / MANIFEST).read_bytes())
    manifest["files"][0]["path"] = "../../etc/passwd"
    (backup_dir / MANIFEST).write_bytes(orjson.dumps(manifest))


def _newer_schema(backup_dir: Path) -> None:
    import hashlib

    raw = b'"meta"\t{"schema": 99, "kind": "users"}\n'
    (backup_dir / META_FILE).write_bytes(raw)
    manifest = orjson.loads((backup_dir / MANIFEST).read_bytes())
    for entry in manifest["files"]:
        if entry["path"] == META_FILE:
            entry.update(size=len(raw), sha256=hashlib.sha256(raw).hexdigest())
    (backup_dir / MANIFEST).write_bytes(orjson.dumps(manifest))


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (_damage_segment, "damaged"),
        (_drop_users, "missing"),
        (_drop_manifest, "not a backup"),
        (_garble_manifest, "damaged"),
        (_escape_manifest, "outside the backup"),
        (_newer_schema, "newer newsbrief"),
    ],
)
def test_restore_refuses_a_broken_backup_before_touching_anything(
    tmp_path: Path, live: Live, damage: object, reason: str
) -> None:
    backup(live.store.directory.parent, tmp_path / "backup")
    damage(tmp_path / "backup")  # type: ignore[operator]
    target = tmp_path / "target"
    backup(live.store.directory.parent, target)  # some real data that must survive
    before = files_of(target)
    with pytest.raises(BackupError, match=reason):
        restore(tmp_path / "backup", target)
    assert files_of(target) == before


@pytest.mark.parametrize("linked", ["users", "articles"])
def test_restore_refuses_symbolic_links_inside_the_backup(
    tmp_path: Path, live: Live, linked: str
) -> None:
    """A link to a file with the very bytes the manifest expects is still refused."""
    backup(live.store.directory.parent, tmp_path / "backup")
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "backup" / linked).rename(outside / linked)
    (tmp_path / "backup" / linked).symlink_to(outside / linked)
    target = tmp_path / "target"
    backup(live.store.directory.parent, target)
    before = files_of(target)
    with pytest.raises(BackupError, match="symbolic link: refused"):
        restore(tmp_path / "backup", target)
    with pytest.raises(BackupError, match="symbolic link"):
        verify(tmp_path / "backup")
    assert files_of(target) == before


def test_restore_over_old_data_sets_it_aside_and_the_bot_opens_it(
    tmp_path: Path, live: Live
) -> None:
    backup(live.store.directory.parent, tmp_path / "backup")
    # retention 0: the fixture articles arrived in March (fake clock); keep them all
    config = Config(data_dir=tmp_path / "target", seeds_dir=tmp_path / "no-seeds", retention_days=0)
    old = open_services(config, write=True)
    old.store.add_many([draft(5000)])
    old.search.search("anything")  # builds an index that the restore must not keep
    old.shutdown()

    report = restore(tmp_path / "backup", config.data_dir)
    assert report.set_aside is not None
    assert (report.set_aside / "articles").is_dir()
    services = open_services(config, write=True)
    try:
        assert {a.id for a in services.store} == {a.id for a in live.store}
        hits = services.search.search("story number 7").hits
        assert hits and hits[0].article.title == "Story number 7"
    finally:
        services.shutdown()


def test_backup_cuts_a_half_written_table_line(tmp_path: Path, live: Live) -> None:
    table = live.store.directory.parent / SUBS_FILE
    whole = table.read_bytes()
    assert whole.endswith(b"\n")  # the fixture's deliveries: whole lines
    with table.open("ab") as fh:
        fh.write(b'"abc"\t{"sub_id": "abc", "cursor": "2026-')  # a line being appended right now
    backup(live.store.directory.parent, tmp_path / "backup")
    copied = (tmp_path / "backup" / SUBS_FILE).read_bytes()
    assert copied == whole  # every whole line, not the half one
    verify(tmp_path / "backup")


def test_backup_refuses_unsafe_destinations(tmp_path: Path, live: Live) -> None:
    data = live.store.directory.parent
    with pytest.raises(BackupError, match="inside the data directory"):
        backup(data, data / "backups" / "today")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "note.txt").write_text("mine")
    with pytest.raises(BackupError, match="not empty"):
        backup(data, busy)
    with pytest.raises(BackupError, match="not a newsbrief data directory"):
        backup(tmp_path / "nothing-here", tmp_path / "b2")


def test_backup_report_counts_what_it_copied(tmp_path: Path, live: Live, clock: FakeClock) -> None:
    clock.advance(seconds=1)
    report = backup(live.store.directory.parent, tmp_path / "backup", clock=clock)
    manifest = verify(tmp_path / "backup")
    assert report.articles == manifest["articles"] == 10
    assert report.files == len(manifest["files"])
    assert {e["path"] for e in manifest["files"]} >= {SUBS_FILE, "users/chats.log"}
    assert report.finished - report.started == timedelta(0)
    assert not any(e["path"].startswith("index") for e in manifest["files"])
