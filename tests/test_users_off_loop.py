"""Users-table writes leave the event loop: one thread of their own, in order, awaited before a reply."""

from __future__ import annotations

import asyncio
import shutil
import threading
from pathlib import Path

import pytest

from bot.archive.tablefile import SUFFIX, read_docs
from bot.archive.usertables import TABLES_DIR, EmbeddedUserTables
from bot.digests.subscriptions import SubscriptionStore
from tests.botkit import ask, bot_env
from tests.digestkit import open_kit
from tests.userskit import Gate, stored_topics


async def test_a_held_users_write_does_not_hold_up_another_users_reply(
    tmp_path: Path, gate: Gate
) -> None:
    """While Ann's /subscribe waits on its users-table write, Bob still gets his answer."""
    gate.loop_thread = threading.get_ident()
    data_dir = tmp_path / "data"
    async with bot_env(data_dir) as env:
        ann, bob = env.user("Ann"), env.user("Bob")
        gate.writers.clear()
        gate.armed = True
        await ann.send("/subscribe climate")
        await asyncio.to_thread(gate.entered.wait, 30)
        assert gate.entered.is_set(), "/subscribe wrote nothing"

        (help_reply,) = await ask(bob, "/help")
        assert "/subscribe" in help_reply.text
        assert gate.on_loop == 0, "a users-table write ran on the event loop"
        assert ann.replies() == [], "Ann was answered before her write was on disk"
        assert stored_topics(data_dir, ann.chat_id) == []

        gate.release.set()
        (done,) = await ann.wait_replies(1, timeout=10)
        assert done.text.startswith("Subscribed: climate")
        # "Subscribed" means on disk: a kill -9 now leaves exactly these files.
        crashed = tmp_path / "after-crash"
        shutil.copytree(data_dir / TABLES_DIR, crashed / TABLES_DIR)
        assert stored_topics(crashed, ann.chat_id) == ["climate"]
        users = EmbeddedUserTables(crashed)
        users.initialize()
        reopened = SubscriptionStore(users, crashed)
        reopened.initialize()
        try:
            assert [s.topic for s in reopened.for_chat(ann.chat_id)] == ["climate"]
        finally:
            reopened.shutdown()
            users.shutdown()
    assert gate.on_loop == 0


async def test_writes_run_on_the_users_thread_in_the_order_asked(
    tmp_path: Path, gate: Gate
) -> None:
    users = EmbeddedUserTables(tmp_path)
    users.initialize()
    gate.writers.clear()
    try:
        for n in range(30):
            users.put("chats", str(n % 7), {"n": n})
            if n % 4 == 0:
                await users.flush()
        await users.flush()
    finally:
        users.shutdown()
    lines = (tmp_path / TABLES_DIR / f"chats{SUFFIX}").read_bytes().splitlines()
    assert [int(line.rsplit(b":", 1)[1].rstrip(b"}")) for line in lines] == list(range(30))
    assert gate.writers and threading.get_ident() not in gate.writers
    assert len(gate.writers) < 30  # writes queued together share one write() and one fsync


async def test_a_failed_write_reaches_whoever_waits_for_it(tmp_path: Path, gate: Gate) -> None:
    users = EmbeddedUserTables(tmp_path)
    users.initialize()
    try:
        gate.fail = True
        users.put("chats", "1", {"zone": "UTC"})
        with pytest.raises(OSError, match="No space left"):
            await users.flush()
        await users.flush()  # reported once; the next flush has nothing pending
    finally:
        users.shutdown()


async def test_concurrent_changes_of_one_chat_end_on_disk_as_the_last_one(tmp_path: Path) -> None:
    """Many /subscribe and /unsubscribe at once: disk and memory agree with the last one."""
    kit = open_kit(tmp_path)

    async def change(n: int, chat: int) -> None:
        if n % 3 == 2:
            await kit.digests.unsubscribe(chat, [s.sub_id for s in kit.digests.for_chat(chat)])
        else:
            await kit.digests.subscribe(chat, "climate", (n % 24, n % 60), None)

    # Chat 1 ends with a subscribe at 16:40 (n=40), chat 2 with an unsubscribe (n=41).
    await asyncio.gather(*(change(n, 1) for n in range(41)), *(change(n, 2) for n in range(42)))
    assert [(s.topic, s.slot.hhmm) for s in kit.digests.for_chat(1)] == [("climate", "16:40")]
    assert kit.digests.for_chat(2) == []
    # No shutdown: what a crash right now leaves on disk.
    users = EmbeddedUserTables(tmp_path)
    users.initialize()
    reopened = SubscriptionStore(users, tmp_path)
    reopened.initialize()
    try:
        assert [(s.topic, s.slot.hhmm) for s in reopened.for_chat(1)] == [("climate", "16:40")]
        assert reopened.for_chat(2) == []
    finally:
        reopened.shutdown()
        users.shutdown()
        kit.close()


async def test_a_cancelled_caller_does_not_cancel_its_queued_write(
    tmp_path: Path, gate: Gate
) -> None:
    """The memory changed already: the write must land even if the handler gives up."""
    gate.loop_thread = threading.get_ident()
    users = EmbeddedUserTables(tmp_path)
    users.initialize()
    try:
        gate.armed = True
        users.put("chats", "1", {"zone": "UTC"})  # an fsync that takes long
        waiting = asyncio.create_task(users.flush())
        await asyncio.to_thread(gate.entered.wait, 30)
        waiting.cancel()
        gate.release.set()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        await users.flush()
        assert list(read_docs(tmp_path / TABLES_DIR / f"chats{SUFFIX}")) == [{"zone": "UTC"}]
    finally:
        gate.release.set()
        users.shutdown()
