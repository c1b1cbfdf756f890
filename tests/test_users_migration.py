"""A data dir written by main e911b53 (users.json + unfolded journals) opens with every record."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, time
from pathlib import Path

from bot.archive.usermigrate import LEGACY_FILE
from bot.archive.usertables import TABLES_DIR, EmbeddedUserTables
from bot.config import Config
from bot.digests.subscriptions import LEGACY_JOURNAL as DIGESTS_JOURNAL
from bot.follows.store import LEGACY_JOURNAL as FOLLOWS_JOURNAL
from bot.services import open_services

FIXTURE = Path(__file__).parent / "fixtures" / "users-e911b53" / "data"
T2 = datetime(2026, 11, 3, 8, 30, tzinfo=UTC)


def _copy(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    return data


def test_every_record_of_main_survives_the_migration(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    original = (data / LEGACY_FILE).read_bytes()
    config = Config(data_dir=data, seeds_dir=tmp_path / "no-seeds", retention_days=0)
    services = open_services(config, write=True)
    try:
        subs = {s.sub_id: s for s in services.digests.subs.all()}
        assert set(subs) == {"bb344a6e", "b1539cc9", "c70584d2", "2804ae15"}
        oil = subs["bb344a6e"]
        assert (oil.chat_id, oil.topic, oil.slot.hhmm, oil.zone) == (
            101,
            "oil prices",
            "08:30",
            "Europe/Berlin",
        )
        # folded in users.json, then the journal's unfolded line on top, newest last
        assert list(oil.sent.items()) == [
            ("s0123456789", 4),
            ("sabcdef0123", 2),
            ("s5555555555", 7),
        ]
        assert oil.cursor == T2 and oil.last_due == T2
        assert dict(subs["b1539cc9"].sent) == {"s5555555555": 7}
        moscow = subs["2804ae15"]
        assert moscow.topic == "Москва" and moscow.cursor == T2 and moscow.last_due is None
        assert subs["c70584d2"].cursor is None and dict(subs["c70584d2"].sent) == {}
        chats = services.digests.subs
        assert chats.chat(101).send_empty and chats.chat(101).lang == "en"
        assert chats.chat(303).zone == "Europe/Moscow" and chats.chat(303).lang == "ru"
        assert not chats.is_active(404)
        follows = services.follows.follows
        first, second = follows.get(101, "s0123456789"), follows.get(303, "sabcdef0123")
        assert first is not None and first.headline == "Oil jumps"
        assert first.last_sent == datetime(2026, 11, 1, 14, 1, tzinfo=UTC)
        assert second is not None and second.headline == "Матч года"
        assert second.cursor == T2 and second.last_sent == datetime(2026, 11, 3, 8, 31, tzinfo=UTC)
        quiet = follows.quiet(101)
        assert quiet is not None and (quiet.start, quiet.end) == (time(22), time(7))
        assert follows.quiet(303) is None
        feeds = {f.id: f for f in services.feeds.registry.all()}
        assert set(feeds) == {"f1", "f2"}  # and no default feeds: the data dir was seeded
        assert feeds["f1"].etag == '"abc"' and feeds["f1"].articles == 12
        assert not feeds["f2"].active and feeds["f2"].note == "gone (410)"
    finally:
        services.shutdown()
    assert (data / TABLES_DIR).is_dir() and not (data / LEGACY_FILE).exists()
    assert (data / f"{LEGACY_FILE}.bak").read_bytes() == original  # the way back
    assert not (data / DIGESTS_JOURNAL).exists() and not (data / FOLLOWS_JOURNAL).exists()


def test_the_migration_runs_once_and_a_reopen_keeps_everything(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    config = Config(data_dir=data, seeds_dir=tmp_path / "no-seeds", retention_days=0)
    first = open_services(config, write=True)
    before = sorted(first.digests.subs.all(), key=lambda s: s.sub_id)
    first.shutdown()
    (data / f"{LEGACY_FILE}.bak").unlink()  # nothing reads it again
    again = open_services(config, write=True)
    try:
        assert sorted(again.digests.subs.all(), key=lambda s: s.sub_id) == before
        assert len(again.follows.follows.all()) == 2
    finally:
        again.shutdown()


def test_a_crash_between_the_two_renames_finishes_on_the_next_open(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    tables = EmbeddedUserTables(data)
    tables.initialize()
    tables.shutdown()
    shutil.copy2(data / f"{LEGACY_FILE}.bak", data / LEGACY_FILE)  # as if the last rename never ran
    again = EmbeddedUserTables(data)
    again.initialize()
    try:
        assert not (data / LEGACY_FILE).exists()
        assert len(list(again.load("subscriptions"))) == 4
    finally:
        again.shutdown()


def test_a_reader_beside_an_unmigrated_dir_sees_the_old_file(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    reader = EmbeddedUserTables(data, readonly=True)
    reader.initialize()
    assert {d["sub_id"] for d in reader.load("subscriptions")} >= {"bb344a6e", "2804ae15"}
    assert (data / LEGACY_FILE).exists() and not (data / TABLES_DIR).exists()  # nothing written
