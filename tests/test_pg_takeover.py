"""What a new leader reads again on taking over: the follows made or dropped on the old one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bot.follows.records import Follow
from bot.follows.store import FollowStore
from bot.pg.database import Database
from bot.pg.usertables import PgUserTables

SINCE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@contextmanager
def follow_store(url: str, data_dir: Path) -> Iterator[FollowStore]:
    """Open one process's follows on the shared database."""
    database = Database(url, max_size=2)
    database.open()
    users = PgUserTables(database)
    users.initialize()
    store = FollowStore(users, data_dir)
    store.initialize()
    try:
        yield store
    finally:
        store.shutdown()
        users.shutdown()
        database.close()


async def test_a_reload_takes_the_follows_another_process_made_and_dropped(
    pg_url: str, tmp_path: Path
) -> None:
    with (
        follow_store(pg_url, tmp_path / "old") as old_leader,
        follow_store(pg_url, tmp_path / "new") as new_leader,
    ):
        old_leader.add(Follow(7, "story-a", "Dam holds", SINCE))
        await old_leader.saved()
        new_leader.reload()
        assert [f.key for f in new_leader.all()] == [(7, "story-a")]
        assert new_leader.followed == {"story-a"}
        # The old leader's chat drops that follow and follows another story.
        old_leader.remove(7, ["story-a"])
        old_leader.add(Follow(7, "story-b", "Bridge reopens", SINCE))
        await old_leader.saved()
        assert new_leader.followers("story-a") != []  # not seen until the takeover
        new_leader.reload()
        assert [f.key for f in new_leader.all()] == [(7, "story-b")]
        assert new_leader.followers("story-a") == []
        assert new_leader.followed == {"story-b"}
