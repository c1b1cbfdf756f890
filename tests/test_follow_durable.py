"""Follow updates at fan-out speed: a sender sends again only once its last update is durable.

The users tables' writer thread is held on a real `threading.Event` (a subclass that waits
before each group commit) so a write stays in flight for as long as the test says; the
files read back are the real ones a `kill -9` would leave.
"""

from __future__ import annotations

import asyncio
import shutil
import threading
from datetime import UTC, datetime, timedelta
from math import inf
from pathlib import Path

from bot.archive.tablefile import SUFFIX, read_docs
from bot.archive.usertables import TABLES_DIR, EmbeddedUserTables
from bot.digests.delivery import Deliverer, DigestPart, Outcome
from bot.digests.pacing import Pacer, Pacing
from bot.follows.records import Follow
from bot.follows.store import FOLLOWS_TABLE, FollowStore

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TOLD = T0 + timedelta(hours=1)
UNPACED = Pacing(inf, inf, inf, overall_per_second=inf)  # only the records may hold a send


class HeldTables(EmbeddedUserTables):
    """The embedded tables, whose writer waits for `release` once `held` is set."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(data_dir)
        self.held = False
        self.release = threading.Event()

    def _drain(self) -> None:
        if self.held:
            self.release.wait(30)
        super()._drain()


def opened(data_dir: Path, chats: range) -> tuple[HeldTables, FollowStore]:
    users = HeldTables(data_dir)
    users.initialize()
    store = FollowStore(users, data_dir)
    store.initialize()
    for chat in chats:
        store.add(Follow(chat, "s1", "Volcano", T0, cursor=T0))
    users.flush_sync()
    return users, store


def told(store: FollowStore, chat: int) -> None:
    store.mark_told(chat, "s1", TOLD, T0 + timedelta(hours=2), T0)


def cursors_on_disk(data_dir: Path) -> dict[int, datetime]:
    """Return each chat's follow cursor as the follows table's file holds it right now."""
    docs = read_docs(data_dir / TABLES_DIR / f"{FOLLOWS_TABLE}{SUFFIX}")
    return {(f := Follow.from_doc(d)).chat_id: f.cursor for d in docs}


async def test_a_sender_sends_again_only_once_its_last_update_is_durable(
    tmp_path: Path,
) -> None:
    users, store = opened(tmp_path, range(1, 3))
    sent: list[tuple[int, datetime]] = []  # each send, with chat 1's cursor on disk then
    waiting = asyncio.Event()

    async def send(chat_id: int, part: DigestPart) -> object:
        sent.append((chat_id, cursors_on_disk(tmp_path)[1]))
        return None

    async def ready() -> None:
        if users.held:
            waiting.set()  # the second send now waits on the held write, or goes at once
        await store.saved()

    deliverer = Deliverer(send, Pacer(UNPACED), ready=ready)
    assert (await deliverer.deliver(1, [DigestPart("one")])).outcome is Outcome.SENT
    users.held = True
    told(store, 1)  # confirmed; its put is in flight on the held writer
    second = asyncio.ensure_future(deliverer.deliver(2, [DigestPart("two")]))
    await asyncio.wait_for(waiting.wait(), 10)
    assert [chat for chat, _ in sent] == [1]  # a crash now repeats at most chat 1's update
    assert cursors_on_disk(tmp_path)[1] == T0
    users.release.set()
    assert (await asyncio.wait_for(second, 10)).outcome is Outcome.SENT
    assert sent == [(1, T0), (2, TOLD)]  # chat 1's update was on disk when chat 2 was sent
    users.shutdown()


async def test_updates_confirmed_together_survive_a_crash_once_saved(tmp_path: Path) -> None:
    users, store = opened(tmp_path, range(1, 4))
    for chat in (1, 2, 3):
        told(store, chat)
    await store.saved()
    crashed = tmp_path / "after-crash"  # the files a kill -9 leaves now
    shutil.copytree(tmp_path / TABLES_DIR, crashed / TABLES_DIR)
    again = EmbeddedUserTables(crashed)
    again.initialize()
    reopened = FollowStore(again, crashed)
    reopened.initialize()
    cursors = [f.cursor for c in (1, 2, 3) if (f := reopened.get(c, "s1")) is not None]
    assert cursors == [TOLD] * 3
    again.shutdown()
    users.shutdown()
