"""The follows' journal at fan-out speed: lines written in groups, a send waits for its last.

The users file's thread is held on a real `threading.Event` so a journal write stays in
flight for as long as the test says; nothing is mocked.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from math import inf
from pathlib import Path

from bot.archive.userdb import UserDB
from bot.digests.delivery import Deliverer, DigestPart, Outcome
from bot.digests.pacing import Pacer, Pacing
from bot.follows.records import Follow
from bot.follows.store import JOURNAL_FILE, FollowStore

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
UNPACED = Pacing(inf, inf, inf, overall_per_second=inf)  # only the journal may hold a send


def opened(data_dir: Path, chats: range) -> tuple[UserDB, FollowStore]:
    users = UserDB(data_dir)
    users.initialize()
    store = FollowStore(users, data_dir / JOURNAL_FILE)
    store.initialize()
    for chat in chats:
        store.add(Follow(chat, "s1", "Volcano", T0, cursor=T0))
    users.flush_sync()
    return users, store


def hold(users: UserDB) -> threading.Event:
    """Keep the users thread busy until the returned event is set."""
    release = threading.Event()
    users.submit(release.wait, 30)
    return release


def told(store: FollowStore, chat: int) -> None:
    store.mark_told(chat, "s1", T0 + timedelta(hours=1), T0 + timedelta(hours=2), T0)


async def test_lines_confirmed_together_are_on_disk_when_recorded_returns(
    tmp_path: Path,
) -> None:
    users, store = opened(tmp_path, range(1, 4))
    release = hold(users)
    for chat in (1, 2, 3):  # one open group; recorded() queues it behind the hold
        told(store, chat)
    waiting = asyncio.ensure_future(store.recorded())
    for _ in range(20):
        await asyncio.sleep(0)
    assert not waiting.done()
    release.set()
    await asyncio.wait_for(waiting, 10)
    lines = (tmp_path / JOURNAL_FILE).read_bytes().splitlines()
    assert [line.split(b",")[0] for line in lines] == [b'{"c":1', b'{"c":2', b'{"c":3']
    again = FollowStore(users, tmp_path / JOURNAL_FILE)  # as after a kill -9: replayed
    again.initialize()
    cursors = [f.cursor for c in (1, 2, 3) if (f := again.get(c, "s1")) is not None]
    assert cursors == [T0 + timedelta(hours=1)] * 3
    users.shutdown()


async def test_a_sender_sends_again_only_once_its_last_update_is_in_the_journal(
    tmp_path: Path,
) -> None:
    users, store = opened(tmp_path, range(1, 3))
    sent: list[int] = []

    async def send(chat_id: int, part: DigestPart) -> object:
        sent.append(chat_id)
        return None

    deliverer = Deliverer(send, Pacer(UNPACED), ready=store.recorded)
    assert (await deliverer.deliver(1, [DigestPart("one")])).outcome is Outcome.SENT
    release = hold(users)
    told(store, 1)  # its line is in flight behind the hold
    second = asyncio.ensure_future(deliverer.deliver(2, [DigestPart("two")]))
    for _ in range(50):
        await asyncio.sleep(0)
    assert sent == [1]  # a crash now repeats at most the update to chat 1
    release.set()
    assert (await asyncio.wait_for(second, 10)).outcome is Outcome.SENT
    assert sent == [1, 2]
    assert (tmp_path / JOURNAL_FILE).read_bytes().startswith(b'{"c":1')
    users.shutdown()
